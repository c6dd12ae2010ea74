"""Hand-written endpoints the GraphQL paths are measured against (issue 8, P1 and P2): plain
FastAPI + asyncpg, one uvicorn worker like each service, answering the same JSON as the
GraphQL operations in bench/p1_p2_reads.py.

    LIANXIN_BENCH_PG=postgresql://postgres@127.0.0.1:PORT LIANXIN_JWT_SECRET=… \\
        .venv/bin/uvicorn --app-dir bench baseline_app:app --port N

- POST /ticket-card {"id"}: the ticket's own fields, with the SQL the tickets subgraph runs
  for `ticket(id)` (the same SELECT of every column by id) — P2, and the P1 one-subgraph read.
- POST /ticket-with-place {"id"}: the ticket, its org unit's name and kind from the people
  database and the unit's ticket count from the assessment database's month cube (the last
  two concurrently, as the gateway fetches them) — P1's read across the three subgraphs.

Each verifies the bearer token (HS256, issuer, audience) and that the ticket lies in the
token's org scope, as the services do; a competent hand-written endpoint would do no less."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import jwt
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

# The tickets subgraph's SELECT for `ticket(id)` (every mapped column, by id).
TICKET_SQL = "SELECT * FROM ticket WHERE ticket.id IN ($1::UUID)"
PLACE_SQL = "SELECT org_unit.name, org_unit.kind, org_unit.path FROM org_unit WHERE org_unit.id = $1"
COUNT_SQL = ("SELECT coalesce(sum(submitted), 0) FROM proj.cube_unit_month "
             "WHERE unit_id IN ($1::UUID) GROUP BY unit_id")
POOL_SIZE = 10  # the services' default pool size (lianxin.kit.settings)
pools: dict[str, asyncpg.Pool] = {}


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    base = os.environ["LIANXIN_BENCH_PG"].rstrip("/")
    for name in ("tickets", "people", "assessment"):
        pools[name] = await asyncpg.create_pool(f"{base}/{name}", min_size=POOL_SIZE,
                                                max_size=POOL_SIZE)
    yield
    for pool in pools.values():
        await pool.close()


app = FastAPI(lifespan=lifespan)
SECRET = os.environ.get("LIANXIN_JWT_SECRET", "")


def claims(request: Request) -> dict[str, Any]:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        raise HTTPException(401, "a bearer token is required")
    try:
        return dict(jwt.decode(auth[7:], SECRET, algorithms=["HS256"], audience="lianxin",
                               issuer="lianxin", options={"require": ["exp", "sub"]}))
    except jwt.PyJWTError as exc:
        raise HTTPException(401, str(exc)) from exc


def in_scope(token: dict[str, Any], path: list[uuid.UUID]) -> bool:
    scope = set(token.get("org_scope") or [])
    return token.get("role") == "admin" or any(str(u) in scope for u in path)


async def ticket_row(token: dict[str, Any], body: dict[str, Any]) -> asyncpg.Record | None:
    row = await pools["tickets"].fetchrow(TICKET_SQL, uuid.UUID(body["id"]))
    return row if row is not None and in_scope(token, row["reach"]) else None


@app.post("/ticket-card")
async def ticket_card(request: Request) -> JSONResponse:
    token = claims(request)
    row = await ticket_row(token, await request.json())
    return JSONResponse({"data": {"ticket": None if row is None else {
        "id": str(row["id"]), "code": row["code"], "status": row["status"].upper(),
        "channel": row["channel"].upper(), "kind": row["kind"].upper(),
        "categoryCode": row["category"], "urgency": row["urgency"].upper(), "text": row["text"],
        "submittedAt": row["submitted_at"].isoformat(), "anonymous": row["anonymous"],
        "imported": row["imported"], "reopenCount": row["reopen_count"]}}})


@app.post("/ticket-with-place")
async def ticket_with_place(request: Request) -> JSONResponse:
    token = claims(request)
    row = await ticket_row(token, await request.json())
    if row is None:
        return JSONResponse({"data": {"ticket": None}})
    unit = row["org_unit_id"]
    place, count = await asyncio.gather(pools["people"].fetchrow(PLACE_SQL, unit),
                                        pools["assessment"].fetchval(COUNT_SQL, unit))
    visible = place is not None and in_scope(token, place["path"])
    return JSONResponse({"data": {"ticket": {
        "id": str(row["id"]), "code": row["code"], "status": row["status"].upper(),
        "text": row["text"], "submittedAt": row["submitted_at"].isoformat(),
        "orgUnit": {"id": str(unit), "name": place["name"] if visible else None,
                    "kind": place["kind"].upper() if visible else None,
                    "ticketCount": int(count or 0)}}}})
