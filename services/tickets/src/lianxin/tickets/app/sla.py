"""SLA policies (时限): how many working days each step may take, per kind / category /
urgency; the most specific matching policy governs a ticket (domain/sla.py lists the
defaults). A change applies to deadlines set from then on, and to deadlines recomputed after a
calendar change."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from lianxin.kit.ids import uuid7
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.ports import UnitOfWork
from lianxin.tickets.domain.errors import NotFound, OutOfScope
from lianxin.tickets.domain.sla import (
    DEFAULT_POLICY,
    InvalidPolicy,
    SlaPolicy,
    SupervisionNotice,
    check_policy,
    is_default,
)
from lianxin.tickets.domain.ticket import Kind, Urgency

POLICY_ROLES = ("supervisor", "admin", "system")


@dataclass(frozen=True, slots=True)
class SetSlaPolicy:
    """Create or replace the policy for (kind, category, urgency); all three None is the
    default policy."""

    kind: Kind | None = None
    category: str | None = None
    urgency: Urgency | None = None
    accept_days: int = DEFAULT_POLICY.accept_days
    handle_days: int = DEFAULT_POLICY.handle_days
    feedback_days: int = DEFAULT_POLICY.feedback_days
    rating_days: int = DEFAULT_POLICY.rating_days
    due_soon_hours: int = DEFAULT_POLICY.due_soon_hours
    escalate_after_days: int = DEFAULT_POLICY.escalate_after_days
    escalate_on_overdue: bool = DEFAULT_POLICY.escalate_on_overdue


@dataclass(frozen=True, slots=True)
class DeleteSlaPolicy:
    id: uuid.UUID


def _require_role(actor: Actor) -> None:
    if actor.role not in POLICY_ROLES:
        raise OutOfScope("only supervisors and admins may change SLA policies", field="id")


async def sla_policies(uow: UnitOfWork) -> list[SlaPolicy]:
    """Every policy, the default first."""
    async with uow:
        return await uow.sla_policies.all()


async def set_sla_policy(cmd: SetSlaPolicy, uow: UnitOfWork, actor: Actor) -> SlaPolicy:
    """Upsert on (kind, category, urgency): an existing policy keeps its id."""
    _require_role(actor)
    code = cmd.category.strip() if cmd.category is not None else None
    if code == "":
        raise InvalidPolicy("category must be a category code such as water.supply, or "
                            "left out for any category", field="category")
    policy = check_policy(SlaPolicy(
        id=uuid7(), kind=cmd.kind, category=code, urgency=cmd.urgency,
        accept_days=cmd.accept_days, handle_days=cmd.handle_days,
        feedback_days=cmd.feedback_days, rating_days=cmd.rating_days,
        due_soon_hours=cmd.due_soon_hours, escalate_after_days=cmd.escalate_after_days,
        escalate_on_overdue=cmd.escalate_on_overdue))
    async with uow:
        if code is not None and not await uow.sla_policies.category_exists(code):
            raise InvalidPolicy(f"category {code!r} does not exist; use a code from the "
                                "categories list (e.g. water or water.supply)",
                                field="category")
        saved = await uow.sla_policies.upsert(policy, actor.subject)
        await uow.commit()
    return saved


async def delete_sla_policy(cmd: DeleteSlaPolicy, uow: UnitOfWork, actor: Actor) -> SlaPolicy:
    """Delete a specific policy; its tickets fall back to the next most specific one."""
    _require_role(actor)
    async with uow:
        deleted = await uow.sla_policies.delete(cmd.id)
        if deleted is None:
            raise NotFound(f"SLA policy {cmd.id} does not exist", field="id")
        if is_default(deleted):
            raise InvalidPolicy("the default policy cannot be deleted; change its values with "
                                "setSlaPolicy instead", field="id")
        await uow.commit()
    return deleted


async def supervision_notices(uow: UnitOfWork, actor: Actor, unit_id: uuid.UUID, open_only: bool,
                              after: tuple[dt.datetime, uuid.UUID] | None,
                              limit: int) -> list[SupervisionNotice]:
    """Notices supervised at the org unit or below (督办 it must follow up), newest first;
    notices of stability-risk tickets only for the cleared."""
    async with uow:
        unit = await uow.org_units.get(unit_id)
        if unit is None:
            raise NotFound(f"org unit {unit_id} is unknown", field="orgUnitId")
        actor.require_at(unit.path, f"org unit {unit.name}")
        return await uow.notices.under(unit_id, open_only, actor.cleared, after, limit)
