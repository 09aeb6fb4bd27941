"""「联系我」 contact ways: fields, limits, errcodes, and a WeChat user scanning one."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.external_contact import contact_ways as cw
from mock_server.services.external_contact.scrm_store import external_scrm
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


@pytest.fixture
def ext(emu: Emulator) -> Api:
    return Api(emu, "external")


def add_way(api: Api, **body: Any) -> str:
    r = api.post(
        "externalcontact/add_contact_way", {"type": 1, "scene": 2, "user": ["xuqiang"], **body}
    )
    assert r["errcode"] == 0, r
    return str(r["config_id"])


def test_add_then_get_shows_every_field(crm: Api) -> None:
    r = crm.post(
        "externalcontact/add_contact_way",
        {
            "type": 2,
            "scene": 1,
            "style": 2,
            "remark": "官网咨询",
            "skip_verify": False,
            "state": "site_home",
            "user": ["xuqiang", "sunli"],
            "party": [5],
        },
    )
    assert r["errcode"] == 0 and len(r["config_id"]) == 32 and "qr_code" not in r
    way = crm.post("externalcontact/get_contact_way", {"config_id": r["config_id"]})["contact_way"]
    assert way == {
        "config_id": r["config_id"],
        "type": 2,
        "scene": 1,
        "style": 2,
        "remark": "官网咨询",
        "skip_verify": False,
        "state": "site_home",
        "user": ["xuqiang", "sunli"],
        "party": [5],
        "is_temp": False,
        "mark_source": True,
    }


def test_qr_way_has_qr_code_and_no_style(crm: Api) -> None:
    r = crm.post(
        "externalcontact/add_contact_way", {"type": 1, "scene": 2, "style": 1, "user": ["xuqiang"]}
    )
    assert r["qr_code"].startswith("https://p.qpic.cn/wwhead/")
    way = crm.post("externalcontact/get_contact_way", {"config_id": r["config_id"]})["contact_way"]
    assert way["qr_code"] == r["qr_code"] and "style" not in way and way["skip_verify"] is True


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"scene": 2, "user": ["xuqiang"]}, 41037),
        ({"type": 1, "user": ["xuqiang"]}, 41038),
        ({"type": 3, "scene": 2, "user": ["xuqiang"]}, 41039),
        ({"type": 1, "scene": 5, "user": ["xuqiang"]}, 41040),
        ({"type": 1, "scene": 2, "user": ["xuqiang", "sunli"]}, 41041),
        ({"type": 1, "scene": 1, "style": 4, "user": ["xuqiang"]}, 41042),
        ({"type": 2, "scene": 1, "style": 3, "user": ["xuqiang"]}, 41042),
        ({"type": 1, "scene": 2, "user": []}, 40058),
        ({"type": 1, "scene": 2, "user": ["xuqiang"], "state": "s" * 31}, 40058),
        ({"type": 1, "scene": 2, "user": ["xuqiang"], "remark": "r" * 31}, 40058),
        ({"type": 1, "scene": 2, "user": ["ghost"]}, 60111),
        ({"type": 1, "scene": 2, "user": ["zhangsan"]}, 60011),
        ({"type": 2, "scene": 2, "party": [999]}, 40066),
        ({"type": 2, "scene": 2, "party": [2]}, 60011),
        (
            {"type": 1, "scene": 2, "user": ["xuqiang"], "is_temp": True, "expires_in": 15 * 86400},
            40058,
        ),
        (
            {
                "type": 1,
                "scene": 2,
                "user": ["xuqiang"],
                "is_temp": True,
                "conclusions": {"image": {"media_id": "3bad"}},
            },
            40007,
        ),
    ],
)
def test_add_contact_way_errors(emu: Emulator, crm: Api, body: dict[str, Any], code: int) -> None:
    before = emu.state_fingerprint()
    r = crm.post("externalcontact/add_contact_way", body)
    assert r["errcode"] == code, r
    assert emu.state_fingerprint() == before


def test_add_contact_way_member_not_activated_41054(ext: Api) -> None:
    r = ext.post("externalcontact/add_contact_way", {"type": 1, "scene": 2, "user": ["dengyi"]})
    assert r["errcode"] == 41054


def test_more_than_100_members_after_expanding_departments_41041(emu: Emulator, ext: Api) -> None:
    token = emu.token("contacts")
    dept = {"name": "地推", "parentid": 1, "id": 60}
    assert (
        emu.call("POST", "department/create", params={"access_token": token}, json=dept)["errcode"]
        == 0
    )
    for i in range(101):
        r = emu.call(
            "POST",
            "user/create",
            params={"access_token": token},
            json={
                "userid": f"rep{i}",
                "name": f"代表{i}",
                "department": [60],
                "email": f"rep{i}@demo-corp.example.com",
            },
        )
        assert r["errcode"] == 0, r
        emu.corp().stores["contacts"].users[f"rep{i}"].status = 1  # they logged in
    r = ext.post("externalcontact/add_contact_way", {"type": 2, "scene": 2, "party": [60]})
    assert r["errcode"] == 41041
    emu.corp().stores["contacts"].users["rep0"].status = 4  # 100 active members: allowed
    r = ext.post("externalcontact/add_contact_way", {"type": 2, "scene": 2, "party": [60]})
    assert r["errcode"] == 0


def test_api_way_quota_41045(emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cw, "API_WAYS_MAX", 2)
    add_way(crm)
    add_way(crm)
    assert (
        crm.post("externalcontact/add_contact_way", {"type": 1, "scene": 2, "user": ["xuqiang"]})[
            "errcode"
        ]
        == 41045
    )
    # temp ways do not count against the quota
    assert (
        crm.post(
            "externalcontact/add_contact_way",
            {"type": 1, "scene": 2, "user": ["xuqiang"], "is_temp": True},
        )["errcode"]
        == 0
    )


@pytest.mark.parametrize(("body", "code"), [({}, 41043), ({"config_id": "0" * 32}, 41044)])
def test_get_update_del_unknown_way(crm: Api, body: dict[str, Any], code: int) -> None:
    for path in ("get_contact_way", "update_contact_way", "del_contact_way"):
        assert crm.post(f"externalcontact/{path}", body)["errcode"] == code


def test_update_replaces_given_fields_and_keeps_others(crm: Api) -> None:
    cid = add_way(crm, remark="旧", state="s1")
    r = crm.post(
        "externalcontact/update_contact_way",
        {"config_id": cid, "state": "s2", "skip_verify": False},
    )
    assert r["errcode"] == 0
    way = crm.post("externalcontact/get_contact_way", {"config_id": cid})["contact_way"]
    assert (way["state"], way["remark"], way["skip_verify"], way["user"]) == (
        "s2",
        "旧",
        False,
        ["xuqiang"],
    )
    assert (
        crm.post(
            "externalcontact/update_contact_way", {"config_id": cid, "user": ["xuqiang", "sunli"]}
        )["errcode"]
        == 41041
    )
    assert (
        crm.post("externalcontact/update_contact_way", {"config_id": cid, "style": 9})["errcode"]
        == 0
    )  # QR: style ignored


def test_update_errors(crm: Api) -> None:
    multi = crm.post(
        "externalcontact/add_contact_way", {"type": 2, "scene": 1, "user": ["xuqiang"]}
    )["config_id"]
    for body, code in (
        ({"style": 3}, 41042),
        ({"user": ["ghost"]}, 60111),
        ({"user": ["zhangsan"]}, 60011),
        ({"party": [999]}, 40066),
        ({"state": "x" * 31}, 40058),
    ):
        assert (
            crm.post("externalcontact/update_contact_way", {"config_id": multi, **body})["errcode"]
            == code
        )


def test_update_temp_way_conclusions_checked(emu: Emulator, ext: Api) -> None:
    cid = add_way(ext, is_temp=True)
    r = ext.post(
        "externalcontact/update_contact_way",
        {
            "config_id": cid,
            "conclusions": {
                "miniprogram": {"title": "t", "pic_media_id": "3nope", "appid": "wx1", "page": "/p"}
            },
        },
    )
    assert r["errcode"] == 40007
    too_many = {
        "config_id": cid,
        "conclusions": {"link": {"title": "t" * 129, "url": "https://e.x"}},
    }
    assert ext.post("externalcontact/update_contact_way", too_many)["errcode"] == 40058


def test_temp_way_attachment_errcodes(emu: Emulator, ext: Api) -> None:
    from mock_server.errors import WeComError
    from mock_server.services.external_contact.attachments import parse_attachments

    corp = emu.corp()
    with pytest.raises(WeComError) as e:
        parse_attachments(corp, {"attachments": [{"msgtype": "text"}]})
    assert e.value.errcode == 41065
    with pytest.raises(WeComError) as e:
        parse_attachments(
            corp, {"attachments": [{"msgtype": "link", "link": {"title": "t", "url": "u"}}] * 10}
        )
    assert e.value.errcode == 41064


def test_delete_way_keeps_relations(emu: Emulator, crm: Api) -> None:
    cid = add_way(crm, state="gone")
    eid = emu.scan_contact_way(cid, customer={"name": "甲", "type": 1})["external_userid"]
    assert crm.post("externalcontact/del_contact_way", {"config_id": cid})["errcode"] == 0
    assert crm.post("externalcontact/get_contact_way", {"config_id": cid})["errcode"] == 41044
    follow = crm.get("externalcontact/get", external_userid=eid)["follow_user"][0]
    assert follow["state"] == "gone"


def test_list_pages_by_cursor_and_excludes_temp_ways(emu: Emulator, crm: Api) -> None:
    ids = [add_way(crm) for _ in range(5)]
    add_way(crm, is_temp=True)
    seen, cursor = [], ""
    for _ in range(10):
        r = crm.post("externalcontact/list_contact_way", {"limit": 2, "cursor": cursor})
        assert r["errcode"] == 0
        seen += [w["config_id"] for w in r["contact_way"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert seen == ids
    assert crm.post("externalcontact/list_contact_way", {"cursor": "x" * 43})["errcode"] == 50100
    assert (
        crm.post("externalcontact/list_contact_way", {"start_time": 10, "end_time": 5})["errcode"]
        == 40058
    )
    emu.advance(91 * 86400)
    crm.token = emu.token("app", 1000003)
    assert crm.post("externalcontact/list_contact_way", {})["contact_way"] == []  # default: 90 days


def test_scan_carries_state_into_event_and_follow_user(emu: Emulator, crm: Api) -> None:
    cid = add_way(crm, state="poster_shopA")
    added = emu.scan_contact_way(cid, customer={"name": "周先生", "type": 1})
    assert added["pending"] is False and added["userid"] == "xuqiang"
    event = emu.events.history("change_external_contact")[-1]
    assert event.data["ChangeType"] == "add_external_contact"
    assert (
        event.data["State"] == "poster_shopA" and event.data["WelcomeCode"] == added["welcome_code"]
    )
    follow = crm.get("externalcontact/get", external_userid=added["external_userid"])["follow_user"]
    assert [(f["userid"], f["state"], f["add_way"]) for f in follow] == [
        ("xuqiang", "poster_shopA", 1)
    ]


def test_scan_without_skip_verify_waits_for_the_member(emu: Emulator, crm: Api) -> None:
    cid = add_way(crm, skip_verify=False, state="needs_ok")
    pending = emu.scan_contact_way(cid, customer={"name": "待通过", "type": 1})
    eid = pending["external_userid"]
    assert pending["pending"] is True
    assert crm.get("externalcontact/get", external_userid=eid)["errcode"] == 84061
    accepted = emu.accept_contact_request("xuqiang", eid)
    assert accepted["welcome_code"]
    assert (
        crm.get("externalcontact/get", external_userid=eid)["follow_user"][0]["state"] == "needs_ok"
    )


def test_multi_member_way_round_robin_and_exclusive(emu: Emulator, crm: Api) -> None:
    r = crm.post(
        "externalcontact/add_contact_way", {"type": 2, "scene": 2, "user": ["xuqiang", "sunli"]}
    )
    picked = [
        emu.scan_contact_way(r["config_id"], customer={"name": f"c{i}", "type": 1})["userid"]
        for i in range(4)
    ]
    assert picked == ["xuqiang", "sunli", "xuqiang", "sunli"]
    r = crm.post(
        "externalcontact/add_contact_way",
        {"type": 2, "scene": 2, "user": ["mahao", "zhuting"], "is_exclusive": True},
    )
    first = emu.scan_contact_way(
        r["config_id"], customer={"name": "王", "type": 2, "corp_name": "同一家"}
    )
    again = emu.scan_contact_way(
        r["config_id"], customer={"name": "李", "type": 2, "corp_name": "同一家"}
    )
    assert first["userid"] == again["userid"]


def test_temp_way_works_once_and_close_temp_chat(emu: Emulator, crm: Api) -> None:
    media = emu.upload_media(b"\x89PNG....", type="image", filename="a.png")
    cid = add_way(
        crm,
        is_temp=True,
        conclusions={"text": {"content": "感谢咨询"}, "image": {"media_id": media}},
    )
    way = crm.post("externalcontact/get_contact_way", {"config_id": cid})["contact_way"]
    assert way["expires_in"] == 7 * 86400 and way["chat_expires_in"] == 86400
    assert way["conclusions"]["image"]["pic_url"].startswith("https://")
    eid = emu.scan_contact_way(cid, customer={"name": "患者", "type": 1})["external_userid"]
    with pytest.raises(Exception, match="expired or was already used"):
        emu.scan_contact_way(cid, customer={"name": "第二位", "type": 1})
    body = {"userid": "xuqiang", "external_userid": eid}
    assert crm.post("externalcontact/close_temp_chat", body)["errcode"] == 0
    assert [m["kind"] for m in emu.customer_messages(eid)] == ["conclusions"]
    assert crm.post("externalcontact/close_temp_chat", body)["errcode"] == 84061


def test_close_temp_chat_errors(emu: Emulator, crm: Api) -> None:
    eid = crm.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    for body, code in (
        ({"userid": "xuqiang", "external_userid": eid}, 84061),  # not a temp chat
        ({"userid": "xuqiang", "external_userid": "wmNOPE"}, 40096),
        ({"userid": "ghost", "external_userid": eid}, 60111),
        ({"userid": "zhangsan", "external_userid": eid}, 60011),
    ):
        assert crm.post("externalcontact/close_temp_chat", body)["errcode"] == code


def test_temp_chat_expires_on_the_clock(emu: Emulator, crm: Api) -> None:
    cid = add_way(crm, is_temp=True, chat_expires_in=3600)
    eid = emu.scan_contact_way(cid, customer={"name": "过期", "type": 1})["external_userid"]
    emu.advance(3601)
    crm.token = emu.token("app", 1000003)
    r = crm.post("externalcontact/close_temp_chat", {"userid": "xuqiang", "external_userid": eid})
    assert r["errcode"] == 84061
    assert external_scrm(emu.corp()).temp_chats  # still recorded, just no longer open


def test_admin_action_scans_a_way(emu: Emulator, crm: Api) -> None:
    from mock_server.core.admin import AdminError

    cid = add_way(crm, state="admin")
    body = {"config_id": cid, "customer": {"name": "HTTP", "type": 1}}
    r = emu.admin("POST", "/external/scrm/contact_way/scan", body)
    assert r["userid"] == "xuqiang" and r["pending"] is False
    with pytest.raises(AdminError, match="unknown config_id"):
        emu.admin("POST", "/external/scrm/contact_way/scan", {"config_id": "nope"})
