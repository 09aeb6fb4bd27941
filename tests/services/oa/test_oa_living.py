"""Live streams: reservation, status over time and through the anchor, statistics, events."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.clock import Clock
from mock_server.services.oa.living.models import LivingActionError
from tests.conftest import Api

NOW = 1772589600  # 2026-03-04 10:00 (UTC+8)
HOUR = 3600


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(start=NOW, frozen=True))


@pytest.fixture
def app(emu: Emulator) -> Api:
    return Api(emu, "app", 1000004)


def create(api: Api, **over: Any) -> str:
    body = {
        "anchor_userid": "zhangwei",
        "theme": "季度全员会",
        "living_start": NOW + HOUR,
        "living_duration": HOUR,
        "description": "Q1",
    }
    body.update(over)
    res = api.post("living/create", body)
    assert res["errcode"] == 0, res
    return str(res["livingid"])


def info(api: Api, livingid: str) -> dict[str, Any]:
    res = api.get("living/get_living_info", livingid=livingid)
    assert res["errcode"] == 0, res
    return res["living_info"]  # type: ignore[no-any-return]


def test_life_of_a_live(emu: Emulator, app: Api) -> None:
    lid = create(app)
    assert info(app, lid)["status"] == 0 and info(app, lid)["theme"] == "季度全员会"
    assert app.post("living/modify", {"livingid": lid, "theme": "季度全员大会"})["errcode"] == 0
    assert info(app, lid)["theme"] == "季度全员大会"
    emu.advance(HOUR)
    emu.oa.living_action(lid, "start")
    app = Api(emu, "app", 1000004)
    assert info(app, lid)["status"] == 1
    assert app.post("living/modify", {"livingid": lid, "theme": "x"})["errcode"] == 92006
    assert app.post("living/cancel", {"livingid": lid})["errcode"] == 92006
    assert app.post("living/delete_replay_data", {"livingid": lid})["errcode"] == 92007
    emu.oa.living_action(lid, "watch", userid="lisi", watch_time=1200, is_comment=True)
    emu.oa.living_action(
        lid, "watch", external_userid="wmEXT001", type=1, name="客户", watch_time=300
    )
    emu.advance(1800)
    emu.oa.living_action(lid, "end")
    app = Api(emu, "app", 1000004)
    shown = info(app, lid)
    assert shown["status"] == 2 and shown["living_duration"] == 1800 and shown["viewer_num"] == 2
    assert shown["comment_num"] == 1 and shown["replay_status"] == 0
    stat = app.post("living/get_watch_stat", {"livingid": lid, "next_key": "0"})
    assert stat["ending"] == 1 and stat["stat_info"]["users"][0] == {
        "userid": "lisi",
        "watch_time": 1200,
        "is_comment": 1,
        "is_mic": 0,
    }
    assert stat["stat_info"]["external_users"][0]["external_userid"] == "wmEXT001"
    assert app.post("living/delete_replay_data", {"livingid": lid})["errcode"] == 0
    assert info(app, lid)["replay_status"] == 2
    assert app.post("living/delete_replay_data", {"livingid": lid})["errcode"] == 92007
    events = emu.events.history("living_status_change")
    assert [e.data["Status"] for e in events] == [1, 2] and events[0].data["LivingId"] == lid
    assert events[0].meta["from_user"] == "zhangwei" and events[0].target == 1000004


def test_cancel_expiry_and_ownership(emu: Emulator, app: Api) -> None:
    lid = create(app)
    other = create(app, living_start=NOW + 2 * HOUR)
    assert app.post("living/cancel", {"livingid": lid})["errcode"] == 0
    assert info(app, lid)["status"] == 4
    assert app.post("living/cancel", {"livingid": lid})["errcode"] == 92006
    emu.advance(3 * HOUR + 60)  # never started: expired, and not called back
    app = Api(emu, "app", 1000004)
    assert info(app, other)["status"] == 3
    assert [e.data["Status"] for e in emu.events.history("living_status_change")] == [4]
    with pytest.raises(LivingActionError):
        emu.oa.living_action(other, "start")
    emu.corp().agents[1000002].permissions.append("living")
    stranger = Api(emu, "app", 1000002)
    assert stranger.get("living/get_living_info", livingid=lid)["errcode"] == 92008
    assert stranger.post("living/modify", {"livingid": lid})["errcode"] == 92008
    assert app.get("living/get_living_info", livingid="nope")["errcode"] == 40058
    assert Api(emu, "contacts").post("living/create", {})["errcode"] == 48002


def test_create_errors_codes_and_listing(emu: Emulator, app: Api) -> None:
    before = emu.state_fingerprint()
    base = {
        "anchor_userid": "zhangwei",
        "theme": "t",
        "living_start": NOW + HOUR,
        "living_duration": HOUR,
    }
    for bad in ({"anchor_userid": "ghost"}, {"theme": ""}, {"theme": "长" * 21}, {"living_duration": 0},
                {"living_start": "soon"}, {"type": 9}, {"description": "x" * 101}):  # fmt: skip
        assert app.post("living/create", {**base, **bad})["errcode"] == 40058, bad
    assert emu.state_fingerprint() == before
    ids = [create(app, living_start=NOW + i * HOUR) for i in range(1, 4)]
    page = app.post("living/get_user_all_livingid", {"userid": "zhangwei", "limit": 2})
    assert page["livingid_list"] == ids[:2] and page["next_cursor"] == "2"
    last = app.post("living/get_user_all_livingid", {"userid": "zhangwei", "cursor": "2"})
    assert last["livingid_list"] == ids[2:] and last["next_cursor"] == ""
    assert app.post("living/get_user_all_livingid", {"userid": "ghost"})["errcode"] == 40058
    code = app.post("living/get_living_code", {"livingid": ids[0], "openid": "oWX123"})[
        "living_code"
    ]
    assert (
        app.post("living/get_living_code", {"livingid": ids[0], "openid": "oWX123"})["living_code"]
        == code
    )
    emu.advance(301)
    app = Api(emu, "app", 1000004)
    assert (
        app.post("living/get_living_code", {"livingid": ids[0], "openid": "oWX123"})["living_code"]
        != code
    )
    assert app.post("living/get_living_code", {"livingid": ids[0]})["errcode"] == 40058
    assert (
        app.post("living/get_watch_stat", {"livingid": ids[0], "next_key": "7"})["errcode"] == 40058
    )
