"""A ticket fact ↔ the JSON kept in `ticket_fact.state`: the fold's whole state, so the next
event in order moves the fact on without re-reading its events. Driven by the dataclasses'
type hints, so a field added to the fact needs no change here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
import uuid
from functools import cache
from typing import Any

from lianxin.assessment.domain.facts import TicketFact


def to_state(value: Any) -> Any:
    """JSON-ready form: dataclasses as objects, ids and times as strings, sets as lists."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date):   # datetime is a date too
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_state(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(to_state(v) for v in value)
    names = _field_names(value.__class__)
    if names is not None:
        return {name: to_state(getattr(value, name)) for name in names}
    return value


@cache
def _field_names(cls: Any) -> tuple[str, ...] | None:
    """A dataclass's field names (None for any other type): looked up once per class."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _read(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return _read(next(a for a in args if a is not type(None)), value)
    if origin is tuple:
        return tuple(_read(args[0], v) for v in value)
    if origin is frozenset:
        return frozenset(_read(args[0], v) for v in value)
    if isinstance(tp, type) and isinstance(value, tp):
        return value   # already typed (a database row rather than JSON)
    if tp is uuid.UUID:
        return uuid.UUID(value)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value)
    return value


def from_dict(cls: Any, data: dict[str, Any]) -> Any:
    """`cls` rebuilt from `to_state` output (unknown keys ignored: an older field dropped)."""
    hints = _hints(cls)
    return cls(**{f.name: _read(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.name in data})


def ticket_from_state(data: dict[str, Any]) -> TicketFact:
    fact: TicketFact = from_dict(TicketFact, data)
    return fact
