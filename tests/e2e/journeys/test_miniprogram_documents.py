"""The mini-program's persisted documents (clients/miniprogram/*.graphql), without a stack: the
gateway's manifest holds exactly these texts under the ids the journeys compute — the lowercase
hex SHA-256 of each file's bytes, the same rule in Python (journeys.frontends.persisted) and in
gateway/persisted.mjs, which also checks each file against the composed schema."""

from __future__ import annotations

import json
import re

from journeys.frontends import DOCUMENTS, persisted

MANIFEST = DOCUMENTS.parents[1] / "gateway" / "persisted-documents.json"


def test_the_gateway_manifest_holds_the_miniprograms_documents_under_their_ids() -> None:
    files = sorted(DOCUMENTS.glob("*.graphql"))
    ours = dict(persisted(f.stem) for f in files)
    assert {f.stem for f in files} >= {"Categories", "SubmitDemand", "MyTickets", "MyTicket",
                                       "RateTicket"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", i) for i in ours)
    assert MANIFEST.exists(), "no gateway/persisted-documents.json: run `make persisted`"
    assert json.loads(MANIFEST.read_text(encoding="utf-8")) == ours, (
        "gateway/persisted-documents.json is stale: run `make persisted`")
