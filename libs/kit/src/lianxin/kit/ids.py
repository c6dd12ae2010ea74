"""Identifiers: UUIDv7 for events (time-ordered, RFC 9562) and strict parsing of client ids."""

from __future__ import annotations

import os
import threading
import time
import uuid

from lianxin.kit.errors import InvalidInput

_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, 12-bit counter) of the newest id made by this process


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """A UUIDv7: 48-bit Unix milliseconds, a 12-bit counter, then random bits; sorts by
    creation time, and within a process strictly in creation order.

    Monotonic (RFC 9562, 6.2, method 1): two events of one ticket made in the same millisecond
    (a resolve and its assignment's completion) must keep their order, or a projection that
    folds by (version, id) could fold them backwards (bench/RESULTS.md, P6). Within one
    millisecond the counter counts up from a random start below 2048; a clock that steps back
    keeps the last millisecond. With `now_ms` given (tests) the counter is random.
    Python 3.11 has no uuid.uuid7 (it arrives in 3.14), hence this.
    """
    global _last
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    if now_ms is not None:
        ms, counter = now_ms, int.from_bytes(os.urandom(2), "big") & 0xFFF
    else:
        with _lock:
            ms, counter = int(time.time() * 1000), int.from_bytes(os.urandom(2), "big") & 0x7FF
            if ms <= _last[0]:
                ms, counter = _last[0], _last[1] + 1
                if counter > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                    ms, counter = ms + 1, 0
            _last = (ms, counter)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0x2 << 62 | rand
    return uuid.UUID(int=value)


def parse_id(value: str, field: str) -> uuid.UUID:
    """Parse a client-supplied id, or raise InvalidInput naming the field and the expected form."""
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise InvalidInput(
            f"{field} must be a UUID such as 0192f3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b, got {value!r}",
            field=field,
        ) from None
