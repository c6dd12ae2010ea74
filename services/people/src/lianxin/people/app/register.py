"""The register's use cases in one namespace: households (户), residents (群众) and needs tags
(困难群众台账), for callers that use several (`from lianxin.people.app import register as reg`).

They live in app/households.py, residents.py, needs_tags.py and register_queries.py. Each public
`verb_noun(cmd, uow, scope)` is one transaction. The `verb_noun_in` helpers do the same work
inside a unit of work someone else opened and commits (the spreadsheet importer runs a whole
batch of rows in one). `scope` says which org paths the caller may write at (None: anywhere —
the importer and other system callers).
"""

from __future__ import annotations

from lianxin.people.app.common import Scope, StaleEntity, today
from lianxin.people.app.households import (
    ChangeHousehold,
    RegisterHousehold,
    change_household,
    change_household_in,
    register_household,
    register_household_in,
)
from lianxin.people.app.needs_tags import (
    AddNeedsTag,
    EndNeedsTag,
    add_needs_tag,
    add_needs_tag_in,
    end_needs_tag,
    end_needs_tag_in,
)
from lianxin.people.app.register_queries import (
    households_by_id,
    households_in_subtree,
    residents_by_id,
    residents_of_households,
    search_residents,
    tags_of_households,
)
from lianxin.people.app.residents import (
    ChangeResident,
    RegisterResident,
    change_resident,
    change_resident_in,
    register_resident,
    register_resident_in,
)

__all__ = [
    "AddNeedsTag", "ChangeHousehold", "ChangeResident", "EndNeedsTag", "RegisterHousehold",
    "RegisterResident", "Scope", "StaleEntity", "add_needs_tag", "add_needs_tag_in",
    "change_household", "change_household_in", "change_resident", "change_resident_in",
    "end_needs_tag", "end_needs_tag_in", "households_by_id", "households_in_subtree",
    "register_household", "register_household_in", "register_resident", "register_resident_in",
    "residents_by_id", "residents_of_households", "search_residents", "tags_of_households", "today",
]
