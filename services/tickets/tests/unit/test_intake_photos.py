"""Photo references on a demand: the mini-program uploads the photos to object storage first
(`wx.cloud.uploadFile` gives a `cloud://` fileID, a county's own store an `https://` URL) and the
ticket keeps only the references — checked, in submission order, part of a retry's content, and
counted (never listed) in TicketSubmitted."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from lianxin.events.v1 import tickets_pb2
from lianxin.tickets.adapters.events import to_pending
from lianxin.tickets.app.common import Actor
from lianxin.tickets.app.intake import SubmitTicket, submit_ticket
from lianxin.tickets.domain.category import Category
from lianxin.tickets.domain.errors import InvalidTicket, TicketIdConflict
from lianxin.tickets.domain.events import TicketSubmitted
from lianxin.tickets.domain.intake import MAX_PHOTO_REF_LENGTH, MAX_PHOTOS, check_photos
from lianxin.tickets.domain.ticket import Channel, OrgUnitRef

COUNTY, TOWN = uuid.UUID(int=1), uuid.UUID(int=2)
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
RESIDENT = Actor(subject=str(uuid.UUID(int=800)), role="resident")
CLOUD = "cloud://prod-1a2b.7072-prod-1a2b-1300000000/tickets/leak.jpg"
HTTPS = "https://files.mojiang.gov.cn/tickets/2026/leak-2.jpg"
PIPE = "cloud://prod-1a2b/tickets/水管.jpg"   # cloud paths may hold Chinese file names


@pytest.fixture
def world(uow: Any) -> Any:
    for unit in (OrgUnitRef(COUNTY, None, "墨江县", "county", (COUNTY,)),
                 OrgUnitRef(TOWN, COUNTY, "联珠镇", "township", (COUNTY, TOWN))):
        uow.org_units.rows[unit.id] = unit
    uow.categories.rows["water"] = Category("water", "供水")
    return uow


def cmd(photos: tuple[str, ...] = (CLOUD, HTTPS), **kw: Any) -> SubmitTicket:
    fields: dict[str, Any] = dict(id=uuid.UUID(int=100), org_unit_id=TOWN,
                                  channel=Channel.MINI_PROGRAM, category="water",
                                  text="水管爆了，照片见附件", photos=photos)
    fields.update(kw)
    return SubmitTicket(**fields)


async def submit(world: Any, command: SubmitTicket, at: dt.datetime = NOW) -> Any:
    return await submit_ticket(command, world, RESIDENT, clock=lambda: at)


# --- the rules ----------------------------------------------------------------------------------
def test_https_urls_and_cloud_file_ids_are_kept_as_given_in_order() -> None:
    assert check_photos([PIPE, HTTPS, CLOUD]) == (PIPE, HTTPS, CLOUD)
    assert check_photos([]) == ()
    # The limits themselves are allowed: nine photos, a reference of exactly the maximum length.
    nine = [f"cloud://env-1/tickets/{i}.jpg" for i in range(MAX_PHOTOS)]
    assert check_photos(nine) == tuple(nine)
    longest = "https://s.cn/" + "a" * (MAX_PHOTO_REF_LENGTH - len("https://s.cn/"))
    assert check_photos([longest]) == (longest,)


@pytest.mark.parametrize(("photos", "field", "hint"), [
    ([f"cloud://env-1/t/{i}.jpg" for i in range(MAX_PHOTOS + 1)], "photos", "at most 9"),
    ([CLOUD, ""], "photos[1]", "empty"),
    (["https://s.cn/" + "a" * MAX_PHOTO_REF_LENGTH], "photos[0]", "at most 1024"),
    (["https://s.cn/my leak.jpg"], "photos[0]", "%20"),
    ([HTTPS + "\n"], "photos[0]", "U+000A"),
    (["https://s.cn/\u200bleak.jpg"], "photos[0]", "U+200B"),
    ([HTTPS, "http://files.mojiang.gov.cn/leak.jpg"], "photos[1]", "https://"),
    (["wxfile://tmp_8f2c.jpg"], "photos[0]", "wx.cloud.uploadFile"),
    (["data:image/jpeg;base64,/9j/4AAQ"], "photos[0]", "upload"),
    (["ftp://s.cn/leak.jpg"], "photos[0]", "cloud://"),
    (["cloud://prod-1a2b"], "photos[0]", "cloud://<env-id>/<path>"),
    (["cloud:///tickets/leak.jpg"], "photos[0]", "cloud://<env-id>/<path>"),
    (["https:///leak.jpg"], "photos[0]", "host"),
    (["https://[fe80::1/leak.jpg"], "photos[0]", "host"),
    (["https://files.mojiang.gov.cn/"], "photos[0]", "names no file"),
    (["https://admin:secret@files.mojiang.gov.cn/leak.jpg"], "photos[0]", "password"),
    ([CLOUD, HTTPS, CLOUD], "photos[2]", "repeats photos[0]"),
])
def test_a_bad_reference_is_named_with_what_to_fix(photos: list[str], field: str,
                                                   hint: str) -> None:
    with pytest.raises(InvalidTicket) as err:
        check_photos(photos)
    assert err.value.code == "BAD_USER_INPUT"
    assert err.value.details["field"] == field
    assert hint in err.value.message
    assert err.value.message.startswith(field)


def test_the_first_bad_reference_is_the_one_reported() -> None:
    with pytest.raises(InvalidTicket) as err:
        check_photos([HTTPS, "http://a.cn/1.jpg", "wxfile://tmp.jpg"])
    assert err.value.details["field"] == "photos[1]"


# --- intake ---------------------------------------------------------------------------------------
async def test_the_ticket_keeps_the_photos_in_submission_order(world: Any) -> None:
    ticket = await submit(world, cmd((HTTPS, CLOUD, PIPE)))
    assert ticket.photos == (HTTPS, CLOUD, PIPE)
    assert world.tickets.rows[ticket.id].photos == (HTTPS, CLOUD, PIPE)
    assert world.committed_events == [TicketSubmitted(ticket)]
    without = await submit(world, cmd((), id=uuid.UUID(int=101)))
    assert without.photos == ()


async def test_a_bad_photo_writes_nothing(world: Any) -> None:
    with pytest.raises(InvalidTicket) as err:
        await submit(world, cmd((CLOUD, "wxfile://tmp_8f2c.jpg")))
    assert err.value.details["field"] == "photos[1]"
    assert world.tickets.rows == {} and world.committed_events == []


async def test_a_retry_with_the_same_photos_returns_the_first_ticket(world: Any) -> None:
    first = await submit(world, cmd())
    again = await submit(world, cmd(), at=NOW + dt.timedelta(seconds=40))
    assert again == first
    assert len(world.tickets.rows) == 1 and len(world.committed_events) == 1


@pytest.mark.parametrize("other", [(CLOUD,), (HTTPS, CLOUD), (CLOUD, HTTPS, PIPE), ()],
                         ids=["one dropped", "reordered", "one added", "none"])
async def test_the_same_id_with_other_photos_is_a_conflict(world: Any,
                                                          other: tuple[str, ...]) -> None:
    first = await submit(world, cmd())
    with pytest.raises(TicketIdConflict) as err:
        await submit(world, cmd(other))
    assert err.value.details["field"] == "id"
    assert world.tickets.rows == {first.id: first} and len(world.committed_events) == 1


def event_of(ticket: Any) -> tickets_pb2.TicketSubmitted:
    message = to_pending(TicketSubmitted(ticket)).payload
    assert isinstance(message, tickets_pb2.TicketSubmitted)
    return message


async def test_the_event_counts_the_photos_and_carries_none_of_them(world: Any) -> None:
    message = event_of(await submit(world, cmd((CLOUD, HTTPS, PIPE))))
    assert message.photo_count == 3
    wire = message.SerializeToString()
    assert b"cloud://" not in wire and b"https://" not in wire
    assert event_of(await submit(world, cmd((), id=uuid.UUID(int=102)))).photo_count == 0
