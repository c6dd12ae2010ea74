"""`lianxin-assessment replay [--dry-run]`: rebuild every projection from the events of people.v1
and tickets.v1, with a progress bar, and swap the result in atomically (app/replay.py).

For operators after a fix to the projections or a damaged table; the service keeps running
(the live consumer pauses only for the final catch-up and swap). `--dry-run` builds the same
schema and prints, per table, how it differs from the live one, without swapping.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from lianxin.assessment.adapters.bi_views import create_bi_views
from lianxin.assessment.adapters.replay_source import KafkaEventSource
from lianxin.assessment.adapters.replay_store import Project, ReplayBusy, SqlReplayTarget
from lianxin.assessment.adapters.uow import AssessmentUnitOfWork
from lianxin.assessment.app.projection import project
from lianxin.assessment.app.replay import Report, replay
from lianxin.assessment.consumers import GROUP_ID, INTERESTING, TOPICS
from lianxin.kit.db import make_engine
from lianxin.kit.service import ExtraCommand
from lianxin.kit.settings import KitSettings

SHOWN_FAILURES = 50


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true",
                        help="build and compare with the live projections; do not swap")
    parser.add_argument("--max-failures", type=int, default=None, metavar="N",
                        help="do not swap if more than N events fail to apply (default: swap "
                             "anyway — the live consumer dead-letters the same events)")
    parser.add_argument("--batch-size", type=int, default=2000, metavar="N",
                        help="events per transaction (default 2000)")
    parser.add_argument("--topic", action="append", default=None, metavar="NAME",
                        help=f"read this topic (repeatable; default {' and '.join(TOPICS)})")


class ProgressBar:
    """Events done / total and the rate: a redrawn bar on a terminal, a line every few
    seconds otherwise (logs, CI)."""

    def __init__(self, out: TextIO, *, tty: bool | None = None, every_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._out = out
        self._tty = out.isatty() if tty is None else tty
        self._every_s = every_s
        self._clock = clock
        self._start = clock()
        self._last = -every_s
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        now = self._clock()
        self._done = done
        rate = done / max(now - self._start, 1e-6)
        share = done / total if total else 1.0
        if self._tty:
            filled = int(30 * min(share, 1.0))
            self._out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} "
                            f"events {share:6.1%}  {rate:,.0f}/s ")
            self._out.flush()
        elif now - self._last >= self._every_s or done >= total:
            self._last = now
            print(f"replay: {done:,}/{total:,} events ({share:.1%}), {rate:,.0f}/s",
                  file=self._out, flush=True)

    def close(self) -> None:
        if self._tty:
            self._out.write("\n")


def summary(report: Report, out: TextIO) -> None:
    """What the replay did, the events that failed, and a dry run's differences."""
    for f in report.failures[:SHOWN_FAILURES]:
        event = f"{f.event_type} {f.event_id}" if f.event_id else "undecodable record"
        print(f"  failed: {f.where} {event}: {f.error}", file=out)
    if len(report.failures) > SHOWN_FAILURES:
        print(f"  … and {len(report.failures) - SHOWN_FAILURES} more", file=out)
    if report.diffs:
        print(f"{'table':<24}{'live':>12}{'rebuilt':>12}{'only live':>12}{'only rebuilt':>14}",
              file=out)
        for d in report.diffs:
            print(f"{d.table:<24}{d.live:>12,}{d.rebuilt:>12,}{d.only_live:>12,}"
                  f"{d.only_rebuilt:>14,}{'' if d.same else '  ≠'}", file=out)
        changed = sum(not d.same for d in report.diffs)
        print("identical to the live projections" if not changed else
              f"{changed} tables differ (events the live consumer has not reached yet show "
              "as rows only the rebuild has)", file=out)
    outcome = "swapped in as proj" if report.swapped else "compared, not swapped"
    print(f"replayed {report.events:,} events, {len(report.failures)} failed; {outcome}",
          file=out)


async def run_replay(settings: KitSettings, *, dry_run: bool = False,
                     max_failures: int | None = None, batch_size: int = 2000,
                     topics: Sequence[str] = TOPICS, project_fn: Project = project,
                     out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """The command, callable from tests (another topic set, an injected projection)."""
    engine = make_engine(settings.database_url, pool_size=4,
                         application_name="assessment-replay")
    bar = ProgressBar(err)
    try:
        async with KafkaEventSource(settings.kafka_bootstrap, topics, batch_size=batch_size,
                                    live_group=GROUP_ID) as source, \
                SqlReplayTarget(engine, project_fn,
                                lambda sessions: AssessmentUnitOfWork(sessions, lock=False),
                                interested=INTERESTING.__contains__,
                                views=create_bi_views) as target:
            report = await replay(source, target, dry_run=dry_run, max_failures=max_failures,
                                  progress=bar)
    except ReplayBusy as exc:
        print(f"lianxin-assessment replay: {exc}", file=err)
        return 2
    finally:
        bar.close()
        await engine.dispose()
    summary(report, out)
    return 0 if report.swapped or dry_run else 1


def run(args: argparse.Namespace, settings: KitSettings) -> int:
    return asyncio.run(run_replay(settings, dry_run=args.dry_run,
                                  max_failures=args.max_failures, batch_size=args.batch_size,
                                  topics=args.topic or TOPICS))


REPLAY = ExtraCommand(help="rebuild every projection from the events and swap it in "
                           "(`--dry-run` compares instead)", configure=configure, run=run)
