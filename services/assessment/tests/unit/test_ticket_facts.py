"""The fold of a ticket's and a whistle's events and the counters they contribute: on-time
flags, the response judgement, overdue now and ever, reopen, classes, returns, whistle
lateness; any arrival order and duplicates give the in-order fact."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

from lianxin.assessment.adapters.decode import decode
from lianxin.assessment.domain.cubes import EXPLAINED, MERGED, NORMAL, Contribution
from lianxin.assessment.domain.facts import TicketFact, contributions, fold
from lianxin.assessment.domain.whistle_facts import fold_whistle, tasks_contributions
from lianxin.events.v1 import tickets_pb2 as pb

sys.path.insert(0, str(Path(__file__).parents[1]))
from projection_story import (
    CADRE_A,
    CADRE_B,
    HOUSING,
    PATH,
    ROADS,
    TOWN,
    WATER,
    TicketStory,
    WhistleStory,
    china,
)


def decoded(items: Any) -> list[Any]:
    return [e for e in (decode(*i) for i in items) if e]


def folded(story: TicketStory, items: Any = None) -> TicketFact:
    return fold(story.id, decoded(items or story.items))


def by_department(fact: TicketFact) -> tuple[dict[str, float], dict[Any, dict[str, float]]]:
    """The ticket's own counters, and the assignment counters by (department, cadre)."""
    [(_, own), *rest] = contributions(fact)
    return dict(own), {(p.department_id, p.cadre_id): dict(c) for p, c in rest}


def test_a_ticket_handled_on_time_counts_its_response_resolution_and_assignments() -> None:
    s = TicketStory()
    s.submitted(china(2026, 9, 14))
    s.accepted(china(2026, 9, 14, 11), on_time=True)
    lead = s.dispatched(china(2026, 9, 14, 12))
    co = s.dispatched(china(2026, 9, 14, 12), HOUSING, CADRE_B, pb.ASSIGNMENT_ROLE_CO, same=True)
    s.completed(china(2026, 9, 16), co, on_time=False)
    s.resolved(china(2026, 9, 17), on_time=True, days=2.9)
    fact = folded(s)
    own, assignments = by_department(fact)
    assert own == {"submitted": 1, "accept_judged": 1, "accepted_on_time": 1, "resolved": 1,
                   "resolved_on_time": 1, "handling_millidays": 2900, "hist_03": 1}
    assert assignments == {
        (WATER, CADRE_A): {"assignments": 1, "assignments_done": 1, "assignments_on_time": 1},
        (HOUSING, CADRE_B): {"assignments": 1, "assignments_done": 1}}
    [(here, _), *_] = contributions(fact)
    assert (here.org_path, here.day, here.klass, here.department_id, here.cadre_id) == (
        PATH, china(2026, 9, 14).astimezone(china(2026, 1, 1).tzinfo).date(), NORMAL, WATER,
        CADRE_A)
    assert (here.category, here.kind, here.channel, here.ledger) == (
        "water", "demand", "hotline", "livelihood")
    assert lead != co and fact.status == "resolved" and not fact.is_open


def test_the_cohort_is_the_china_date_of_submission() -> None:
    s = TicketStory()
    s.submitted(china(2026, 10, 1, 0, 30))   # 16:30 UTC on 30 September
    [(here, _)] = contributions(folded(s))
    assert str(here.day) == "2026-10-01"


def test_past_the_accept_deadline_unaccepted_judges_the_response_late_once() -> None:
    s = TicketStory()
    s.submitted(china(2026, 9, 14), accept_due=china(2026, 9, 15, 0))
    s.overdue(china(2026, 9, 15, 0), pb.CLOCK_ACCEPT, china(2026, 9, 15, 0))
    own, _ = by_department(folded(s))
    assert own == {"submitted": 1, "accept_judged": 1, "overdue": 1, "open": 1,
                   "overdue_open": 1}
    s.overdue(china(2026, 9, 18), pb.CLOCK_ACCEPT, china(2026, 9, 15, 0), level=2)
    s.accepted(china(2026, 9, 18, 11), on_time=False)
    own, _ = by_department(folded(s))
    assert own == {"submitted": 1, "accept_judged": 1, "overdue": 1, "open": 1}


