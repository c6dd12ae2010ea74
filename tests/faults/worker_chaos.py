"""Several `work` processes of one service side by side (a double start) and a chaos loop that
SIGKILLs one of them every few hundred milliseconds — preferably one caught inside a database
transaction — and starts it again, never killing the last one running.

Which process is inside a transaction is read from PostgreSQL: pg_stat_activity gives each
backend's state, last statement and client port; the port belongs to one of our processes
(psutil lists their sockets). A kill therefore lands in the middle of the work, not only
between sweeps or during start-up.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import asyncpg
import psutil
from lianxin.kit.devstack.processes import ManagedProcess
from lianxin.kit.devstack.services import work_process
from lianxin.kit.devstack.stack import DevStack


def workers(stack: DevStack, service: str, count: int, env: Mapping[str, str]) -> list[ManagedProcess]:
    """`count` work processes of `service` with extra settings `env`, not started: the first
    replaces the stack's own (same name and log, so stack.kill/restart reach it), the others
    log to <service>.work-<n>.log. The caller puts the stack's own back with
    stack.restart(f"{service}.work")."""
    full_env = {**stack.env(service), **env}
    return [work_process(service, full_env, stack.logs_dir, str(n) if n > 1 else None)
            for n in range(1, count + 1)]


@dataclass
class Chaos:
    """Kills one of `procs` at a time; `kinds` tells a transaction's work by its last statement
    (first match wins; else "transaction (<its first word>)")."""

    procs: list[ManagedProcess]
    application_name: str
    kinds: Mapping[str, tuple[str, ...]]
    db_port: int
    rng: random.Random
    kills: Counter[str] = field(default_factory=Counter)

    @staticmethod
    def _ports(proc: ManagedProcess, remote: bool = False) -> set[int]:
        """The process's connected TCP ports: its own, or the ones it is connected to."""
        try:
            conns = psutil.Process(proc.pid).net_connections("tcp")
        except (psutil.Error, TypeError, ValueError):  # not running (pid None) or gone meanwhile
            return set()
        return {c.raddr.port if remote else c.laddr.port for c in conns if c.raddr}

    async def warm(self, within_s: float = 120.0) -> None:
        """Start every process and wait until each holds a database connection (past its
        imports, at work)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + within_s
        for proc in self.procs:
            proc.start()
        while len(self._working()) < len(self.procs):
            if loop.time() > end:
                raise TimeoutError(f"{[p.name for p in self.procs]} not connected after {within_s:.0f}s")
            for proc in self.procs:
                proc.start()  # one that died by itself
            await asyncio.sleep(0.2)

    async def _busy(
        self, db: asyncpg.Connection, alive: list[ManagedProcess]
    ) -> list[tuple[ManagedProcess, str]]:
        rows = await db.fetch(
            "SELECT client_port, query FROM pg_stat_activity WHERE application_name = $1 "
            "AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid()",
            self.application_name,
        )
        doing = {r["client_port"]: r["query"] for r in rows}
        found = []
        for proc in alive:
            found += [(proc, doing[port]) for port in self._ports(proc) & doing.keys()]
        return found

    def _kind(self, query: str) -> str:
        first = query.split(maxsplit=1)[0].upper() if query.strip() else "?"
        return next(
            (k for k, words in self.kinds.items() if any(w in query for w in words)), f"transaction ({first})"
        )

    def _working(self) -> list[ManagedProcess]:
        """The processes past their start-up: connected to the database."""
        return [p for p in self.procs if self.db_port in self._ports(p, remote=True)]

    async def run(self, db: asyncpg.Connection, seconds: float, done: Callable[[], Awaitable[bool]]) -> None:
        """For up to `seconds`, until `done()`: every 0.15–0.6 s SIGKILL one process at work,
        never the last one — one inside a transaction if there is one within half a second,
        else any — and start it again at once. Start-ups are spared: a process killed while it
        imports tells nothing and slows the machine for the others."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        due = checked = loop.time()
        while loop.time() < end:
            await asyncio.sleep(0.03)
            now = loop.time()
            if now - checked > 0.5:
                checked = now
                if await done():
                    break
            if now < due:
                continue
            working = self._working()
            if len(working) < 2:
                continue
            busy = await self._busy(db, working)
            if busy:
                victim, query = self.rng.choice(busy)
                kind = self._kind(query)
            elif now > due + 0.5:
                victim, kind = self.rng.choice(working), "between transactions"
            else:
                continue
            victim.kill()
            victim.start()
            self.kills[kind] += 1
            due = now + self.rng.uniform(0.15, 0.6)
