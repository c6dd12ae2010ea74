"""What counts as a leak in an answer, for one viewer. Every object and every string of the
answer is walked, so a leak is found wherever the schema puts it (a nested list, a path of ids,
a CSV export), not only where a test author thought to look:

- territory: an entity of another township or village than the viewer's scope — an object with
  any field besides `__typename`/`id` (a bare reference is an opaque id, not data), or its id
  inside another value (`orgUnitId`, `path`, `contact.householdId`, CSV text);
- resident: any ticket, register record, pairing or visit that is not the resident's own;
- stability risk (涉稳): such a ticket at all, for a viewer not cleared for it, or a value naming
  the kind or ledger (a figure grouped by it: "1 stability risk in 芒坝村" is the item); the
  requester of a confidential ticket (`Ticket.contact`), likewise;
- personal data: for analysts and screens, a field of PERSONAL in clear (cases.PERSONAL)."""

from __future__ import annotations

import re
from typing import Any

from authz_cases import NO_PERSONAL_ROLES, PERSONAL, Viewer
from authz_schema import typed_objects, walk
from authz_world import PERSONAL_KINDS, World

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def carries(value: Any) -> bool:
    """Whether a value says anything: not a bare reference (`__typename`, `id`), an empty list,
    a zero count or a false flag (an empty connection of another township's unit is no leak)."""
    if isinstance(value, dict):
        return any(carries(v) for k, v in value.items() if k not in ("__typename", "id"))
    if isinstance(value, list):
        return any(carries(v) for v in value)
    return bool(value)


class Judge:
    """Leaks in answers given to `viewer`."""

    def __init__(self, world: World, viewer: Viewer) -> None:
        self.world, self.viewer = world, viewer
        roots = viewer.org_scope(world)
        self.territory = world.territory(world.homes[roots[0]].path) if roots else None

    def foreign(self, entity_id: str) -> str | None:
        """Why the viewer may not have this entity, or None."""
        home = self.world.homes.get(entity_id)
        if home is None:
            return None
        if self.viewer.role == "resident":
            if home.kind in PERSONAL_KINDS and entity_id not in self.world.own:
                return f"another resident's {home.kind}"
            return None
        if entity_id in self.world.sensitive and not self.viewer.cleared:
            return "a stability-risk ticket (涉稳) without clearance"
        if self.territory and any(
            a != b for a, b in zip(self.territory, self.world.territory(home.path), strict=False)
        ):
            return f"a {home.kind} outside the org scope"
        return None

    def leaks(self, answer: dict[str, Any]) -> list[str]:
        data = answer.get("data")
        found: list[str] = []
        for path, obj in typed_objects(data):
            found += self._object(path, obj)
        for path, value in walk(data):
            if isinstance(value, str) and "STABILITY_RISK" in value.upper() and not self.viewer.cleared:
                found.append(f"{path}: names stability-risk items (涉稳) without clearance")
            if isinstance(value, str) and not path.endswith(".id"):
                found += [
                    f"{path}: mentions {why} ({m})" for m in UUID.findall(value) if (why := self.foreign(m))
                ]
        return found

    def _object(self, path: str, obj: dict[str, Any]) -> list[str]:
        found = []
        oid = obj.get("id")
        if isinstance(oid, str) and carries(obj) and (why := self.foreign(oid)):
            found.append(f"{path}: {obj['__typename']} {oid} is {why}")
        if (
            obj["__typename"] == "Ticket"
            and oid in self.world.confidential
            and obj.get("contact") is not None
            and not self.viewer.cleared
        ):
            found.append(f"{path}.contact: the requester of confidential ticket {oid}")
        if self.viewer.role in NO_PERSONAL_ROLES:
            for (typename, field), rule in PERSONAL.items():
                value = obj.get(field) if obj["__typename"] == typename else None
                if value in (None, []) or (rule == "masked" and "*" in str(value)):
                    continue
                found.append(f"{path}.{field}: personal data {value!r} shown to a {self.viewer.role}")
        return found
