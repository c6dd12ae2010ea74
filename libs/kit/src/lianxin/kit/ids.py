"""Identifiers: UUIDv7 for events (time-ordered, RFC 9562) and strict parsing of client ids."""

from __future__ import annotations

import os
import time
import uuid

from lianxin.kit.errors import InvalidInput


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """A UUIDv7: 48-bit Unix milliseconds, then random bits; sorts by creation time.

    Python 3.11 has no uuid.uuid7 (it arrives in 3.14), hence this.
    """
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | rand & ((1 << 80) - 1)
    value = value & ~(0xF << 76) | (0x7 << 76)  # version 7
    value = value & ~(0x3 << 62) | (0x2 << 62)  # RFC 4122 variant
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
