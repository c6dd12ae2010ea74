"""A small county in people.v1 events, for the coverage and vanguard tests: the org tree,
households, cadres, one campaign, pairings and visits — fed through `apply_people_event`.

Campaign K (county, 2026-03-01…05-31, SECTION quota 2, target 0.8, no cadre list) —
expected figures (county subtree): 5 households registered (H1–H5), 3 visited in the dates
(H1 by A; H2, H3 by B with A joining); cadres taking part A, B, C (pairings under K; D has
none); A meets both quotas (2 of 2 paired, both visited by A), B misses the pairing quota (2 of
3: staff default) but visited H3, C has no active pairing (P5 ended) and nothing to visit;
active pairings of A, B, C: P1–P4, cards on P1, P3, P4.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from google.protobuf.message import Message
from lianxin.assessment.adapters.uow import AssessmentUnitOfWork
from lianxin.assessment.app.people_projection import apply_people_event, apply_people_events
from lianxin.events.v1 import people_pb2 as pb
from lianxin.events.v1.envelope_pb2 import Envelope
from lianxin.kit.auth import SYSTEM
from lianxin.kit.db import make_sessions
from lianxin.kit.envelope import PendingEvent, wrap
from sqlalchemy.ext.asyncio import AsyncEngine


def uid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


COUNTY, TOWN, OTHER_TOWN, VILLAGE, OTHER_VILLAGE = uid(1), uid(2), uid(3), uid(4), uid(5)
H1, H2, H3, H4, H5 = (uid(100 + n) for n in range(1, 6))
A, B, C, D = uid(201), uid(202), uid(203), uid(204)
K = uid(300)
P1, P2, P3, P4, P5 = (uid(400 + n) for n in range(1, 6))
V1, V2, V3, V4 = (uid(500 + n) for n in range(1, 5))
SUBJECTS = {A: "cadre-a", B: "cadre-b", C: "cadre-c", D: "cadre-d"}


def s(*ids: uuid.UUID) -> list[str]:
    return [str(i) for i in ids]


def envelope(msg: Message, at: dt.datetime | None = None) -> Envelope:
    return wrap(PendingEvent("people", "x", 1, msg), SYSTEM,
                occurred_at=at or dt.datetime(2026, 3, 1, tzinfo=dt.UTC))


async def feed(engine: AsyncEngine, msgs: Iterable[Message]) -> None:
    """Apply the events in order in one transaction, as a projection batch does (the
    engine may carry a schema_translate_map, as a replay's does)."""
    async with AssessmentUnitOfWork(make_sessions(engine)) as uow:
        for msg in msgs:
            await apply_people_event(uow, envelope(msg), msg)
        await uow.commit()


async def feed_at_once(engine: AsyncEngine, msgs: Iterable[Message]) -> None:
    """Apply the events in one `apply_people_events` call, as a projection batch does."""
    async with AssessmentUnitOfWork(make_sessions(engine)) as uow:
        await apply_people_events(uow, [(envelope(m), m) for m in msgs])
        await uow.commit()


def unit(u: uuid.UUID, parent: uuid.UUID | None, path: list[uuid.UUID], name: str,
         kind: pb.OrgUnitKind) -> pb.OrgUnitCreated:
    return pb.OrgUnitCreated(org_unit_id=str(u), parent_id=str(parent) if parent else "",
                             name=name, kind=kind, path=s(*path))


def tree() -> list[Message]:
    k = pb.OrgUnitKind
    return [
        unit(COUNTY, None, [COUNTY], "澜沧县", k.ORG_UNIT_KIND_COUNTY),
        unit(TOWN, COUNTY, [COUNTY, TOWN], "勐朗镇", k.ORG_UNIT_KIND_TOWNSHIP),
        unit(OTHER_TOWN, COUNTY, [COUNTY, OTHER_TOWN], "糯扎渡镇", k.ORG_UNIT_KIND_TOWNSHIP),
        unit(VILLAGE, TOWN, [COUNTY, TOWN, VILLAGE], "勐滨村", k.ORG_UNIT_KIND_VILLAGE),
        unit(OTHER_VILLAGE, OTHER_TOWN, [COUNTY, OTHER_TOWN, OTHER_VILLAGE], "雅口村",
             k.ORG_UNIT_KIND_VILLAGE),
    ]


PATHS = {COUNTY: [COUNTY], TOWN: [COUNTY, TOWN], OTHER_TOWN: [COUNTY, OTHER_TOWN],
         VILLAGE: [COUNTY, TOWN, VILLAGE], OTHER_VILLAGE: [COUNTY, OTHER_TOWN, OTHER_VILLAGE]}


def household(h: uuid.UUID, place: uuid.UUID) -> pb.HouseholdRegistered:
    return pb.HouseholdRegistered(household_id=str(h), org_unit_id=str(place),
                                  org_path=s(*PATHS[place]), address_masked="勐滨村****",
                                  household_no=f"H-{h.int}")


def cadre(c: uuid.UUID, place: uuid.UUID, rank: pb.CadreRank, party_member: bool = True
          ) -> pb.CadreRegistered:
    return pb.CadreRegistered(cadre_id=str(c), work_unit_id=str(place),
                              org_path=s(*PATHS[place]), rank=rank, party_member=party_member,
                              subject=SUBJECTS[c])


def pairing(p: uuid.UUID, c: uuid.UUID, h: uuid.UUID, place: uuid.UUID,
            campaign: uuid.UUID | None, card: str) -> pb.PairingCreated:
    return pb.PairingCreated(pairing_id=str(p), cadre_id=str(c), household_id=str(h),
                             campaign_id=str(campaign) if campaign else "",
                             org_path=s(*PATHS[place]), started_on="2026-02-01", card_no=card)


def visit(v: uuid.UUID, lead: uuid.UUID, households: list[uuid.UUID], place: uuid.UUID,
          on: str, participants: tuple[uuid.UUID, ...] = ()) -> pb.VisitLogged:
    return pb.VisitLogged(visit_id=str(v), kind=pb.VisitKind.VISIT_KIND_HOME_VISIT,
                          cadre_id=str(lead), participant_cadre_ids=s(*participants),
                          household_ids=s(*households), org_unit_id=str(place),
                          org_path=s(*PATHS[place]), visited_on=on)


def campaign() -> pb.CampaignCreated:
    return pb.CampaignCreated(campaign_id=str(K), name="万名干部进基层", org_unit_id=str(COUNTY),
                              org_path=s(COUNTY), starts_on="2026-03-01", ends_on="2026-05-31",
                              quota_by_rank={"SECTION": 2}, coverage_target=0.8)


def county() -> list[Message]:
    """The whole scenario of the module docstring, in a plausible order."""
    r = pb.CadreRank
    return [
        *tree(),
        household(H1, VILLAGE), household(H2, VILLAGE), household(H3, VILLAGE),
        household(H4, OTHER_VILLAGE), household(H5, TOWN),
        cadre(A, TOWN, r.CADRE_RANK_SECTION), cadre(B, VILLAGE, r.CADRE_RANK_STAFF),
        cadre(C, OTHER_TOWN, r.CADRE_RANK_DIVISION, party_member=False),
        cadre(D, TOWN, r.CADRE_RANK_STAFF),
        campaign(),
        pairing(P1, A, H1, VILLAGE, K, "LX-1"), pairing(P2, A, H2, VILLAGE, K, ""),
        pairing(P3, B, H3, VILLAGE, K, "LX-3"), pairing(P4, B, H2, VILLAGE, None, "LX-4"),
        pairing(P5, C, H4, OTHER_VILLAGE, K, "LX-5"),
        pb.PairingEnded(pairing_id=str(P5), cadre_id=str(C), household_id=str(H4),
                        ended_on="2026-02-15", reason="调岗"),
        visit(V1, A, [H1], VILLAGE, "2026-03-10"),
        visit(V2, B, [H2, H3], VILLAGE, "2026-04-02", participants=(A,)),
        visit(V3, D, [H5], TOWN, "2026-02-20"),
        visit(V4, D, [H4], OTHER_VILLAGE, "2026-06-01"),
    ]
