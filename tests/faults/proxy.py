"""A TCP proxy in front of the broker whose link can be made slow, jittery and lossy at run time
(scenario 11). The fault stack's broker advertises the proxy's port, so every Kafka client —
the relays first of all — talks to the broker through it.

Faults, per chunk of bytes read from either side:
- latency: delivered `latency_s` late; jitter: plus uniform(0, `jitter_s`), but never before
  the previous chunk of the same direction (TCP keeps order; only the timing suffers);
- loss: with probability `loss` the connection is cut (both sockets aborted). Bytes cannot go
  missing inside a TCP stream, so a lost packet shows up to the application as a stall and a
  dropped connection: that is what the clients must survive.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class LinkFaults:
    latency_s: float = 0.0
    jitter_s: float = 0.0
    loss: float = 0.0


class FaultyLink:
    """`link = FaultyLink(port, target); link.start()`; `link.faults = LinkFaults(...)`."""

    def __init__(self, port: int, target: Callable[[], tuple[str, int]], seed: int = 11) -> None:
        self.port, self.target = port, target
        self.faults = LinkFaults()
        self.connections = self.cut = self.chunks = 0
        self._rng = random.Random(seed)
        self._loop = asyncio.new_event_loop()
        self._writers: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="kafka-proxy")

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"the proxy could not listen on {self.port}")

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            host, port = self.target()
            broker_r, broker_w = await asyncio.open_connection(host, port)
        except OSError:
            client_w.transport.abort()  # the broker is down: the client sees a refused link
            return
        self.connections += 1
        self._writers |= {client_w, broker_w}
        ends = (client_w, broker_w)
        await asyncio.gather(self._pump(client_r, broker_w, ends),
                             self._pump(broker_r, client_w, ends))
        self._writers -= {client_w, broker_w}

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    ends: tuple[asyncio.StreamWriter, ...]) -> None:
        last_due = 0.0
        try:
            while data := await reader.read(65536):
                faults = self.faults
                self.chunks += 1
                if faults.loss and self._rng.random() < faults.loss:
                    self.cut += 1
                    break
                due = time.monotonic() + faults.latency_s + self._rng.uniform(0, faults.jitter_s)
                last_due = max(last_due, due)
                if (wait := last_due - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for end in ends:  # one side gone or cut: the whole connection goes
                with contextlib.suppress(Exception):
                    end.transport.abort()
