"""Calendars and schedules: CRUD, overwrite semantics, cancel-only delete, ownership, time rules."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api

HOUR = 3600


@pytest.fixture
def cal_api(emu: Emulator) -> Api:
    return Api(emu, "app", 1000002)


def add_calendar(api: Api, **over: Any) -> str:
    cal = {
        "summary": "研发中心日历",
        "color": "#FF3030",
        "description": "迭代会议",
        "admins": ["zhangwei"],
        "shares": [{"userid": "zhangwei"}, {"userid": "lisi", "permission": 3}],
        "set_as_default": 0,
    }
    cal.update(over)
    body = api.post("oa/calendar/add", {"calendar": cal})
    assert body["errcode"] == 0, body
    return str(body["cal_id"])


def schedule(emu: Emulator, cal_id: str, **over: Any) -> dict[str, Any]:
    now = emu.clock.time()
    s = {
        "cal_id": cal_id,
        "start_time": now + HOUR,
        "end_time": now + 2 * HOUR,
        "attendees": [{"userid": "zhangsan"}, {"userid": "lisi"}],
        "admins": ["lisi"],
        "summary": "需求评审",
        "description": "2.0版本",
        "location": "10楼1005会议室",
        "reminders": {"is_remind": 1, "remind_before_event_secs": 3600, "timezone": 8},
    }
    s.update(over)
    return s


def add_schedule(api: Api, emu: Emulator, cal_id: str, **over: Any) -> str:
    body = api.post("oa/schedule/add", {"schedule": schedule(emu, cal_id, **over)})
    assert body["errcode"] == 0, body
    return str(body["schedule_id"])


# -- calendars ------------------------------------------------------------------------------
def test_calendar_crud_and_overwrite(cal_api: Api) -> None:
    cal_id = add_calendar(cal_api)
    assert cal_id.startswith("wc") and cal_id.endswith("AAA") and len(cal_id) == 32
    got = cal_api.post("oa/calendar/get", {"cal_id_list": [cal_id]})["calendar_list"][0]
    assert got["summary"] == "研发中心日历" and got["admins"] == ["zhangwei"]
    assert got["shares"] == [
        {"userid": "zhangwei", "permission": 1},
        {"userid": "lisi", "permission": 3},
    ]
    upd = cal_api.post(
        "oa/calendar/update",
        {"calendar": {"cal_id": cal_id, "summary": "新名字", "color": "#00FF00"}},
    )
    assert upd["errcode"] == 0 and upd["fail_result"] == {"shares": []}
    got = cal_api.post("oa/calendar/get", {"cal_id_list": [cal_id]})["calendar_list"][0]
    assert got["summary"] == "新名字" and got["shares"] == [] and got["description"] == ""
    assert cal_api.post("oa/calendar/del", {"cal_id": cal_id})["errcode"] == 0
    assert cal_api.post("oa/calendar/get", {"cal_id_list": [cal_id]})["errcode"] == 90459
    assert cal_api.post("oa/calendar/del", {"cal_id": cal_id})["errcode"] == 90459


def test_calendar_unknown_share_is_reported_not_fatal(cal_api: Api) -> None:
    body = cal_api.post(
        "oa/calendar/add",
        {"calendar": {"summary": "s", "color": "#000000", "shares": [{"userid": "ghost"}]}},
    )
    assert body["errcode"] == 0
    assert body["fail_result"]["shares"][0]["userid"] == "ghost"


@pytest.mark.parametrize(
    ("calendar", "errcode"),
    [
        ({"summary": "s", "color": "red"}, 90473),
        ({"summary": "s", "color": "#000000", "admins": ["lisi"]}, 90492),
        ({"summary": "s", "color": "#000000", "is_public": 1}, 90483),
        ({"color": "#000000"}, 40058),
        ({"summary": "s", "color": "#000000", "organizer": ""}, 90456),
    ],
    ids=["bad-color", "admin-not-shared", "public-without-range", "no-summary", "empty-organizer"],
)
def test_calendar_add_errors(
    cal_api: Api, emu: Emulator, calendar: dict[str, Any], errcode: int
) -> None:
    assert cal_api.post("oa/calendar/add", {"calendar": calendar})["errcode"] == errcode
    from mock_server.services.oa.store import oa

    assert oa(emu.corp()).calendars == {}


def test_calendar_get_and_del_errors(emu: Emulator, cal_api: Api) -> None:
    assert cal_api.post("oa/calendar/get", {"cal_id_list": []})["errcode"] == 90458
    assert cal_api.post("oa/calendar/get", {"cal_id_list": ["wcnope"]})["errcode"] == 90457
    default = add_calendar(cal_api, set_as_default=1)
    assert cal_api.post("oa/calendar/del", {"cal_id": default})["errcode"] == 90712
    other = Api(emu, "app", 1000003)
    assert other.post("oa/calendar/get", {"cal_id_list": [default]})["errcode"] == 90466
    assert other.post("oa/calendar/del", {"cal_id": default})["errcode"] == 90466
    assert (
        other.post(
            "oa/calendar/update",
            {"calendar": {"cal_id": default, "summary": "x", "color": "#000000"}},
        )["errcode"]
        == 90466
    )


def test_calendar_old_shape_organizer_is_immutable(cal_api: Api) -> None:
    cal_id = add_calendar(cal_api, organizer="zhangwei", admins=[])
    got = cal_api.post("oa/calendar/get", {"cal_id_list": [cal_id]})["calendar_list"][0]
    assert got["organizer"] == "zhangwei" and got["readonly"] == 1
    moved = {"cal_id": cal_id, "summary": "x", "color": "#000000", "organizer": "lisi"}
    assert cal_api.post("oa/calendar/update", {"calendar": moved})["errcode"] == 90463


def test_calendar_needs_an_app_secret(emu: Emulator) -> None:
    body = Api(emu, "contacts").post(
        "oa/calendar/add", {"calendar": {"summary": "s", "color": "#000000"}}
    )
    assert body["errcode"] == 48002


# -- schedules ------------------------------------------------------------------------------
def test_schedule_crud_overwrite_and_cancel(emu: Emulator, cal_api: Api) -> None:
    cal_id = add_calendar(cal_api)
    sid = add_schedule(cal_api, emu, cal_id)
    assert len(sid) == 32 and sid.endswith("AAA")
    got = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    assert got["attendees"] == [
        {"userid": "zhangsan", "response_status": 0},
        {"userid": "lisi", "response_status": 0},
    ]
    assert got["reminders"]["remind_before_event_secs"] == 3600 and got["status"] == 0
    now = emu.clock.time()
    upd = {"schedule_id": sid, "start_time": now + 3 * HOUR, "end_time": now + 4 * HOUR}
    assert cal_api.post("oa/schedule/update", {"schedule": upd})["errcode"] == 0
    got = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    assert got["attendees"] == [] and got["admins"] == [] and got["location"] == ""
    assert got["summary"] == "新建事件" and got["cal_id"] == cal_id
    keep = {"skip_attendees": 1, "schedule": {**upd, "attendees": []}}
    add = cal_api.post(
        "oa/schedule/add_attendees", {"schedule_id": sid, "attendees": [{"userid": "wangfang"}]}
    )
    assert add["errcode"] == 0
    assert cal_api.post("oa/schedule/update", keep)["errcode"] == 0
    got = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    assert [a["userid"] for a in got["attendees"]] == ["wangfang"]
    assert (
        cal_api.post(
            "oa/schedule/del_attendees", {"schedule_id": sid, "attendees": [{"userid": "wangfang"}]}
        )["errcode"]
        == 0
    )
    assert cal_api.post("oa/schedule/del", {"schedule_id": sid})["errcode"] == 0
    got = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    assert got["status"] == 1
    assert cal_api.post("oa/schedule/del", {"schedule_id": sid})["errcode"] == 90460
    assert cal_api.post("oa/schedule/update", {"schedule": upd})["errcode"] == 90460
    listed = cal_api.post(
        "oa/schedule/get_by_calendar", {"cal_id": cal_id, "offset": 0, "limit": 10}
    )
    assert [s["schedule_id"] for s in listed["schedule_list"]] == [sid]


@pytest.mark.parametrize(
    ("change", "errcode"),
    [
        ({"end_time": 0}, 40058),
        ({"start_time": None}, 40058),
        ({"attendees": [{"userid": "ghost"}]}, 40003),
        ({"attendees": [{"userid": f"u{i}"} for i in range(1001)]}, 90464),
        ({"admins": ["zhangwei"]}, 90715),
        ({"reminders": {"remind_before_event_secs": 60}}, 90471),
        ({"reminders": {"remind_time_diffs": [-120]}}, 90704),
        ({"reminders": {"is_repeat": 1, "repeat_type": 3}}, 90465),
        ({"reminders": {"timezone": 13}}, 90480),
        ({"reminders": {"is_repeat": 1, "is_custom_repeat": 1}}, 90486),
        (
            {
                "reminders": {
                    "is_repeat": 1,
                    "is_custom_repeat": 1,
                    "repeat_interval": 1,
                    "repeat_day_of_week": [8],
                }
            },
            90467,
        ),
        (
            {
                "reminders": {
                    "is_repeat": 1,
                    "is_custom_repeat": 1,
                    "repeat_interval": 1,
                    "repeat_day_of_month": [32],
                }
            },
            90487,
        ),
        ({"cal_id": "wcunknown"}, 90457),
        ({"cal_id": None}, 90708),
        ({"cal_id": None, "organizer": "lisi"}, 90474),
    ],
    ids=[
        "end-before-start",
        "no-start",
        "attendee-not-a-user",
        "too-many-attendees",
        "admin-not-attendee",
        "bad-remind-before",
        "bad-remind-diffs",
        "bad-repeat-type",
        "bad-timezone",
        "custom-without-interval",
        "bad-weekday",
        "bad-day-of-month",
        "unknown-calendar",
        "no-default-calendar",
        "organizer-is-attendee",
    ],
)
def test_schedule_add_errors(
    emu: Emulator, cal_api: Api, change: dict[str, Any], errcode: int
) -> None:
    cal_id = add_calendar(cal_api)
    s = {**schedule(emu, cal_id), **change}
    s = {k: v for k, v in s.items() if v is not None}
    assert cal_api.post("oa/schedule/add", {"schedule": s})["errcode"] == errcode
    from mock_server.services.oa.store import oa

    assert oa(emu.corp()).schedules == {}


def test_schedule_default_calendar_and_other_apps(emu: Emulator, cal_api: Api) -> None:
    default = add_calendar(cal_api, set_as_default=1)
    s = schedule(emu, default)
    del s["cal_id"]
    sid = cal_api.post("oa/schedule/add", {"schedule": s})["schedule_id"]
    got = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    assert got["cal_id"] == default
    other = Api(emu, "app", 1000003)
    assert other.post("oa/schedule/get", {"schedule_id_list": [sid]})["errcode"] == 90466
    assert other.post("oa/schedule/del", {"schedule_id": sid})["errcode"] == 90466
    assert other.post("oa/schedule/add", {"schedule": schedule(emu, default)})["errcode"] == 90466
    assert other.post("oa/schedule/get_by_calendar", {"cal_id": default})["errcode"] == 90466
    assert cal_api.post("oa/schedule/get", {"schedule_id_list": []})["errcode"] == 90462
    assert cal_api.post("oa/schedule/get", {"schedule_id_list": ["nope"]})["errcode"] == 90461
    assert (
        cal_api.post("oa/schedule/get_by_calendar", {"cal_id": default, "limit": 1001})["errcode"]
        == 90469
    )
    assert (
        cal_api.post("oa/schedule/get_by_calendar", {"cal_id": default, "offset": -1})["errcode"]
        == 90470
    )
    assert (
        cal_api.post("oa/schedule/add_attendees", {"schedule_id": sid, "attendees": []})["errcode"]
        == 90713
    )
    assert (
        cal_api.post(
            "oa/schedule/del_attendees", {"schedule_id": sid, "attendees": [{"userid": "lisi"}]}
        )["errcode"]
        == 90715
    )


def test_schedule_cannot_move_into_the_past(emu: Emulator, cal_api: Api) -> None:
    cal_id = add_calendar(cal_api)
    sid = add_schedule(cal_api, emu, cal_id)
    emu.advance(HOUR + 1800)  # the token is still valid (7200 s)
    now = emu.clock.time()
    past = {"schedule_id": sid, "start_time": now - 600, "end_time": now + 600}
    assert cal_api.post("oa/schedule/update", {"schedule": past})["errcode"] == 90706
    future = {"schedule_id": sid, "start_time": now + HOUR, "end_time": now + 2 * HOUR}
    assert cal_api.post("oa/schedule/update", {"schedule": future})["errcode"] == 0


def test_repeating_schedule_op_modes(emu: Emulator, cal_api: Api) -> None:
    cal_id = add_calendar(cal_api)
    daily = {"is_repeat": 1, "repeat_type": 0, "timezone": 8}
    sid = add_schedule(cal_api, emu, cal_id, reminders=daily)
    got = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    start, end = got["start_time"], got["end_time"]
    third = start + 2 * 86400
    base = {
        "schedule_id": sid,
        "start_time": third + 600,
        "end_time": end + 2 * 86400,
        "reminders": daily,
    }
    assert cal_api.post("oa/schedule/update", {"op_mode": 3, "schedule": base})["errcode"] == 90485
    assert (
        cal_api.post(
            "oa/schedule/update", {"op_mode": 1, "op_start_time": third + 7, "schedule": base}
        )["errcode"]
        == 90482
    )
    split = cal_api.post(
        "oa/schedule/update", {"op_mode": 1, "op_start_time": third, "schedule": base}
    )
    assert split["errcode"] == 0 and split["schedule_id"] != sid
    orig = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    assert orig["reminders"]["exclude_time_list"] == [{"start_time": third}]
    assert (
        cal_api.post(
            "oa/schedule/del",
            {"schedule_id": sid, "op_mode": 2, "op_start_time": start + 5 * 86400},
        )["errcode"]
        == 0
    )
    orig = cal_api.post("oa/schedule/get", {"schedule_id_list": [sid]})["schedule_list"][0]
    assert orig["reminders"]["repeat_until"] == start + 5 * 86400 - 1 and orig["status"] == 0
    single = add_schedule(cal_api, emu, cal_id)
    assert (
        cal_api.post(
            "oa/schedule/del", {"schedule_id": single, "op_mode": 1, "op_start_time": start}
        )["errcode"]
        == 90484
    )
