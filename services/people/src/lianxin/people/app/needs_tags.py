"""Needs tags (困难群众台账): put a household on the needy register for a reason and a period,
take it off again (history is kept).

Each public `verb_noun(cmd, uow, scope)` is one transaction; `verb_noun_in` does the same work
inside a unit of work someone else opened and commits (the spreadsheet importer).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from lianxin.people.app.common import Scope, in_transaction, stale, today
from lianxin.people.app.households import household_in_scope
from lianxin.people.app.ports import UnitOfWork
from lianxin.people.domain.common import created_or_retried
from lianxin.people.domain.errors import InvalidInput, NotFound
from lianxin.people.domain.events import NeedsTagAdded, NeedsTagRemoved
from lianxin.people.domain.register import NeedsTag, NeedsTagKind, ended_tag, new_needs_tag


@dataclass(frozen=True, slots=True)
class AddNeedsTag:
    id: uuid.UUID
    household_id: uuid.UUID
    kind: NeedsTagKind = field(repr=False)
    since: dt.date
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class EndNeedsTag:
    id: uuid.UUID
    until: dt.date | None = None  # None: today


async def add_needs_tag(cmd: AddNeedsTag, uow: UnitOfWork, scope: Scope | None = None) -> NeedsTag:
    """Put a household on the needy register for a reason, from `since` (until `until`)."""
    return await in_transaction(add_needs_tag_in, cmd, uow, scope)


def _overlaps(a: NeedsTag, b: NeedsTag) -> bool:
    return (a.until is None or b.since < a.until) and (b.until is None or a.since < b.until)


async def add_needs_tag_in(cmd: AddNeedsTag, uow: UnitOfWork, scope: Scope | None) -> tuple[NeedsTag, bool]:
    household = await household_in_scope(uow, cmd.household_id, scope, "householdId")
    new = new_needs_tag(cmd.id, household, cmd.kind, cmd.since, cmd.until)
    tag, created = created_or_retried(new, await uow.needs_tags.get(cmd.id), "needs tag", cmd.id)
    if not created:
        return tag, False
    for other in await uow.needs_tags.of_households([household.id]):
        if other.kind is tag.kind and _overlaps(other, tag):
            raise InvalidInput(f"the household already has a tag of this kind from {other.since} "
                               f"(tag {other.id}) overlapping this period; end that one first",
                               field="since")
    if not await uow.needs_tags.add(tag):
        stored = await uow.needs_tags.get(cmd.id)
        if stored is None:
            raise stale("needs tag", cmd.id)
        return created_or_retried(new, stored, "needs tag", cmd.id)[0], False
    uow.record(NeedsTagAdded(tag, household))
    return tag, True


async def end_needs_tag(cmd: EndNeedsTag, uow: UnitOfWork, scope: Scope | None = None) -> NeedsTag:
    """Take a household off the register for this reason from `until` (history is kept)."""
    return await in_transaction(end_needs_tag_in, cmd, uow, scope)


async def end_needs_tag_in(cmd: EndNeedsTag, uow: UnitOfWork, scope: Scope | None) -> tuple[NeedsTag, bool]:
    tag = await uow.needs_tags.get(cmd.id)
    if tag is None:
        raise NotFound(f"needs tag {cmd.id} does not exist", field="id")
    household = await household_in_scope(uow, tag.household_id, scope, "id")
    until = cmd.until or today()
    if tag.until == until:
        return tag, False
    ended = ended_tag(tag, until)
    await uow.needs_tags.update(ended)
    uow.record(NeedsTagRemoved(ended, household))
    return ended, True
