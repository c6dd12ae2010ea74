"""A relay running in the background for the length of an `async with` block (tests)."""

from __future__ import annotations

import asyncio
import contextlib

from lianxin.kit.outbox import OutboxRelay


class Relaying:
    """`async with Relaying(relay) as r:` runs `relay` until the block ends, then stops it."""

    def __init__(self, relay: OutboxRelay) -> None:
        self.relay, self.stop = relay, asyncio.Event()

    async def __aenter__(self) -> OutboxRelay:
        self.task = asyncio.create_task(self.relay.run(self.stop))
        return self.relay

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)
