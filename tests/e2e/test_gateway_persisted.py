"""Persisted documents (gateway/persisted.mjs, gateway/src/persisted.ts): the mini-program's
operations, clients/miniprogram/*.graphql, ship as gateway/persisted-documents.json, keyed by
the SHA-256 of each file's bytes. A client sends {"documentId": id, "variables": …}. In
production a resident may send nothing else; other roles, and everyone in dev, may also send
documents. An unknown id is refused with PERSISTED_QUERY_NOT_FOUND."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from gateway_support import (
    MANIFEST,
    MINIPROGRAM,
    call,
    persisted,
    production_gateway,  # noqa: F401 (a fixture)
    sign,
    subject,
)
from lianxin.kit.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
GATEWAY = Path(__file__).resolve().parents[2] / "gateway"
UNKNOWN = "0" * 64


def resident(stack: DevStack) -> str:
    return sign(stack.data.secret(), role="resident", sub=subject())


# --- the manifest ---------------------------------------------------------------------------
def test_the_manifest_holds_each_operation_under_the_sha256_of_its_file() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    files = sorted(MINIPROGRAM.glob("*.graphql"))
    assert files, "clients/miniprogram has no operations"
    expected = {}
    for file in files:
        document_id, text = persisted(file.stem)
        expected[document_id] = text
    assert manifest == expected
    assert list(manifest) == sorted(manifest)  # keys sorted: a stable diff
    check = subprocess.run(["node", "persisted.mjs", "--check"], cwd=GATEWAY,
                           capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(("name", "text", "said"), [
    ("Broken", "query Broken { myTickets { nodes { noSuchField } } }\n",
     ("Broken.graphql:1:", 'Cannot query field "noSuchField"')),
    ("Named", "query SomethingElse { categories { code } }\n", ("name it Named, after the file",)),
    ("Two", "query Two { categories { code } }\nquery Three { categories { code } }\n",
     ("holds 2 operations",)),
])
def test_the_generator_refuses_documents_that_would_not_run(
        tmp_path: Path, name: str, text: str, said: tuple[str, ...]) -> None:
    folder = tmp_path / "clients" / "miniprogram"
    folder.mkdir(parents=True)
    (folder / f"{name}.graphql").write_text(text, encoding="utf-8")
    out = tmp_path / "manifest.json"
    done = subprocess.run(["node", "persisted.mjs", "--root", str(tmp_path), "--out", str(out)],
                          cwd=GATEWAY, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert all(part in done.stderr for part in said), done.stderr
    assert not out.exists()


# --- dev: persisted documents and documents alike -----------------------------------------
def test_in_dev_anyone_may_send_either(stack: DevStack) -> None:
    document_id, text = persisted("MyTickets")
    token = resident(stack)
    by_id = call(stack.gateway_url, body={"documentId": document_id, "variables": {"first": 5}},
                 token=token)
    assert "errors" not in by_id.body and by_id.body["data"]["myTickets"]["nodes"] == [], by_id
    by_text = call(stack.gateway_url, text, {"first": 5}, token=token)
    assert by_text.body == by_id.body, by_text
    # GET works too (?documentId=…&variables=…), which caches and retries well on a phone.
    got = httpx.get(stack.gateway_url, params={"documentId": document_id,
                                               "variables": json.dumps({"first": 5})},
                    headers={"authorization": f"Bearer {token}",
                             "accept": "application/json"}, timeout=30)
    assert got.json() == by_id.body, got.text


def test_an_unknown_id_is_refused(stack: DevStack) -> None:
    answer = call(stack.gateway_url, body={"documentId": UNKNOWN}, token=stack.token())
    assert answer.codes == ["PERSISTED_QUERY_NOT_FOUND"], answer
    assert UNKNOWN in answer.messages and "data" not in answer.body


# --- production: residents send persisted documents only --------------------------------
def test_in_production_a_resident_may_send_a_persisted_document(
        stack: DevStack, production_gateway: str) -> None:  # noqa: F811
    document_id, _ = persisted("MyTickets")
    answer = call(production_gateway, body={"documentId": document_id,
                                            "variables": {"first": 5}}, token=resident(stack))
    assert answer.status == 200 and answer.body["data"]["myTickets"]["nodes"] == [], answer


def test_in_production_a_resident_may_not_send_a_document(
        stack: DevStack, production_gateway: str) -> None:  # noqa: F811
    """Not even the text of a persisted one: what counts is how the request names it."""
    _, text = persisted("MyTickets")
    answer = call(production_gateway, text, {"first": 5}, token=resident(stack))
    assert (answer.status, answer.codes) == (403, ["PERSISTED_QUERY_ONLY"]), answer
    assert "documentId" in answer.messages
    staff = call(production_gateway, text, {"first": 5},
                 token=sign(stack.data.secret(), role="cadre", sub=subject()))
    assert staff.status == 200 and "errors" not in staff.body, staff  # other roles may


def test_in_production_an_unknown_id_is_refused(stack: DevStack,
                                                production_gateway: str) -> None:  # noqa: F811
    answer = call(production_gateway, body={"documentId": UNKNOWN}, token=resident(stack))
    assert answer.codes == ["PERSISTED_QUERY_NOT_FOUND"], answer
