"""Invitations, join QR code, 2FA approval, activity counts, e-mail and open_userid lookups,
and the sandbox's "member activates" action."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.core.clock import Clock


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(frozen=True, start=1_700_000_000))


def api(emu: Emulator, scope: str = "contacts", agentid: int | None = None) -> Any:
    token = emu.token(scope, agentid)

    def call(method: str, name: str, body: Any = None, **params: Any) -> dict[str, Any]:
        return emu.call(method, name, params={"access_token": token, **params}, json=body)

    return call


def new_member(emu: Emulator, userid: str, dept: int = 5) -> None:
    mobile = f"138{sum(map(ord, userid)) % 10**8:08d}"
    body = {"userid": userid, "name": userid, "mobile": mobile, "department": [dept]}
    r = api(emu)("POST", "user/create", body)
    assert r["errcode"] == 0, r


# -- batch/invite --------------------------------------------------------------------------------
def test_invite_reports_invalid_targets_as_arrays(emu: Emulator) -> None:
    new_member(emu, "newbie1")
    r = api(emu)(
        "POST", "batch/invite", {"user": ["newbie1", "ghost"], "party": [99, "5"], "tag": [404]}
    )
    assert r == {
        "errcode": 0,
        "errmsg": "ok",
        "invaliduser": ["ghost"],
        "invalidparty": [99],
        "invalidtag": [404],
    }
    assert "newbie1" in emu.invited_users()


def test_invite_only_reaches_members_who_have_not_joined(emu: Emulator) -> None:
    new_member(emu, "newbie1")
    r = api(emu)("POST", "batch/invite", {"party": [5]})
    assert r == {"errcode": 0, "errmsg": "ok"}
    invited = emu.invited_users()
    assert "newbie1" in invited
    active = [
        u["userid"]
        for u in api(emu)("GET", "user/list", department_id=5)["userlist"]
        if u["status"] == 1
    ]
    assert active and not set(active) & set(invited)


def test_invite_respects_the_apps_visibility(emu: Emulator) -> None:
    new_member(emu, "newbie2", dept=2)
    r = api(emu, "app", 1000003)("POST", "batch/invite", {"user": ["newbie2"], "party": [2]})
    assert (r["invaliduser"], r["invalidparty"]) == (["newbie2"], [2])
    assert "newbie2" not in emu.invited_users()


def test_invite_errors(emu: Emulator) -> None:
    call = api(emu)
    assert call("POST", "batch/invite", {})["errcode"] == 82001
    assert (
        call("POST", "batch/invite", {"user": [f"u{i}" for i in range(1001)]})["errcode"] == 40032
    )
    assert call("POST", "batch/invite", {"party": list(range(2, 103))})["errcode"] == 40058
    assert call("POST", "batch/invite", {"tag": list(range(101))})["errcode"] == 40058
    assert call("POST", "batch/invite", {"user": "zhangsan"})["errcode"] == 40058
    assert emu.invited_users() == {}


# -- join QR code --------------------------------------------------------------------------------
def test_join_qrcode(emu: Emulator) -> None:
    call = api(emu)
    r = call("GET", "corp/get_join_qrcode", size_type=1)
    assert r["join_qrcode"].startswith("https://work.weixin.qq.com/wework_admin/genqrcode?")
    assert r["join_qrcode"].endswith("qr_size=1")
    assert call("GET", "corp/get_join_qrcode")["join_qrcode"].endswith("qr_size=3")
    assert call("GET", "corp/get_join_qrcode", size_type=5)["errcode"] == 40058
    assert api(emu, "app", 1000002)("GET", "corp/get_join_qrcode")["errcode"] == 48002


# -- activation: sandbox and user/authsucc ---------------------------------------------------------
def test_member_activates_in_the_sandbox(emu: Emulator) -> None:
    new_member(emu, "newbie3")
    call = api(emu)
    call("POST", "batch/invite", {"user": ["newbie3"]})
    assert call("POST", "user/convert_to_openid", {"userid": "newbie3"})["errcode"] == 43004
    out = emu.activate_user("newbie3")
    assert out == {"userid": "newbie3", "status": 1, "previous_status": 4}
    assert call("GET", "user/get", userid="newbie3")["status"] == 1
    openid = call("POST", "user/convert_to_openid", {"userid": "newbie3"})["openid"]
    assert call("POST", "user/convert_to_userid", {"openid": openid})["userid"] == "newbie3"
    assert "newbie3" not in emu.invited_users()
    today = __import__("time").strftime(
        "%Y-%m-%d", __import__("time").gmtime(1_700_000_000 + 8 * 3600)
    )
    assert call("POST", "user/get_active_stat", {"date": today})["active_cnt"] == 1
    change = [e for e in emu.events.history("change_contact") if e.data.get("UserID") == "newbie3"]
    assert change[-1].data == {"ChangeType": "update_user", "UserID": "newbie3", "Status": 1}


def test_sandbox_activation_refusals(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="no member"):
        emu.activate_user("ghost")
    api(emu)("POST", "user/update", {"userid": "zhangsan", "enable": 0})
    with pytest.raises(ValueError, match="disabled"):
        emu.activate_user("zhangsan")


def test_authsucc(emu: Emulator) -> None:
    new_member(emu, "newbie4")
    call = api(emu)
    assert call("GET", "user/authsucc", userid="newbie4") == {"errcode": 0, "errmsg": "ok"}
    assert call("GET", "user/get", userid="newbie4")["status"] == 1
    assert call("GET", "user/authsucc", userid="ghost")["errcode"] == 60111
    assert call("GET", "user/authsucc")["errcode"] == 41009


# -- user/get_active_stat ----------------------------------------------------------------------------
def test_active_stat_dates(emu: Emulator) -> None:
    call = api(emu)
    assert call("POST", "user/get_active_stat", {"date": "2023-11-01"})["active_cnt"] == 0
    for bad in ("2023-09-01", "2023-12-31", "2023/11/01", "yesterday"):
        assert call("POST", "user/get_active_stat", {"date": bad})["errcode"] == 40058
    assert call("POST", "user/get_active_stat", {})["errcode"] == 40058
    assert (
        api(emu, "app", 1000002)("POST", "user/get_active_stat", {"date": "2023-11-01"})["errcode"]
        == 48002
    )


# -- user/get_userid_by_email -------------------------------------------------------------------------
def test_userid_by_email(emu: Emulator) -> None:
    call = api(emu)
    call("POST", "user/update", {"userid": "lisi", "biz_mail": "lisi@corp-mail.example.com"})
    assert (
        call("POST", "user/get_userid_by_email", {"email": "lisi@corp-mail.example.com"})["userid"]
        == "lisi"
    )
    personal = {"email": "zhangsan@demo-corp.example.com", "email_type": 2}
    assert call("POST", "user/get_userid_by_email", personal)["userid"] == "zhangsan"
    # The personal address is not a corp mailbox.
    assert (
        call("POST", "user/get_userid_by_email", {**personal, "email_type": 1})["errcode"] == 46004
    )
    assert (
        call("POST", "user/get_userid_by_email", {"email": "nobody@example.com"})["errcode"]
        == 46004
    )
    assert call("POST", "user/get_userid_by_email", {})["errcode"] == 46004
    assert (
        call("POST", "user/get_userid_by_email", {**personal, "email_type": 3})["errcode"] == 40058
    )
    # An app only finds members it can see (1000003 sees department 5 only).
    r = api(emu, "app", 1000003)("POST", "user/get_userid_by_email", personal)
    assert r["errcode"] == 46004


# -- open_userid converters ---------------------------------------------------------------------------
def test_openuserid_to_userid_for_self_built_apps(emu: Emulator) -> None:
    app = api(emu, "app", 1000002)
    open_id = app("GET", "user/get", userid="zhangsan")["open_userid"]
    r = app(
        "POST",
        "batch/openuserid_to_userid",
        {"open_userid_list": [open_id, "woNOSUCH"], "source_agentid": "1000004"},
    )
    assert r["userid_list"] == [{"open_userid": open_id, "userid": "zhangsan"}]
    assert r["invalid_open_userid_list"] == ["woNOSUCH"]
    # zhangsan is outside the source app 1000003's visibility.
    r = app(
        "POST",
        "batch/openuserid_to_userid",
        {"open_userid_list": [open_id], "source_agentid": 1000003},
    )
    assert r["userid_list"] == [] and r["invalid_open_userid_list"] == [open_id]
    bad = app(
        "POST", "batch/openuserid_to_userid", {"open_userid_list": [open_id], "source_agentid": 42}
    )
    assert bad["errcode"] == 40056
    assert (
        app("POST", "batch/openuserid_to_userid", {"source_agentid": 1000004})["errcode"] == 40058
    )
    too_many = {"open_userid_list": ["wo"] * 1001, "source_agentid": 1000004}
    assert app("POST", "batch/openuserid_to_userid", too_many)["errcode"] == 40058
    assert api(emu)("POST", "batch/openuserid_to_userid", {})["errcode"] == 48002


def test_userid_to_openuserid_is_not_for_self_built_apps(emu: Emulator) -> None:
    for call in (api(emu), api(emu, "app", 1000002)):
        r = call("POST", "batch/userid_to_openuserid", {"userid_list": ["zhangsan"]})
        assert r["errcode"] == 48002
