"""The `work` process: outbox relay plus consumers, stopped cleanly by SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from lianxin.kit import faults

log = logging.getLogger(__name__)

Component = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


async def keep_running(name: str, attempt: Component, stop: asyncio.Event,
                       delay_s: float = 1.0) -> None:
    """Run `attempt` until `stop` is set, starting it again `delay_s` after any failure: a
    database or broker outage must pause a relay or consumer, never end it."""
    while not stop.is_set():
        try:
            await attempt(stop)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; starting again in %.0f s", name, delay_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay_s)


async def run_components(components: dict[str, Component], stop: asyncio.Event | None = None) -> None:
    """Run components until a signal or `stop`; a component that crashes stops the process,
    so the supervisor (make dev, Kubernetes) restarts it and the crash is not hidden."""
    faults.arm()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks: dict[asyncio.Task[Any], str] = {
        asyncio.create_task(fn(stop), name=name): name for name, fn in components.items()}
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    for task in done:
        if task is not stopper and task.exception() is not None:
            log.error("%s crashed", tasks[task], exc_info=task.exception())
    await asyncio.wait(tasks, timeout=10)
    for task in tasks:
        task.cancel()
    if any(t is not stopper and not t.cancelled() and t.exception() for t in done):
        raise SystemExit(1)
