"""Crash points: places where a worker can be made to die with SIGKILL, for the fault suite.

The claims "a consumer killed after its database commit but before its offset commit applies
nothing twice" and "a relay killed after the broker's ack but before marking its rows loses
nothing" are about one exact moment; killing a process from outside hits it only by luck. So the
code names those moments, and a worker started with

    LIANXIN_FAULT_CRASH_AT=<point>:<n>      e.g. consumer.before_offset_commit:3

kills itself (SIGKILL: no cleanup, no flush, exactly like the OOM killer) the n-th time it
reaches <point>. Unset — always, outside tests — a crash point costs one dict lookup. It is
refused in production, where a stray variable must not be able to take a service down.

Points: `consumer.before_offset_commit` (kit/consumer.py), `relay.before_mark` (kit/outbox.py).
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)
VARIABLE = "LIANXIN_FAULT_CRASH_AT"
POINTS = frozenset({"consumer.before_offset_commit", "relay.before_mark"})
_reached: dict[str, int] = {}
_armed: tuple[str, int] | bool | None = False  # False: not read yet


def _arm() -> tuple[str, int] | None:
    raw = os.environ.get(VARIABLE, "").strip()
    if not raw:
        return None
    point, _, nth = raw.partition(":")
    if point not in POINTS or not nth.isdigit() or int(nth) < 1:
        raise ValueError(f"{VARIABLE}={raw!r}: give <point>:<n>, n ≥ 1, point one of "
                         f"{', '.join(sorted(POINTS))}")
    if os.environ.get("LIANXIN_ENVIRONMENT", "dev") == "production":
        raise ValueError(f"{VARIABLE} is a test seam and is refused in production: unset it")
    return point, int(nth)


def arm() -> None:
    """Read the variable now (a worker's start): a malformed or forbidden one stops the process
    before it does any work, rather than failing inside a retried loop."""
    global _armed
    if _armed is False:
        _armed = _arm()


def crash_point(point: str) -> None:
    """Die here by SIGKILL if LIANXIN_FAULT_CRASH_AT names this point and its count is reached."""
    arm()
    if _armed is None:
        return
    assert not isinstance(_armed, bool)
    target, nth = _armed
    if point != target:
        return
    _reached[point] = _reached.get(point, 0) + 1
    if _reached[point] >= nth:
        # A line in the log says why the process vanished; then no handler, no flush.
        log.warning("crash point %s reached (%d): SIGKILL", point, _reached[point])
        for handler in logging.getLogger().handlers:
            handler.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def reset() -> None:
    """Forget the variable and the counts (unit tests)."""
    global _armed
    _armed = False
    _reached.clear()
