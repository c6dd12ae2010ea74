"""The category taxonomy (问题分类): a tree of dot-separated codes ("water" → "water.supply"),
seeded with the seeds' categories by the migration and extended by admins. A rule or policy on
a category covers its sub-categories too."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from lianxin.tickets.domain.errors import DomainError, InvalidTicket, NotFound

# Lower-case letters, digits and underscores, dot-separated, each segment starting with a letter.
_CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
MAX_CODE_LENGTH = 64
MAX_NAME_LENGTH = 40


class InvalidCategory(DomainError):
    code = "BAD_USER_INPUT"


class CategoryExists(DomainError):
    code = "CONFLICT"


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    parent_code: str | None = None
    position: int = 0
    active: bool = True   # its own flag; see `usable` for the effective one

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


def lineage(code: str) -> tuple[str, ...]:
    """The codes from the root down to `code`: "water.supply" → ("water", "water.supply")."""
    parts = code.split(".")
    return tuple(".".join(parts[:i]) for i in range(1, len(parts) + 1))


def covers(general: str, code: str) -> bool:
    """Whether something set on category `general` applies to `code` (itself or below it)."""
    return code == general or code.startswith(general + ".")


def usable(table: Mapping[str, Category], code: str) -> bool:
    """New tickets may use a category when it and every category above it are active."""
    chain = [table.get(c) for c in lineage(code)]
    return all(c is not None and c.active for c in chain)


def require_usable(table: Mapping[str, Category], code: str, field: str = "category") -> Category:
    """The category for a new ticket, or InvalidTicket saying how to find a valid code."""
    found = table.get(code)
    if found is None:
        raise InvalidTicket(f"category {code!r} is not in the taxonomy; the `categories` query "
                            "lists the codes (e.g. water.supply, road.light)", field=field)
    if not usable(table, code):
        raise InvalidTicket(f"category {code!r} is no longer in use (it or a parent category "
                            "was deactivated); pick an active one from the `categories` query",
                            field=field)
    return found


def _check_name(name: str) -> str:
    if not name.strip():
        raise InvalidCategory("name must not be empty (e.g. 停水 / 供水不足)", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidCategory(f"name must be at most {MAX_NAME_LENGTH} characters, got "
                              f"{len(name)}", field="name")
    return name.strip()


def new_category(table: Mapping[str, Category], code: str, name: str,
                 parent_code: str | None, position: int | None = None) -> Category:
    """A category to add under `parent_code` (None: a new top-level category)."""
    if len(code) > MAX_CODE_LENGTH or not _CODE.fullmatch(code):
        raise InvalidCategory(
            "code must be lower-case letters, digits and underscores, in dot-separated segments "
            f"that start with a letter, at most {MAX_CODE_LENGTH} characters (e.g. water.tank), "
            f"got {code!r}", field="code")
    if code in table:
        raise CategoryExists(f"category {code!r} already exists; use updateCategory to rename "
                             "or deactivate it", field="code")
    if parent_code is None:
        if "." in code:
            raise InvalidCategory(f"{code!r} names a sub-category: give its parent as parentCode "
                                  f"({code.rsplit('.', 1)[0]!r})", field="parentCode")
    else:
        parent = table.get(parent_code)
        if parent is None:
            raise InvalidCategory(f"parent category {parent_code!r} does not exist; the "
                                  "`categories` query lists the codes", field="parentCode")
        if code.rsplit(".", 1)[0] != parent_code:
            raise InvalidCategory(f"a sub-category of {parent_code!r} must have the code "
                                  f"{parent_code}.<segment>, e.g. {parent_code}.other, got "
                                  f"{code!r}", field="code")
    siblings = [c.position for c in table.values() if c.parent_code == parent_code]
    return Category(code=code, name=_check_name(name), parent_code=parent_code,
                    position=position if position is not None else max(siblings, default=-1) + 1)


def change_category(table: Mapping[str, Category], code: str, *, name: str | None = None,
                    active: bool | None = None, position: int | None = None) -> Category:
    """Rename, (de)activate or reorder a category. Deactivating retires its sub-categories
    for new tickets too; existing tickets keep their category."""
    current = table.get(code)
    if current is None:
        raise NotFound(f"category {code!r} does not exist; the `categories` query lists the "
                       "codes", field="code")
    changed = current
    if name is not None:
        changed = replace(changed, name=_check_name(name))
    if position is not None:
        changed = replace(changed, position=position)
    if active is not None:
        if active and current.parent_code is not None and not usable(table, current.parent_code):
            raise InvalidCategory(f"the parent category {current.parent_code!r} is deactivated; "
                                  "activate it first", field="active")
        changed = replace(changed, active=active)
    return changed


def tree_order(table: Mapping[str, Category]) -> list[Category]:
    """Every category, each parent before its children, siblings by position then code."""
    children: dict[str | None, list[Category]] = {}
    for c in table.values():
        children.setdefault(c.parent_code, []).append(c)
    out: list[Category] = []

    def walk(parent: str | None) -> None:
        for c in sorted(children.get(parent, []), key=lambda c: (c.position, c.code)):
            out.append(c)
            walk(c.code)

    walk(None)
    return out