def test_the_first_acceptance_counts_and_on_the_spot_counts_as_on_time() -> None:
    spot = TicketStory()
    spot.submitted(china(2026, 9, 14))
    spot.resolved(china(2026, 9, 14, 10, 30), days=0.02, on_the_spot=True)
    own, assignments = by_department(folded(spot))
    assert own == {"submitted": 1, "accept_judged": 1, "accepted_on_time": 1, "resolved": 1,
                   "resolved_on_time": 1, "handling_millidays": 20, "hist_00": 1}
    assert assignments == {}
    late = TicketStory()
    late.submitted(china(2026, 9, 14))
    late.accepted(china(2026, 9, 16), on_time=False)
    late.resolved(china(2026, 9, 16, 11), on_the_spot=True)
    own, _ = by_department(folded(late))
    assert (own["accept_judged"], own.get("accepted_on_time", 0)) == (1, 0)


def test_overdue_now_ends_when_the_deadline_moves_or_the_ticket_resolves() -> None:
    s = TicketStory()
    s.submitted(china(2026, 9, 14))
    s.accepted(china(2026, 9, 14, 11), handle_due=china(2026, 9, 20, 0))
    s.dispatched(china(2026, 9, 14, 12), due=china(2026, 9, 20, 0))
    s.overdue(china(2026, 9, 20, 0), pb.CLOCK_HANDLE, china(2026, 9, 20, 0))
    assert folded(s).overdue_now
    s.extended(china(2026, 9, 21), handle_due=china(2026, 9, 25, 0))
    fact = folded(s)
    assert (fact.overdue, fact.overdue_now) == (True, False)
    s.overdue(china(2026, 9, 25, 0), pb.CLOCK_HANDLE, china(2026, 9, 25, 0))
    assert folded(s).overdue_now
    s.resolved(china(2026, 9, 26), on_time=False)
    own, _ = by_department(folded(s))
    assert own["overdue"] == 1 and "overdue_open" not in own and "open" not in own
    # an alarm about a deadline the ticket no longer has (out of date) is overdue, not now
    stale = TicketStory()
    stale.submitted(china(2026, 9, 14))
    stale.accepted(china(2026, 9, 14, 11), handle_due=china(2026, 9, 25, 0))
    stale.overdue(china(2026, 9, 26), pb.CLOCK_HANDLE, china(2026, 9, 20, 0))
    assert (folded(stale).overdue, folded(stale).overdue_now) == (True, False)


def test_a_feedback_alarm_is_no_overdue_ticket() -> None:
    s = TicketStory()
    s.submitted(china(2026, 9, 14))
    s.resolved(china(2026, 9, 14, 11), on_the_spot=True)
    s.overdue(china(2026, 9, 18), pb.CLOCK_FEEDBACK, china(2026, 9, 18, 0))
    assert not folded(s).overdue


def test_reopened_stays_resolved_is_open_again_and_the_latest_figures_count() -> None:
    s = TicketStory()
    s.submitted(china(2026, 9, 14))
    s.accepted(china(2026, 9, 14, 11))
    s.dispatched(china(2026, 9, 14, 12))
    s.resolved(china(2026, 9, 16), days=2.0)
    s.answered(china(2026, 9, 16, 11))
    s.rated(china(2026, 9, 17), pb.SATISFACTION_DISSATISFIED, solved=False)
    s.reopened(china(2026, 9, 17))
    own, assignments = by_department(folded(s))
    assert own == {"submitted": 1, "accept_judged": 1, "accepted_on_time": 1, "resolved": 1,
                   "resolved_on_time": 1, "handling_millidays": 2000, "hist_02": 1, "rated": 1,
                   "reopened": 1, "open": 1}
    assert assignments == {(WATER, CADRE_A): {"assignments": 1}}   # working on it again
    s.resolved(china(2026, 9, 22), on_time=False, days=6.0)
    s.rated(china(2026, 9, 23), pb.SATISFACTION_BASICALLY_SATISFIED)
    s.closed(china(2026, 9, 23))
    own, assignments = by_department(folded(s))
    assert own == {"submitted": 1, "accept_judged": 1, "accepted_on_time": 1, "resolved": 1,
                   "handling_millidays": 6000, "hist_05": 1, "rated": 1, "solved": 1,
                   "satisfied": 1, "reopened": 1}
    assert assignments == {(WATER, CADRE_A): {"assignments": 1, "assignments_done": 1}}


