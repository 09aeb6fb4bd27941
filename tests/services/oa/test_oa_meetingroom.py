"""Meeting rooms: rooms, bookings on the half-hour grid, schedules and meetings, events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.clock import Clock
from tests.conftest import Api

CN = dt.timezone(dt.timedelta(hours=8))
HOUR = 3600
NOW = int(dt.datetime(2026, 3, 4, 8, 0, tzinfo=CN).timestamp())  # Wednesday 08:00


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(start=NOW, frozen=True))


@pytest.fixture
def rooms(emu: Emulator) -> Api:
    """Demo app 1000004, listed under 会议室 (permission meetingroom)."""
    return Api(emu, "app", 1000004)


def book(api: Api, **over: Any) -> dict[str, Any]:
    body = {
        "meetingroom_id": 1,
        "subject": "周会",
        "start_time": NOW + 2 * HOUR,
        "end_time": NOW + 3 * HOUR,
        "booker": "zhangsan",
        "attendees": ["lisi"],
    }
    body.update(over)
    return api.post("oa/meetingroom/book", body)


def test_rooms_add_list_edit_del(emu: Emulator, rooms: Api) -> None:
    listed = rooms.post("oa/meetingroom/list")["meetingroom_list"]
    assert [(r["meetingroom_id"], r["need_approval"]) for r in listed] == [(1, 0), (2, 0), (3, 1)]
    assert listed[0]["coordinate"] == {"latitude": "22.540503", "longitude": "113.934528"}
    new = {
        "name": "C-0808",
        "capacity": 6,
        "city": "深圳",
        "building": "演示大厦",
        "floor": "8F",
        "equipment": [2, 4],
        "range": {"user_list": ["zhangsan"], "department_list": [5]},
    }
    added = rooms.post("oa/meetingroom/add", new)
    assert added == {"errcode": 0, "errmsg": "ok", "meetingroom_id": 4}
    by_floor = rooms.post(
        "oa/meetingroom/list", {"city": "深圳", "building": "演示大厦", "floor": "8F"}
    )
    (room,) = by_floor["meetingroom_list"]
    assert room["name"] == "C-0808" and "range" not in room
    with_tv = rooms.post("oa/meetingroom/list", {"equipment": [1, 4]})["meetingroom_list"]
    assert [r["meetingroom_id"] for r in with_tv] == [1]
    assert rooms.post("oa/meetingroom/list", {"building": "演示大厦"})["errcode"] == 40058
    # A filter of the wrong JSON type is refused, not matched against nothing.
    assert rooms.post("oa/meetingroom/list", {"city": {"x": 1}})["errcode"] == 40058
    assert rooms.post("oa/meetingroom/edit", {"meetingroom_id": 4, "capacity": 10})["errcode"] == 0
    listed = rooms.post("oa/meetingroom/list")["meetingroom_list"]
    assert next(r for r in listed if r["meetingroom_id"] == 4)["capacity"] == 10
    assert rooms.post("oa/meetingroom/del", {"meetingroom_id": 4})["errcode"] == 0
    assert rooms.post("oa/meetingroom/del", {"meetingroom_id": 4})["errcode"] == 40058


def test_room_parameter_errors(emu: Emulator, rooms: Api) -> None:
    before = emu.state_fingerprint()
    for bad in (
        {"capacity": 5},
        {"name": "x" * 31, "capacity": 5},
        {"name": "X", "capacity": "5"},
        {"name": "X", "capacity": 5, "city": "深圳"},  # all three or none
        {"name": "X", "capacity": 5, "equipment": [6]},
        {"name": "X", "capacity": 5, "coordinate": {"latitude": 22.5, "longitude": 113.9}},
        {"name": "X", "capacity": 5, "range": {"user_list": ["ghost"]}},
    ):
        assert rooms.post("oa/meetingroom/add", bad)["errcode"] == 40058, bad
    assert (
        rooms.post("oa/meetingroom/edit", {"meetingroom_id": 99, "name": "Y"})["errcode"] == 40058
    )
    assert rooms.post("oa/meetingroom/edit", {"meetingroom_id": 1, "name": ""})["errcode"] == 40058
    assert emu.state_fingerprint() == before
    assert Api(emu, "app", 1000002).post("oa/meetingroom/list")["errcode"] == 48002


def test_book_snaps_to_the_grid_and_creates_a_schedule(emu: Emulator, rooms: Api) -> None:
    res = book(rooms, start_time=NOW + 2 * HOUR + 15 * 60, end_time=NOW + 2 * HOUR + 45 * 60)
    assert res["errcode"] == 0 and res["booking_id"].startswith("bk")
    info = rooms.post("oa/meetingroom/get_booking_info", {"meetingroom_id": 1})
    (entry,) = info["booking_list"][0]["schedule"]
    assert (entry["start_time"], entry["end_time"]) == (NOW + 2 * HOUR, NOW + 3 * HOUR)
    assert entry["schedule_id"] == res["schedule_id"] and entry["booker"] == "zhangsan"
    sch = rooms.post("oa/schedule/get", {"schedule_id_list": [res["schedule_id"]]})[
        "schedule_list"
    ][0]
    assert sch["location"] == "A-1203" and [a["userid"] for a in sch["attendees"]] == [
        "zhangsan",
        "lisi",
    ]
    # The linked schedule cannot be changed while the room is booked.
    update = {
        "schedule": {
            "schedule_id": res["schedule_id"],
            "start_time": NOW + 5 * HOUR,
            "end_time": NOW + 6 * HOUR,
        }
    }
    assert rooms.post("oa/schedule/update", update)["errcode"] == 90700
    (event,) = emu.events.history("book_meeting_room")
    assert event.data == {"MeetingRoomId": 1, "BookingId": res["booking_id"]}
    assert event.meta["from_user"] == "zhangsan"
    got = rooms.post(
        "oa/meetingroom/bookinfo/get", {"meetingroom_id": 1, "booking_id": res["booking_id"]}
    )
    assert got["schedule"]["status"] == 0 and got["schedule"]["schedule_id"] == res["schedule_id"]


def test_conflicts_and_booking_rules(emu: Emulator, rooms: Api) -> None:
    assert book(rooms)["errcode"] == 0
    before = emu.state_fingerprint()
    clash = book(rooms, start_time=NOW + 2 * HOUR + 30 * 60, end_time=NOW + 4 * HOUR)
    assert clash["errcode"] == 40058 and "already booked" in clash["errmsg"]
    assert book(rooms, meetingroom_id=3)["errcode"] == 40058  # needs approval
    assert book(rooms, meetingroom_id=99)["errcode"] == 40058
    assert book(rooms, booker="ghost")["errcode"] == 40058
    assert book(rooms, start_time=NOW - 2 * HOUR, end_time=NOW - HOUR)["errcode"] == 40058
    assert emu.state_fingerprint() == before
    # Back to back is fine; a start 20 minutes ago moves to the next half hour.
    assert book(rooms, start_time=NOW + 3 * HOUR, end_time=NOW + 4 * HOUR)["errcode"] == 0
    late = book(rooms, meetingroom_id=2, start_time=NOW - 20 * 60, end_time=NOW + HOUR)
    info = rooms.post(
        "oa/meetingroom/bookinfo/get", {"meetingroom_id": 2, "booking_id": late["booking_id"]}
    )
    assert (info["schedule"]["start_time"], info["schedule"]["end_time"]) == (NOW, NOW + HOUR)


def test_range_and_disabled_rooms(emu: Emulator, rooms: Api) -> None:
    from mock_server.services.oa.meetingroom.models import meetingroom as room_store

    store = room_store(emu.corp())
    store.rooms[2]["range"] = {"user_list": ["lisi"], "department_list": [5]}
    assert book(rooms, meetingroom_id=2, booker="zhangsan")["errcode"] == 60030
    assert book(rooms, meetingroom_id=2, booker="wuxia")["errcode"] == 0  # sales, department 5
    store.rooms[1]["disabled"] = True
    assert book(rooms)["errcode"] == 90711


def test_cancel_keeps_or_drops_the_schedule(emu: Emulator, rooms: Api) -> None:
    first = book(rooms)
    emu.corp().agents[1000002].permissions.append("meetingroom")
    other = Api(emu, "app", 1000002)
    assert (
        other.post("oa/meetingroom/cancel_book", {"booking_id": first["booking_id"]})["errcode"]
        == 90499
    )
    assert (
        rooms.post(
            "oa/meetingroom/cancel_book", {"booking_id": first["booking_id"], "keep_schedule": 1}
        )["errcode"]
        == 0
    )
    sch = rooms.post("oa/schedule/get", {"schedule_id_list": [first["schedule_id"]]})[
        "schedule_list"
    ][0]
    assert sch["status"] == 0  # kept
    info = rooms.post(
        "oa/meetingroom/bookinfo/get", {"meetingroom_id": 1, "booking_id": first["booking_id"]}
    )
    assert info["schedule"]["status"] == 1
    listed = rooms.post("oa/meetingroom/get_booking_info", {"meetingroom_id": 1})
    assert listed["booking_list"][0]["schedule"] == []
    assert (
        rooms.post("oa/meetingroom/cancel_book", {"booking_id": first["booking_id"]})["errcode"]
        == 40058
    )
    # The old shape: meeting_id for the booking id; the schedule goes with it by default.
    second = book(rooms)
    assert (
        rooms.post("oa/meetingroom/cancel_book", {"meeting_id": second["booking_id"]})["errcode"]
        == 0
    )
    sch = rooms.post("oa/schedule/get", {"schedule_id_list": [second["schedule_id"]]})[
        "schedule_list"
    ][0]
    assert sch["status"] == 1
    events = emu.events.history("cancel_meeting_room")
    assert [e.data["BookingId"] for e in events] == [first["booking_id"], second["booking_id"]]
    assert list(events[0].data) == ["BookingId", "MeetingRoomId"]


def test_book_by_schedule_and_repeating_conflicts(emu: Emulator, rooms: Api) -> None:
    cal = rooms.post(
        "oa/calendar/add",
        {"calendar": {"summary": "会议", "color": "#FF3030", "set_as_default": 1}},
    )
    assert cal["errcode"] == 0, cal
    daily = {
        "schedule": {
            "start_time": NOW + 2 * HOUR, "end_time": NOW + 3 * HOUR, "summary": "站会",
            "attendees": [{"userid": "lisi"}],
            "reminders": {"is_repeat": 1, "repeat_type": 0, "repeat_until": NOW + 4 * 86400},
        }
    }  # fmt: skip
    sid = rooms.post("oa/schedule/add", daily)["schedule_id"]
    # Thursday's 10:00 is taken already.
    assert (
        book(rooms, start_time=NOW + 86400 + 2 * HOUR, end_time=NOW + 86400 + 3 * HOUR)["errcode"]
        == 0
    )
    res = rooms.post(
        "oa/meetingroom/book_by_schedule",
        {"meetingroom_id": 1, "schedule_id": sid, "booker": "zhangsan"},
    )
    thursday = int(dt.datetime(2026, 3, 5, tzinfo=CN).timestamp())
    assert res["errcode"] == 0 and res["conflict_date"] == [thursday]
    info = rooms.post(
        "oa/meetingroom/get_booking_info",
        {
            "meetingroom_id": 1,
            "start_time": NOW + 2 * 86400,
            "end_time": NOW + 2 * 86400 + 12 * HOUR,
        },
    )
    assert [e["booking_id"] for e in info["booking_list"][0]["schedule"]] == [res["booking_id"]]
    again = {"meetingroom_id": 2, "schedule_id": sid, "booker": "zhangsan"}
    assert rooms.post("oa/meetingroom/book_by_schedule", again)["errcode"] == 90498
    assert (
        rooms.post("oa/meetingroom/book_by_schedule", {**again, "schedule_id": "nope"})["errcode"]
        == 90461
    )
    emu.corp().agents[1000002].permissions.append("meetingroom")
    other = Api(emu, "app", 1000002)
    assert other.post("oa/meetingroom/book_by_schedule", again)["errcode"] == 90466
    # One occurrence cancelled, the rest kept.
    friday = thursday + 86400
    cancel = {"booking_id": res["booking_id"], "cancel_date": friday}
    assert rooms.post("oa/meetingroom/cancel_book", cancel)["errcode"] == 0
    fri = rooms.post(
        "oa/meetingroom/get_booking_info",
        {"meetingroom_id": 1, "start_time": friday, "end_time": friday + 86399},
    )
    assert fri["booking_list"][0]["schedule"] == []
    master = rooms.post(
        "oa/meetingroom/bookinfo/get", {"meetingroom_id": 1, "booking_id": res["booking_id"]}
    )
    assert master["schedule"]["master_booking_id"] == res["booking_id"]


def test_book_by_meeting_and_the_double_slash_path(emu: Emulator, rooms: Api) -> None:
    meeting = rooms.post(
        "meeting/create",
        {"admin_userid": "zhangsan", "title": "评审", "meeting_start": NOW + 4 * HOUR,
         "meeting_duration": 3600, "invitees": {"userid": ["lisi"]}},
    )  # fmt: skip
    mid = meeting["meetingid"]
    body = {"meetingroom_id": 2, "meetingid": mid, "booker": "zhangsan"}
    res = emu.call(
        "POST", "oa/meetingroom//book_by_meeting", params={"access_token": rooms.token}, json=body
    )
    assert res["errcode"] == 0 and res["conflict_date"] == []
    assert rooms.post("oa/meetingroom/book_by_meeting", body)["errcode"] == 90498
    assert (
        rooms.post("oa/meetingroom/book_by_meeting", {**body, "meetingid": "nope"})["errcode"]
        == 400307
    )
    emu.corp().agents[1000002].permissions.append("meetingroom")
    assert (
        Api(emu, "app", 1000002).post("oa/meetingroom/book_by_meeting", body)["errcode"] == 400304
    )
    legacy = rooms.post(
        "oa/meetingroom/get_booking_info_by_meeting_id",
        {"meetingroom_id": 2, "meeting_id": res["booking_id"]},
    )
    assert legacy["schedule"]["meeting_id"] == res["booking_id"]
    assert legacy["schedule"]["start_time"] == NOW + 4 * HOUR
    wrong_room = {"meetingroom_id": 1, "meeting_id": res["booking_id"]}
    assert (
        rooms.post("oa/meetingroom/get_booking_info_by_meeting_id", wrong_room)["errcode"] == 40058
    )
    assert (
        rooms.post(
            "oa/meetingroom/bookinfo/get", {"meetingroom_id": 1, "booking_id": res["booking_id"]}
        )["errcode"]
        == 40058
    )


def test_booking_info_window_is_one_day(rooms: Api) -> None:
    assert (
        rooms.post("oa/meetingroom/get_booking_info", {"start_time": NOW, "end_time": NOW + 86400})[
            "errcode"
        ]
        == 40058
    )
    assert (
        rooms.post("oa/meetingroom/get_booking_info", {"start_time": NOW, "end_time": NOW - 1})[
            "errcode"
        ]
        == 40058
    )
    every = rooms.post("oa/meetingroom/get_booking_info")
    assert [b["meetingroom_id"] for b in every["booking_list"]] == [1, 2, 3]


def test_deleting_a_room_cancels_its_bookings(emu: Emulator, rooms: Api) -> None:
    res = book(rooms)
    assert rooms.post("oa/meetingroom/del", {"meetingroom_id": 1})["errcode"] == 0
    assert [e.data["BookingId"] for e in emu.events.history("cancel_meeting_room")] == [
        res["booking_id"]
    ]
