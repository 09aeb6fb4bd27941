"""Meetings: create/update/cancel/get_info/get_user_meetingid against the clock."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api

HOUR = 3600


@pytest.fixture
def mt_api(emu: Emulator) -> Api:
    return Api(emu, "app", 1000002)


def meeting(emu: Emulator, **over: Any) -> dict[str, Any]:
    body = {
        "admin_userid": "zhangwei",
        "title": "周会",
        "meeting_start": emu.clock.time() + HOUR,
        "meeting_duration": HOUR,
        "description": "研发周会",
        "location": "10楼大会议室",
        "invitees": {"userid": ["lisi", "zhangsan"]},
        "settings": {"password": "1234", "hosts": {"userid": ["lisi"]}, "remind_scope": 3},
    }
    body.update(over)
    return body


def create(api: Api, emu: Emulator, **over: Any) -> str:
    body = api.post("meeting/create", meeting(emu, **over))
    assert body["errcode"] == 0, body
    return str(body["meetingid"])


def test_create_get_update_cancel(emu: Emulator, mt_api: Api) -> None:
    res = mt_api.post("meeting/create", meeting(emu))
    assert res["errcode"] == 0 and res["excess_users"] == []
    mid = res["meetingid"]
    info = mt_api.post("meeting/get_info", {"meetingid": mid})
    assert info["status"] == 1 and info["title"] == "周会" and info["main_department"] == 2
    assert [m["userid"] for m in info["attendees"]["member"]] == ["zhangwei", "lisi", "zhangsan"]
    assert info["settings"]["hosts"] == {"userid": ["lisi"]}
    upd = mt_api.post("meeting/update", {"meetingid": mid, "title": "周会（改期）"})
    assert upd == {"errcode": 0, "errmsg": "ok", "excess_users": []}
    info = mt_api.post("meeting/get_info", {"meetingid": mid})
    assert info["title"] == "周会（改期）" and info["location"] == "10楼大会议室"
    assert mt_api.post("meeting/cancel", {"meetingid": mid})["errcode"] == 0
    assert mt_api.post("meeting/get_info", {"meetingid": mid})["status"] == 4
    assert mt_api.post("meeting/cancel", {"meetingid": mid})["errcode"] == 400041
    assert mt_api.post("meeting/update", {"meetingid": mid, "title": "x"})["errcode"] == 400041


def test_status_follows_the_clock(emu: Emulator, mt_api: Api) -> None:
    mid = create(mt_api, emu)
    emu.advance(HOUR + 60)
    assert mt_api.post("meeting/get_info", {"meetingid": mid})["status"] == 2
    assert mt_api.post("meeting/update", {"meetingid": mid, "title": "x"})["errcode"] == 400221
    assert mt_api.post("meeting/cancel", {"meetingid": mid})["errcode"] == 400224
    emu.advance(HOUR)
    fresh = Api(emu, "app", 1000002)  # the first token has expired by now
    assert fresh.post("meeting/get_info", {"meetingid": mid})["status"] == 3


def test_excess_users_beyond_the_limit(emu: Emulator, mt_api: Api) -> None:
    emu.corp().settings["oa"] = {"meeting_max_invitees": 2}
    res = mt_api.post(
        "meeting/create", meeting(emu, invitees={"userid": ["lisi", "zhangsan", "wangfang"]})
    )
    assert res["errcode"] == 0 and res["excess_users"] == ["wangfang"]


@pytest.mark.parametrize(
    ("change", "errcode"),
    [
        ({"admin_userid": ""}, 400040),
        ({"admin_userid": None, "creator_userid": "zhangwei"}, 400043),
        ({"admin_userid": "ghost"}, 400021),
        ({"admin_userid": "dengyi"}, 0),
        ({"title": ""}, 400042),
        ({"title": "会" * 21}, 400042),
        ({"meeting_start": "soon"}, 400034),
        ({"meeting_start": 1_000_000}, 400222),
        ({"meeting_duration": 299}, 400035),
        ({"meeting_duration": 86400}, 400035),
        ({"location": "x" * 129}, 400237),
        ({"invitees": {"userid": ["ghost"]}}, 400021),
        ({"settings": {"password": "12ab"}}, 400030),
        ({"settings": {"remind_scope": 9}}, 400025),
        ({"settings": {"hosts": {"userid": [f"u{i}" for i in range(11)]}}}, 400021),
        ({"settings": {"hosts": {"userid": ["wangfang"]}}}, 400029),
        ({"settings": {"ring_users": {"userid": ["wangfang"]}}}, 400037),
        ({"settings": "loud"}, 400031),
        ({"reminders": {"is_repeat": 1, "repeat_type": 5}}, 400026),
        ({"reminders": {"is_repeat": 1, "repeat_type": 1, "repeat_interval": 3}}, 400033),
        ({"reminders": {"is_repeat": 1, "repeat_type": 0, "repeat_until": 5}}, 400032),
        ({"cal_id": "wcnope"}, 400036),
    ],
    ids=lambda v: str(v)[:40],
)
def test_create_errors(emu: Emulator, mt_api: Api, change: dict[str, Any], errcode: int) -> None:
    body = {k: v for k, v in {**meeting(emu), **change}.items() if v is not None}
    assert mt_api.post("meeting/create", body)["errcode"] == errcode
    from mock_server.services.oa.store import oa

    assert len(oa(emu.corp()).meetings) == (1 if errcode == 0 else 0)


def test_too_many_hosts_is_400027(emu: Emulator, mt_api: Api) -> None:
    users = [
        "lisi",
        "zhangsan",
        "wangfang",
        "liuyang",
        "chenjing",
        "yangguang",
        "zhaolei",
        "huangmin",
        "zhoujie",
        "wuxia",
        "xuqiang",
    ]
    body = meeting(emu, invitees={"userid": users}, settings={"hosts": {"userid": users}})
    assert mt_api.post("meeting/create", body)["errcode"] == 400027


def test_disabled_admin_is_400313(emu: Emulator, mt_api: Api) -> None:
    from mock_server.services.contacts import models as cm

    cm.contacts(emu.corp()).find_user("zhangwei").status = 2
    assert mt_api.post("meeting/create", meeting(emu))["errcode"] == 400313


def test_duplicate_meeting_is_400302(emu: Emulator, mt_api: Api) -> None:
    body = meeting(emu)
    assert mt_api.post("meeting/create", body)["errcode"] == 0
    assert mt_api.post("meeting/create", body)["errcode"] == 400302
    assert mt_api.post("meeting/create", {**body, "skip_duplicate_check": True})["errcode"] == 0


def test_update_rules_and_ownership(emu: Emulator, mt_api: Api) -> None:
    mid = create(mt_api, emu)
    only_start = {"meetingid": mid, "meeting_start": emu.clock.time() + 2 * HOUR}
    assert mt_api.post("meeting/update", only_start)["errcode"] == 400223
    past = {**only_start, "meeting_start": emu.clock.time() - 1, "meeting_duration": 600}
    assert mt_api.post("meeting/update", past)["errcode"] == 400222
    ok = {**only_start, "meeting_duration": 600}
    assert mt_api.post("meeting/update", ok)["errcode"] == 0
    assert mt_api.post("meeting/get_info", {"meetingid": mid})["meeting_duration"] == 600
    assert mt_api.post("meeting/get_info", {"meetingid": "hynope"})["errcode"] == 400307
    other = Api(emu, "app", 1000003)
    assert other.post("meeting/get_info", {"meetingid": mid})["errcode"] == 400308
    assert other.post("meeting/update", {"meetingid": mid, "title": "x"})["errcode"] == 400304
    assert other.post("meeting/cancel", {"meetingid": mid})["errcode"] == 400304
    assert Api(emu, "contacts").post("meeting/get_info", {"meetingid": mid})["errcode"] == 48002


def test_get_user_meetingid(emu: Emulator, mt_api: Api) -> None:
    now = emu.clock.time()
    ids = [
        create(mt_api, emu, title=f"会{i}", meeting_start=now + (i + 1) * HOUR) for i in range(3)
    ]
    window = {"begin_time": now, "end_time": now + 86400}
    page1 = mt_api.post("meeting/get_user_meetingid", {"userid": "lisi", "limit": 2, **window})
    assert page1["meetingid_list"] == ids[:2] and page1["next_cursor"] == "2"
    page2 = mt_api.post("meeting/get_user_meetingid", {"userid": "lisi", "cursor": "2", **window})
    assert page2["meetingid_list"] == ids[2:] and page2["next_cursor"] == ""
    none = mt_api.post("meeting/get_user_meetingid", {"userid": "wangfang", **window})
    assert none["meetingid_list"] == []
    assert mt_api.post("meeting/get_user_meetingid", {})["errcode"] == 400038
    assert mt_api.post("meeting/get_user_meetingid", {"userid": "ghost"})["errcode"] == 400021
    wide = {"userid": "lisi", "begin_time": now, "end_time": now + 181 * 86400}
    assert mt_api.post("meeting/get_user_meetingid", wide)["errcode"] == 400223


def test_users_outside_the_app_visibility_are_400021(emu: Emulator) -> None:
    sales = Api(emu, "app", 1000003)  # sees the sales department (5) only
    assert sales.post("meeting/create", meeting(emu))["errcode"] == 400021
    ok = meeting(emu, admin_userid="wuxia", invitees={"userid": ["xuqiang"]}, settings={})
    assert sales.post("meeting/create", ok)["errcode"] == 0
    bad = meeting(emu, admin_userid="wuxia", invitees={"userid": ["xuqiang", "lisi"]}, settings={})
    assert sales.post("meeting/create", {**bad, "title": "另一个"})["errcode"] == 400021
