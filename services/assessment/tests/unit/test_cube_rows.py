"""`changed_rows` names exactly the rows `deltas` changes (its cheap path: one point moved),
also when points move and rows net to zero; `columns` turns rows into unnest parameters."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from lianxin.assessment.adapters.unnest import columns
from lianxin.assessment.domain.cubes import Contribution, Point, changed_rows, deltas

COUNTY, TOWN, VILLAGE = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
DAY = dt.date(2026, 9, 1)


def rows_of(old: list[Contribution], new: list[Contribution]) -> set[tuple[str, object]]:
    return {(cube, key) for cube, rows in deltas(old, new).items() for key in rows}


def test_one_point_moved_changes_its_rows_in_every_cube() -> None:
    here = Point((COUNTY, TOWN, VILLAGE), DAY, category="water", department_id=uuid.UUID(int=9),
                 cadre_id=uuid.UUID(int=8))
    old: list[Contribution] = [(here, {"submitted": 1.0})]
    new: list[Contribution] = [(here, {"submitted": 1.0, "resolved": 1.0})]
    found = changed_rows(old, new)
    assert set(found) == rows_of(old, new) and len(found) == len(set(found)) == 3 + 3 + 3 + 1 + 1
    assert changed_rows(old, old) == [] == changed_rows([], [])


def test_rows_that_net_to_zero_are_not_changed() -> None:
    # The lead department changes: unit cubes' rows (no department in their key) net to zero.
    a = Point((COUNTY, TOWN), DAY, department_id=uuid.UUID(int=9))
    b = Point((COUNTY, TOWN), DAY, department_id=uuid.UUID(int=10))
    old: list[Contribution] = [(a, {"submitted": 1.0})]
    new: list[Contribution] = [(b, {"submitted": 1.0})]
    assert set(changed_rows(old, new)) == rows_of(old, new)
    assert {cube for cube, _ in changed_rows(old, new)} == {"detail_day", "department_day"}


def test_any_change_names_the_rows_deltas_holds() -> None:
    rng = random.Random(8)
    units = [uuid.UUID(int=i) for i in range(1, 6)]
    for _ in range(300):
        def contributions() -> list[Contribution]:
            out: list[Contribution] = []
            for _ in range(rng.randint(0, 3)):
                point = Point(tuple(units[:rng.randint(1, 3)]), DAY + dt.timedelta(rng.randint(0, 1)),
                              category=rng.choice(["a", "b"]),
                              department_id=rng.choice([None, units[3]]),
                              cadre_id=rng.choice([None, units[4]]))
                out.append((point, {rng.choice(["submitted", "resolved"]): 1.0}))
            return out
        old, new = contributions(), contributions()
        assert sorted(map(repr, changed_rows(old, new))) == sorted(map(repr, rows_of(old, new)))


def test_columns_transposes_rows() -> None:
    assert columns(("a", "b"), [(1, "x"), (2, "y")]) == {"a": [1, 2], "b": ["x", "y"]}
    assert columns(("a", "b"), []) == {"a": [], "b": []}


def test_one_place_of_the_list_changing_is_the_rows_of_its_point() -> None:
    here = Point((COUNTY, TOWN), DAY, department_id=uuid.UUID(int=9))
    same = Point((COUNTY, TOWN), DAY, department_id=uuid.UUID(int=9))   # equal, another place
    old: list[Contribution] = [(here, {"submitted": 1.0}), (same, {"assignments": 1.0})]
    moved: list[Contribution] = [(here, {"submitted": 1.0}), (same, {"assignments": 1.0,
                                                                    "returned": 1.0})]
    assert set(changed_rows(old, moved)) == rows_of(old, moved) != set()
    nothing: list[Contribution] = [(here, {"submitted": 1.0}), (same, {"assignments": 1.0,
                                                                      "returned": 0.0})]
    assert changed_rows(old, nothing) == [] and rows_of(old, nothing) == set()


def test_cube_rows_are_written_in_their_own_order() -> None:
    from lianxin.assessment.adapters.projection_repo import _row_order
    from lianxin.assessment.domain.cubes import CUBES

    rng = random.Random(3)
    for cube in CUBES:
        keys = {k for _ in range(200) for k in cube.keys(Point(
            tuple(uuid.UUID(int=rng.getrandbits(128)) for _ in range(rng.randint(1, 3))),
            DAY + dt.timedelta(rng.randint(0, 40)), category=rng.choice(["a", "b"]),
            department_id=uuid.UUID(int=rng.getrandbits(128)),
            cadre_id=uuid.UUID(int=rng.getrandbits(128))))}
        assert sorted(keys, key=_row_order(cube)) == sorted(keys)
