"""Rules shared by every people aggregate: client-chosen ids, retries and text fields."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, TypeVar

from lianxin.people.domain.errors import IdConflict, InvalidInput


class Comparable(Protocol):
    def same_content(self, other: object) -> bool: ...


T = TypeVar("T", bound=Comparable)


def created_or_retried(new: T, existing: T | None, what: str, entity_id: object) -> tuple[T, bool]:
    """(entity, created): an offline client retrying with the same id and content gets the
    stored entity back; the same id with other content is a CONFLICT, never an overwrite."""
    if existing is None:
        return new, True
    if not existing.same_content(new):
        raise IdConflict(f"{what} {entity_id} already exists with other content; use a new id",
                         field="id")
    return existing, False


def clean_text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    """Collapse white space; enforce presence and length with a message naming the field."""
    text = " ".join((value or "").split())
    if required and not text:
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=field)
    return text


def check_period(start: dt.date, end: dt.date | None, start_field: str, end_field: str) -> None:
    if end is not None and end < start:
        raise InvalidInput(f"{end_field} ({end}) must not be before {start_field} ({start})",
                           field=end_field)
