"""A weak mobile network between a front end and the gateway: a TCP hop that can lose an answer.

`LossyLink` relays HTTP/1.1 both ways. Armed with `lose_next_answers(n)`, it lets the next n
requests reach the gateway, reads the gateway's complete answer, keeps it in `lost` — and closes
the client's socket instead of relaying it. The client sees the connection die after it sent
its request, the worst case for a mutation: it cannot know whether the server acted. What the
gateway answered is kept so a test can show that it did act, and that the retry got the same.

It runs its own asyncio loop in a thread, so synchronous and asynchronous clients can use it.
Requests are relayed as bytes; answers are framed (Content-Length or chunked) to lose exactly
one, whatever connection it travels on (httpx reuses connections)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from urllib.parse import urlsplit, urlunsplit

HEAD_END = b"\r\n\r\n"


class LossyLink:
    """`url` is the gateway's URL with the link's host and port; use it instead."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._upstream_parts = parts
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="lossy-link",
                                        daemon=True)
        self._server: asyncio.Server | None = None
        self._lock = threading.Lock()
        self._to_lose = 0
        self._relays: dict[asyncio.Task[None], list[asyncio.StreamWriter]] = {}
        self.lost: list[bytes] = []        # the answers the clients never got, whole

    # --- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> LossyLink:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            # Connections still open (kept alive): closing their sockets ends each relay at its
            # next read, as a peer hanging up would. (Cancelling them instead makes asyncio's
            # stream callback log the cancellation as an error.)
            for writers in self._relays.values():
                for writer in writers:
                    writer.close()
            await asyncio.gather(*self._relays, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        assert self._server is not None, "use the link inside `with`"
        port = self._server.sockets[0].getsockname()[1]
        return urlunsplit(self._upstream_parts._replace(netloc=f"127.0.0.1:{port}"))

    def lose_next_answers(self, count: int = 1) -> None:
        with self._lock:
            self._to_lose += count

    def lost_bodies(self) -> list[bytes]:
        """The bodies (after the head) of the lost answers, de-chunked."""
        return [_body(answer) for answer in self.lost]

    # --- relaying -----------------------------------------------------------------------------
    async def _serve(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        try:
            up_in, up_out = await asyncio.open_connection(*self._upstream)
        except OSError:
            client_out.close()
            return
        relay = asyncio.current_task()
        assert relay is not None
        self._relays[relay] = [client_out, up_out]
        pump = asyncio.create_task(_pump(client_in, up_out))
        try:
            while True:
                answer = await _read_answer(up_in)
                if answer is None:
                    break
                if self._take_loss():
                    self.lost.append(answer)
                    break                  # close the client's socket, relaying nothing
                client_out.write(answer)
                await client_out.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            pump.cancel()
            for writer in (client_out, up_out):
                writer.close()
            await asyncio.gather(pump, client_out.wait_closed(), up_out.wait_closed(),
                                 return_exceptions=True)
            del self._relays[relay]

    def _take_loss(self) -> bool:
        with self._lock:
            if self._to_lose <= 0:
                return False
            self._to_lose -= 1
            return True


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
        writer.write_eof()


async def _read_answer(reader: asyncio.StreamReader) -> bytes | None:
    """One whole HTTP/1.1 response (head and body) as received, or None at end of stream."""
    try:
        head = await reader.readuntil(HEAD_END)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        return None
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.decode("latin-1").partition(":") for line in head.split(b"\r\n")[1:] if line)}
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            body += size_line + await reader.readexactly(size + 2)
            if size == 0:
                return head + body
    return head + await reader.readexactly(int(headers.get("content-length", "0")))


def _body(answer: bytes) -> bytes:
    head, _, rest = answer.partition(HEAD_END)
    if b"chunked" not in head.lower():
        return rest
    body = b""
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        body, rest = body + rest[:size], rest[size + 2:]
    return body
