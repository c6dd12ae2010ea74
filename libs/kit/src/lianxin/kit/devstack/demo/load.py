"""Loading the demo county through the public GraphQL API, as a client would.

Mutations go in batches: up to `BATCH` aliased mutation fields per HTTP request. GraphQL runs
the root fields of a mutation one after another, in order, so a unit created earlier in the
same request is there for the ones after it. Independent parts (the families of different
villages, the visits) go as parallel streams, wave after wave (`DemoCounty.waves`). The argument
and result types are read once by
introspection, so the loader needs no copy of the input type names and says clearly when the
API lacks a mutation the demo uses.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from lianxin.kit.devstack.demo.county import DemoCounty, Op, build_county

BATCH = 50    # mutations per HTTP request
STREAMS = 4   # requests in flight at once (independent parts of a wave)
# The query that reads back what each mutation creates (for the already-loaded check).
_QUERY_OF = {"createOrgUnit": "orgUnit", "registerHousehold": "household",
             "registerResident": "resident", "registerCadre": "cadre",
             "createCampaign": "campaign", "createPairing": "pairing", "logVisit": "visit"}
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))

_TYPE = ("kind name possibleTypes { name } ofType { kind name possibleTypes { name } "
         "ofType { kind name ofType { kind name } } }")
INTROSPECT = f"""query DemoMutations {{
  __schema {{ mutationType {{ fields {{ name args {{ name type {{ {_TYPE} }} }} type {{ {_TYPE} }} }} }} }}
  userError: __type(name: "UserError") {{ possibleTypes {{ name }} }}
}}"""


class DemoLoadError(RuntimeError):
    """The API refused part of the demo; the message quotes its errors and the failed input."""


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` sent (each entity created, or confirmed when it already existed)."""

    county: str
    counts: dict[str, int]
    requests: int
    seconds: float
    already_loaded: bool = False  # found complete by one query; nothing was sent

    def __str__(self) -> str:
        c = self.counts
        how = "already loaded" if self.already_loaded else f"loaded in {self.seconds:.1f}s"
        return (f"{self.county}: {c['units']} org units, {c['households']} households "
                f"({c['residents']} residents, {c['needs_tags']} needs tags), {c['cadres']} "
                f"cadres, {c['campaigns']} campaigns, {c['pairings']} pairings, {c['visits']} "
                f"visits ({how})")


@dataclass(frozen=True)
class _Field:
    """A Mutation field as introspection describes it."""

    arg: str
    arg_type: str
    successes: frozenset[str]
    may_fail: bool  # whether its result can be a UserError


