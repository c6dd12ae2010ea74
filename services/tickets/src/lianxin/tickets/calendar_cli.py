"""`lianxin-tickets calendar load [YEAR…]`: load working-day calendars from the installed
`chinese-calendar` into the database (the worker does it for missing years at start; this is
for operators, e.g. right after upgrading the package in November)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from lianxin.kit.db import make_engine, make_sessions
from lianxin.kit.service import ExtraCommand
from lianxin.kit.settings import KitSettings
from lianxin.tickets.adapters.calendar_source import PackageCalendar
from lianxin.tickets.adapters.uow import TicketsUnitOfWork
from lianxin.tickets.app.calendar import load_missing_years, load_year
from lianxin.tickets.domain.calendar import InvalidCalendar


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="calendar_command", required=True)
    load = sub.add_parser("load", help="load years from chinese-calendar; without YEAR, every "
                                       "year it knows that the database lacks")
    load.add_argument("years", nargs="*", type=int, metavar="YEAR")


async def load_years(years: list[int], settings: KitSettings, out: TextIO, err: TextIO) -> int:
    source = PackageCalendar()
    unknown = [y for y in years if y not in source.years_known()]
    if unknown:
        known = source.years_known()
        print(f"lianxin-tickets calendar: chinese-calendar {source.version} knows "
              f"{known[0]}–{known[-1]}, not {', '.join(map(str, unknown))}: set those days by "
              "hand with the setCalendarDay mutation, or upgrade chinese-calendar", file=err)
        return 2
    engine = make_engine(settings.database_url, pool_size=2, application_name="tickets-calendar")
    uow = TicketsUnitOfWork(make_sessions(engine), settings.require_pii())
    try:
        if not years:
            loaded = await load_missing_years(uow, source)
            print(f"loaded {', '.join(map(str, loaded))}" if loaded else
                  "every year chinese-calendar knows is loaded already", file=out)
        for year in years:
            change = await load_year(uow, year, source)
            print(f"{year}: {change.days_changed} days changed, {change.recomputed} open "
                  "tickets' deadlines recomputed", file=out)
    except InvalidCalendar as exc:
        print(f"lianxin-tickets calendar: {exc.message}", file=err)
        return 2
    finally:
        await engine.dispose()
    return 0


def run(args: argparse.Namespace, settings: KitSettings) -> int:
    return asyncio.run(load_years(args.years, settings, sys.stdout, sys.stderr))


CALENDAR = ExtraCommand(help="the working-day calendar: `calendar load [YEAR…]`",
                        configure=configure, run=run)
