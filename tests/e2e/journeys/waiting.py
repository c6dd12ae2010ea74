"""Waiting for a system whose read models are a moment behind its writes.

Each service learns the others' org units, pairings and tickets from events, and the assessment
projections follow the tickets: a front end that acts on something just created may have to try
again. Tests wait the same way, for what must become true, and fail with the last thing seen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 60,
               interval: float = 0.5) -> T:
    """Call `read` until `done` holds for its answer (returned), or fail after `seconds` showing
    the last answer. No timing is asserted: the limit only stops a test that would hang."""
    deadline = time.monotonic() + seconds
    while True:
        found = read()
        if done(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still not done after {seconds:g} s; last answer: {found!r}")
        time.sleep(interval)