def post_graphql(url: str, query: str, variables: dict[str, Any], token: str,
                 timeout: float = 60.0) -> dict[str, Any]:
    """POST one GraphQL operation; return the decoded body (errors included, not raised)."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "content-type": "application/json", "accept": "application/json",
        "authorization": f"Bearer {token}"})
    try:
        with _HTTP.open(request, timeout=timeout) as response:
            result: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as err:  # GraphQL over HTTP may answer errors with a 4xx
        raw = err.read()
        try:
            result = json.loads(raw)
        except ValueError:
            raise DemoLoadError(f"{url} answered HTTP {err.code}: {raw[:300]!r}") from None
    except OSError as err:
        raise DemoLoadError(f"could not reach {url}: {err}") from err
    return result


def load_demo(graphql_url: str, token: str, county: DemoCounty | None = None, *,
              batch: int = BATCH, streams: int = STREAMS, force: bool = False) -> DemoSummary:
    """Create (or confirm) every demo entity through `graphql_url` with an admin token.

    When the last entities of the last wave already exist, an earlier load completed (waves run
    one after another, each stream in order) and nothing is sent: a restart costs one query.
    `force` sends everything anyway — each mutation then answers with the stored entity.
    """
    started = time.monotonic()
    county = county or build_county()
    waves = county.waves(streams)
    if not force and _loaded(graphql_url, token, waves[-1]):
        return DemoSummary(county.tree.county.name, county.counts(), 1,
                           time.monotonic() - started, already_loaded=True)
    fields = _mutation_fields(graphql_url, token, {op.field for op in county.ops()})
    failed = threading.Event()

    def run(stream: list[Op]) -> int:
        sent = 0
        for start in range(0, len(stream), batch):
            if failed.is_set():  # another stream failed: stop at a batch boundary
                break
            try:
                _send(graphql_url, token, stream[start:start + batch], fields)
            except BaseException:
                failed.set()
                raise
            sent += 1
        return sent

    requests = 2
    with ThreadPoolExecutor(max_workers=streams, thread_name_prefix="demo") as pool:
        for wave in waves:
            futures = [pool.submit(run, stream) for stream in wave]
            wait(futures)
            for future in futures:
                requests += future.result()  # raises the first stream's DemoLoadError
    return DemoSummary(county.tree.county.name, county.counts(), requests,
                       time.monotonic() - started)


def _loaded(url: str, token: str, wave: list[list[Op]]) -> bool:
    """Whether the last op of every stream of `wave` (the final one) has its entity stored."""
    lasts = [stream[-1] for stream in wave if stream]
    if not lasts:
        return False
    selections = [f"  e{i}: {_QUERY_OF[op.field]}(id: $id{i}) {{ id }}" for i, op in enumerate(lasts)]
    query = (f"query DemoLoaded({', '.join(f'$id{i}: ID!' for i in range(len(lasts)))}) {{\n"
             + "\n".join(selections) + "\n}")
    result = post_graphql(url, query, {f"id{i}": op.input["id"] for i, op in enumerate(lasts)},
                          token)
    data = result.get("data") or {}
    return not result.get("errors") and all(data.get(f"e{i}") for i in range(len(lasts)))


def _mutation_fields(url: str, token: str, needed: set[str]) -> dict[str, _Field]:
    result = post_graphql(url, INTROSPECT, {}, token)
    if result.get("errors") or not result.get("data"):
        raise DemoLoadError(f"could not read the schema of {url}: {_problems(result)}")
    data = result["data"]
    user_errors = {t["name"] for t in (data.get("userError") or {}).get("possibleTypes") or []}
    fields = {}
    for f in (data["__schema"]["mutationType"] or {}).get("fields") or []:
        if f["name"] not in needed or not f["args"]:
            continue
        arg = next((a for a in f["args"] if a["name"] == "input"), f["args"][0])
        result_type = _named(f["type"])
        members = {t["name"] for t in result_type.get("possibleTypes") or []} or {result_type["name"]}
        fields[f["name"]] = _Field(arg["name"], _render(arg["type"]),
                                   frozenset(members - user_errors), bool(members & user_errors))
    missing = sorted(needed - fields.keys())
    if missing:
        raise DemoLoadError(f"{url} has no mutation {', '.join(missing)}: the demo needs them "
                            "(is the gateway's supergraph composed from the current subgraphs?)")
    return fields


def _named(t: dict[str, Any]) -> dict[str, Any]:
    while t.get("ofType"):
        t = t["ofType"]
    return t


def _render(t: dict[str, Any]) -> str:
    if t["kind"] == "NON_NULL":
        return f"{_render(t['ofType'])}!"
    if t["kind"] == "LIST":
        return f"[{_render(t['ofType'])}]"
    return str(t["name"])


def _send(url: str, token: str, ops: Sequence[Op], fields: dict[str, _Field]) -> None:
    """One request with a field per op, aliased m0, m1, …; raise on the first failure."""
    declarations, selections, variables = [], [], {}
    for i, op in enumerate(ops):
        f = fields[op.field]
        declarations.append(f"$v{i}: {f.arg_type}")
        on_error = " ... on UserError { code message field }" if f.may_fail else ""
        selections.append(f"  m{i}: {op.field}({f.arg}: $v{i}) {{ __typename{on_error} }}")
        variables[f"v{i}"] = {k: v for k, v in op.input.items() if v is not None}
    query = f"mutation DemoLoad({', '.join(declarations)}) {{\n" + "\n".join(selections) + "\n}"
    result = post_graphql(url, query, variables, token)
    data = result.get("data") or {}
    for i, op in enumerate(ops):
        answer = data.get(f"m{i}")
        if answer is None:
            raise DemoLoadError(f"could not load {op.label}: {_problems(result, i)}; "
                                f"input: {_quote(op)}")
        if answer["__typename"] not in fields[op.field].successes:
            hint = (" — the data folder may hold an older demo; `make clean` starts afresh"
                    if answer.get("code") == "CONFLICT" else "")
            raise DemoLoadError(
                f"could not load {op.label}: {answer['__typename']} {answer.get('code')}: "
                f"{answer.get('message')} (field {answer.get('field')}); input: {_quote(op)}{hint}")


def _problems(result: dict[str, Any], index: int | None = None) -> str:
    """The GraphQL errors of a response (those of alias m<index> when some name it)."""
    errors = result.get("errors") or []
    if index is not None:
        mine = [e for e in errors if (e.get("path") or [None])[0] == f"m{index}"
                or re.search(rf"\$v{index}\b", e.get("message", ""))]
        errors = mine or errors
    return "; ".join(f"{e.get('message')} ({(e.get('extensions') or {}).get('code', 'no code')})"
                     for e in errors) or "no data and no errors"


def _quote(op: Op) -> str:
    return json.dumps({"mutation": op.field, "input": op.input}, ensure_ascii=False)