def test_explained_and_merged_tickets_have_their_own_class() -> None:
    s = TicketStory()
    s.submitted(china(2026, 9, 14))
    s.accepted(china(2026, 9, 14, 11))
    s.dispatched(china(2026, 9, 14, 12))
    s.resolved(china(2026, 9, 15), outcome=pb.OUTCOME_EXPLAINED)
    fact = folded(s)
    assert fact.klass == EXPLAINED and fact.lead is not None and fact.lead.department_id == WATER
    _, assignments = by_department(fact)
    assert assignments == {(WATER, CADRE_A): {"assignments": 1}}   # cancelled, not completed
    s.rated(china(2026, 9, 16), pb.SATISFACTION_DISSATISFIED, solved=False)
    s.reopened(china(2026, 9, 16))
    s.resolved(china(2026, 9, 18))
    assert folded(s).klass == NORMAL   # the latest resolution counts
    m = TicketStory()
    m.submitted(china(2026, 9, 14))
    m.merged(china(2026, 9, 14, 12), master=s.id)
    fact = folded(m)
    assert (fact.klass, fact.is_open) == (MERGED, False)
    assert by_department(fact)[0] == {"submitted": 1}


def test_a_returned_dispatch_counts_at_its_department_and_the_reassigned_one_leads() -> None:
    s = TicketStory()
    s.submitted(china(2026, 9, 14))
    s.accepted(china(2026, 9, 14, 11))
    first = s.dispatched(china(2026, 9, 14, 12))
    s.dispatched(china(2026, 9, 14, 12), HOUSING, None, pb.ASSIGNMENT_ROLE_CO, same=True)
    s.returned(china(2026, 9, 15), first)
    assert folded(s).lead is None
    s.dispatched(china(2026, 9, 15, 11), ROADS, CADRE_B)
    fact = folded(s)
    _, assignments = by_department(fact)
    assert fact.lead is not None and fact.lead.department_id == ROADS
    assert assignments == {(WATER, CADRE_A): {"assignments": 1, "returned": 1},
                           (HOUSING, None): {"assignments": 1},
                           (ROADS, CADRE_B): {"assignments": 1}}


def _long_story() -> TicketStory:
    s = TicketStory()
    s.submitted(china(2026, 9, 14), accept_due=china(2026, 9, 15, 0))
    s.overdue(china(2026, 9, 15, 0), pb.CLOCK_ACCEPT, china(2026, 9, 15, 0))
    s.accepted(china(2026, 9, 15, 11), on_time=False)
    first = s.dispatched(china(2026, 9, 15, 12))
    s.returned(china(2026, 9, 16), first)
    s.dispatched(china(2026, 9, 16, 12), ROADS, CADRE_B)
    co = s.dispatched(china(2026, 9, 16, 12), HOUSING, None, pb.ASSIGNMENT_ROLE_CO, same=True)
    s.completed(china(2026, 9, 18), co, on_time=True)
    s.resolved(china(2026, 9, 20), days=4.5, on_time=False)
    s.rated(china(2026, 9, 21), pb.SATISFACTION_DISSATISFIED, solved=False)
    s.reopened(china(2026, 9, 21))
    s.resolved(china(2026, 9, 24), days=7.5)
    s.rated(china(2026, 9, 25))
    s.closed(china(2026, 9, 25))
    return s


def test_any_arrival_order_and_duplicates_give_the_in_order_fact() -> None:
    s = _long_story()
    expected = folded(s)
    rng = random.Random(5)
    for _ in range(30):
        items = s.items + rng.sample(s.items, 3)
        rng.shuffle(items)
        assert folded(s, items) == expected


def _canonical(cs: list[Contribution]) -> list[Any]:
    return sorted(((repr(p), sorted(c.items())) for p, c in cs))


def test_whistle_tasks_count_report_ins_and_lateness_at_the_blower() -> None:
    w = WhistleStory()
    water, housing = w.blown(china(2026, 9, 14), ticket=TicketStory().id,
                             departments=[WATER, HOUSING])
    w.reported(china(2026, 9, 14, 11), water, actor="water-cadre")
    w.reported(china(2026, 9, 14, 13), housing, late=True, actor="housing-cadre")
    w.completed(china(2026, 9, 15), water)
    events = decoded(w.items)
    tasks = fold_whistle(events)
    assert {t.department_id: (t.reported_by, t.late) for t in tasks.values()} == {
        WATER: ("water-cadre", False), HOUSING: ("housing-cadre", True)}
    got = {p.department_id: (p.org_path, c) for p, c in tasks_contributions(tasks.values())}
    assert got == {
        WATER: ((PATH[0], TOWN), {"whistle_tasks": 1, "whistle_reported": 1, "whistle_on_time": 1}),
        HOUSING: ((PATH[0], TOWN), {"whistle_tasks": 1, "whistle_reported": 1})}
    # reported before the whistle was seen: taken in once it is
    assert _canonical(tasks_contributions(fold_whistle(events[::-1]).values())) == \
        _canonical(tasks_contributions(tasks.values()))
