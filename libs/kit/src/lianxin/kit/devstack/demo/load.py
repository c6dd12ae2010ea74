"""Loading the demo county through the public GraphQL API, as a client would.

Mutations go in batches: up to `BATCH` aliased mutation fields per HTTP request. GraphQL runs
the root fields of a mutation one after another, in order, so a unit created earlier in the
same request is there for the ones after it. Independent parts (the families of different
villages, the visits, the tickets) go as parallel streams, wave after wave (`DemoCounty.waves`).
The argument and result types are read once by introspection, so the loader needs no copy of
the input type names and says clearly when the API lacks a mutation the demo uses.

Ids the API chooses (a whistle's) reach later ops of a stream through `Kept`: the op that keeps
an answer ends its request, and the ops after it are sent with the value filled in. The tickets
service learns the org tree from people's events, asynchronously: a request the API answers
with an org unit it does not know yet is sent again for up to `UNKNOWN_UNIT_WAIT` seconds
(everything in it is idempotent: fixed ids, fixed request ids).
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any

from lianxin.kit.devstack.demo.county import DemoCounty, Kept, Op, build_county

BATCH = 50    # mutations per HTTP request
STREAMS = 4   # requests in flight at once (independent parts of a wave)
UNKNOWN_UNIT_WAIT = 20.0  # seconds to wait for the tickets service to learn an org unit
# Codes of a busy stack (gateway timeout, load shed): the batch is sent again, up to this often.
BUSY_CODES = frozenset({"GATEWAY_TIMEOUT", "OVERLOADED"})
BUSY_RETRIES = 5
# The query that reads back what each mutation creates (for the already-loaded check).
_QUERY_OF = {"createOrgUnit": "orgUnit", "registerHousehold": "household",
             "registerResident": "resident", "registerCadre": "cadre",
             "createCampaign": "campaign", "createPairing": "pairing", "logVisit": "visit",
             "submitTicket": "ticket"}
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))

_TYPE = ("kind name possibleTypes { name } ofType { kind name possibleTypes { name } "
         "ofType { kind name ofType { kind name } } }")
INTROSPECT = f"""query DemoMutations {{
  __schema {{ mutationType {{ fields {{ name args {{ name type {{ {_TYPE} }} }} type {{ {_TYPE} }} }} }} }}
  userError: __type(name: "UserError") {{ possibleTypes {{ name }} }}
}}"""


class DemoLoadError(RuntimeError):
    """The API refused part of the demo; the message quotes its errors and the failed input."""


class _Busy(DemoLoadError):
    """The gateway timed out or an API shed the request: worth sending again."""


class _UnitNotKnownYet(DemoLoadError):
    """The tickets service does not know an org unit (yet): its events may be in flight."""


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
                f"visits, {c['tickets']} tickets ({c['ticket_steps']} workflow steps) ({how})")


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
        kept: dict[str, Any] = {}  # answers of ops with `keep`, for later ops of the stream
        for ops in _requests(stream, batch):
            if failed.is_set():  # another stream failed: stop at a batch boundary
                break
            try:
                sent += _send_when_known(graphql_url, token, ops, fields, kept)
            except BaseException:
                failed.set()
                raise
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
    """Whether the last op of every stream of `wave` (the final one) has its entity stored.
    False when one of them creates nothing to read back (a workflow step)."""
    lasts = [stream[-1] for stream in wave if stream]
    if not lasts or any(op.field not in _QUERY_OF for op in lasts):
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


def _requests(stream: list[Op], batch: int) -> Iterator[list[Op]]:
    """The stream in requests of up to `batch` ops; an op that needs a value kept by an op of
    the request being built starts the next request (the answer must be back first)."""
    ops: list[Op] = []
    keeping: set[str] = set()
    for op in stream:
        if len(ops) == batch or _kept_names(op.input) & keeping:
            yield ops
            ops, keeping = [], set()
        ops.append(op)
        if op.keep:
            keeping.add(op.keep)
    if ops:
        yield ops


def _kept_names(value: Any) -> set[str]:
    if isinstance(value, Kept):
        return {value.name}
    if isinstance(value, dict):
        return set().union(*map(_kept_names, value.values()))
    if isinstance(value, list):
        return set().union(*map(_kept_names, value))
    return set()


def _filled(value: Any, kept: dict[str, Any], op: Op) -> Any:
    """`value` with every `Kept` replaced by the value it names."""
    if isinstance(value, dict):
        return {k: _filled(v, kept, op) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, kept, op) for v in value]
    if not isinstance(value, Kept):
        return value
    found = kept.get(value.name)
    for step in value.path:
        key, _, wanted = step.partition("=")
        if isinstance(found, list):
            found = next((item for item in found if str(item.get(key)) == wanted), None)
        elif isinstance(found, dict):
            found = found.get(key)
    if found is None or isinstance(found, dict | list):
        raise DemoLoadError(f"could not load {op.label}: no {'/'.join(value.path)} in the "
                            f"answer kept as {value.name} ({kept.get(value.name)!r})")
    return found


def _send_when_known(url: str, token: str, ops: list[Op], fields: dict[str, _Field],
                     kept: dict[str, Any]) -> int:
    """`_send`, again while the API answers that an org unit is not known (yet) — for up to
    UNKNOWN_UNIT_WAIT seconds — or that it is busy (a slow machine: every demo mutation can be
    sent twice, so a batch that timed out is simply sent again, BUSY_RETRIES times at most);
    the number of requests it took."""
    give_up = time.monotonic() + UNKNOWN_UNIT_WAIT
    requests, busy = 1, 0
    while True:
        try:
            _send(url, token, ops, fields, kept)
            return requests
        except _UnitNotKnownYet:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.5)
        except _Busy:
            busy += 1
            if busy > BUSY_RETRIES:
                raise
            time.sleep(min(8.0, 0.5 * 2 ** busy))
        requests += 1


def _send(url: str, token: str, ops: Sequence[Op], fields: dict[str, _Field],
          kept: dict[str, Any]) -> None:
    """One request with a field per op, aliased m0, m1, …; raise on the first failure. The
    answers of ops with `keep` go into `kept`."""
    ops = [replace(op, input=_filled(op.input, kept, op)) for op in ops]
    declarations, selections, variables = [], [], {}
    for i, op in enumerate(ops):
        f = fields[op.field]
        declarations.append(f"$v{i}: {f.arg_type}")
        on_error = " ... on UserError { code message field }" if f.may_fail else ""
        read = f" {op.answer}" if op.answer else ""
        selections.append(f"  m{i}: {op.field}({f.arg}: $v{i}) {{ __typename{on_error}{read} }}")
        variables[f"v{i}"] = {k: v for k, v in op.input.items() if v is not None}
    query = f"mutation DemoLoad({', '.join(declarations)}) {{\n" + "\n".join(selections) + "\n}"
    result = post_graphql(url, query, variables, token)
    codes = {str((e.get("extensions") or {}).get("code")) for e in result.get("errors") or []}
    if busy := codes & BUSY_CODES:
        raise _Busy(f"the API is busy ({', '.join(sorted(busy))})")
    data = result.get("data") or {}
    for i, op in enumerate(ops):
        answer = data.get(f"m{i}")
        if answer is None:
            raise DemoLoadError(f"could not load {op.label}: {_problems(result, i)}; "
                                f"input: {_quote(op)}")
        if answer["__typename"] not in fields[op.field].successes:
            code = answer.get("code")
            hint = (" — the data folder may hold an older demo; `make clean` starts afresh"
                    if code == "CONFLICT" else "")
            error = _UnitNotKnownYet if code == "UNKNOWN_ORG_UNIT" else DemoLoadError
            raise error(
                f"could not load {op.label}: {answer['__typename']} {code}: "
                f"{answer.get('message')} (field {answer.get('field')}); input: {_quote(op)}{hint}")
        if op.keep:
            kept[op.keep] = answer


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
