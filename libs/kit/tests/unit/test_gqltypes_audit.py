"""Typed mutation errors, cursor pages and the unmask permission check."""

from __future__ import annotations

import uuid

import pytest
from lianxin.kit.audit import PII_PERMISSION, check_unmask
from lianxin.kit.auth import Principal
from lianxin.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianxin.kit.gqltypes import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    as_result,
    check_first,
    decode_cursor,
    decode_keyset,
    encode_cursor,
    page,
)


async def _fail(exc: Exception) -> int:
    raise exc


@pytest.mark.parametrize(("exc", "typ"), [(InvalidInput("bad", field="phone"), InvalidInputError),
                                          (NotFound("gone", field="id"), NotFoundError),
                                          (Conflict("used", field="id"), ConflictError)])
async def test_expected_failures_become_typed_errors(exc: Exception, typ: type) -> None:
    result = await as_result(_fail(exc), str)
    assert isinstance(result, typ) and result.field == exc.details["field"]  # type: ignore[attr-defined]


async def test_caller_failures_stay_graphql_errors() -> None:
    with pytest.raises(Forbidden):
        await as_result(_fail(Forbidden("no")), str)


async def _ok() -> int:
    return 7


async def test_success_is_wrapped() -> None:
    assert await as_result(_ok(), lambda n: n * 2) == 14


def test_pages_report_whether_more_follow_and_cursors_round_trip() -> None:
    rows = [("张三", 1), ("李四", 2), ("王五", 3)]
    conn = page(rows, 2, key=lambda r: [r[0], r[1]], node=lambda r: r[0])
    assert [e.node for e in conn.edges] == ["张三", "李四"] and conn.page_info.has_next_page
    assert decode_cursor(conn.page_info.end_cursor) == ["李四", 2]
    last = page(rows[2:], 2, key=lambda r: [r[1]], node=lambda r: r[0])
    assert not last.page_info.has_next_page and decode_cursor(encode_cursor([3])) == [3]


@pytest.mark.parametrize("cursor", ["%%%", encode_cursor([1])[:-3] + "!!!", "eyJhIjoxfQ=="])
def test_tampered_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidInput, match="cursor"):
        decode_cursor(cursor)


@pytest.mark.parametrize("first", [0, 101, -1])
def test_page_size_is_bounded(first: int) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 100"):
        check_first(first)


def test_unmasking_needs_the_permission_and_a_reason() -> None:
    cadre = Principal("c1", "cadre", ("t1",))
    allowed = Principal("c2", "cadre", ("t1",), frozenset({PII_PERMISSION}))
    with pytest.raises(Forbidden, match="pii:read"):
        check_unmask(cadre, "回访")
    with pytest.raises(InvalidInput, match="reason"):
        check_unmask(allowed, "   ")
    assert check_unmask(allowed, " 回访  核实 ") == "回访 核实"
    assert check_unmask(Principal("a", "admin"), "审计") == "审计"


def test_keyset_cursors_carry_a_sort_value_and_a_row_id() -> None:
    row_id = "0193f3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"
    assert decode_keyset(encode_cursor(["GN-001", row_id]), str) == ("GN-001", uuid.UUID(row_id))
    assert decode_keyset(None, str) is None
    for wrong in (["GN-001"], ["GN-001", "not-an-id"], ["x", row_id, "extra"]):
        with pytest.raises(InvalidInput, match="cursor"):
            decode_keyset(encode_cursor(wrong), str)
