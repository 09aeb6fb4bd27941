"""Welcome messages (20-second single-use code) and group welcome templates."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.external_contact import welcome as w
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def scanned(emu: Emulator, crm: Api, userid: str = "xuqiang") -> dict[str, Any]:
    cid = crm.post("externalcontact/add_contact_way", {"type": 1, "scene": 2, "user": [userid]})
    return emu.scan_contact_way(cid["config_id"], customer={"name": "新客", "type": 1})


def test_welcome_lands_in_the_customers_view_once(emu: Emulator, crm: Api) -> None:
    added = scanned(emu, crm)
    image = emu.upload_media(b"\x89PNG1234", type="image", filename="a.png")
    body = {
        "welcome_code": added["welcome_code"],
        "text": {"content": "你好，我是客服"},
        "attachments": [
            {"msgtype": "image", "image": {"media_id": image}},
            {"msgtype": "link", "link": {"title": "新客礼包", "url": "https://example.com/g"}},
        ],
    }
    assert crm.post("externalcontact/send_welcome_msg", body)["errcode"] == 0
    [msg] = emu.customer_messages(added["external_userid"])
    assert msg["kind"] == "welcome" and msg["userid"] == "xuqiang"
    assert msg["text"] == {"content": "你好，我是客服"}
    assert [a["msgtype"] for a in msg["attachments"]] == ["image", "link"]
    assert crm.post("externalcontact/send_welcome_msg", body)["errcode"] == 41050
    assert len(emu.customer_messages(added["external_userid"])) == 1


def test_welcome_code_expires_after_20_seconds(emu: Emulator, crm: Api) -> None:
    added = scanned(emu, crm)
    emu.advance(w.WELCOME_CODE_TTL + 1)
    body = {"welcome_code": added["welcome_code"], "text": {"content": "迟到了"}}
    assert crm.post("externalcontact/send_welcome_msg", body)["errcode"] == 41050


def test_welcome_code_still_valid_at_20_seconds(emu: Emulator, crm: Api) -> None:
    added = scanned(emu, crm)
    emu.advance(w.WELCOME_CODE_TTL)
    body = {"welcome_code": added["welcome_code"], "text": {"content": "刚好"}}
    assert crm.post("externalcontact/send_welcome_msg", body)["errcode"] == 0


def test_welcome_after_chat_started_41051(emu: Emulator, crm: Api) -> None:
    added = scanned(emu, crm)
    eid = added["external_userid"]
    msgid = crm.post(
        "externalcontact/add_msg_template", {"external_userid": [eid], "text": {"content": "促销"}}
    )["msgid"]
    emu.confirm_groupmsg(msgid, "xuqiang")
    body = {"welcome_code": added["welcome_code"], "text": {"content": "欢迎"}}
    r = crm.post("externalcontact/send_welcome_msg", body)
    assert r["errcode"] == 41051 and r["errmsg"].startswith("externaluser has started chatting")


def test_welcome_after_member_deleted_customer_84061(emu: Emulator, crm: Api) -> None:
    added = scanned(emu, crm)
    emu.follow_delete_customer("xuqiang", added["external_userid"])
    body = {"welcome_code": added["welcome_code"], "text": {"content": "x"}}
    assert crm.post("externalcontact/send_welcome_msg", body)["errcode"] == 84061


def test_welcome_member_outside_visibility_60011(emu: Emulator, crm: Api) -> None:
    added = emu.customer_add_follow("zhangsan", customer={"name": "外", "type": 1})
    body = {"welcome_code": added["welcome_code"], "text": {"content": "x"}}
    assert crm.post("externalcontact/send_welcome_msg", body)["errcode"] == 60011


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"welcome_code": ""}, 41049),
        ({"welcome_code": "nope"}, 41050),
        ({"text": None}, 40058),  # text and attachments both empty
        ({"text": {"content": "长" * 1334}}, 40058),  # > 4000 bytes
        ({"attachments": [{"msgtype": "voice", "voice": {}}]}, 41065),
        ({"attachments": [{"msgtype": "link", "link": {"title": "t", "url": "u"}}] * 10}, 41064),
        ({"attachments": [{"msgtype": "image", "image": {"media_id": "3nope"}}]}, 40007),
        ({"attachments": [{"msgtype": "link", "link": {"url": "u"}}]}, 40058),
    ],
)
def test_send_welcome_msg_errors(emu: Emulator, crm: Api, extra: dict[str, Any], code: int) -> None:
    added = scanned(emu, crm)
    body = {"welcome_code": added["welcome_code"], "text": {"content": "hi"}, **extra}
    body = {k: v for k, v in body.items() if v is not None}
    r = crm.post("externalcontact/send_welcome_msg", body)
    assert r["errcode"] == code, r
    # a rejected request does not consume the code
    ok = {"welcome_code": added["welcome_code"], "text": {"content": "hi"}}
    assert crm.post("externalcontact/send_welcome_msg", ok)["errcode"] == 0


# -- group welcome templates -------------------------------------------------------------------
def test_template_add_get_edit_del(emu: Emulator, crm: Api) -> None:
    image = emu.upload_media(b"\x89PNG1234", type="image", filename="a.png")
    r = crm.post(
        "externalcontact/group_welcome_template/add",
        {
            "text": {"content": "欢迎%NICKNAME%加入"},
            "image": {"media_id": image},
            "link": {"title": "ignored", "url": "https://e.x"},
        },
    )
    assert r["errcode"] == 0 and r["template_id"].startswith("msg")
    tid = r["template_id"]
    got = crm.post("externalcontact/group_welcome_template/get", {"template_id": tid})
    assert got["text"] == {"content": "欢迎%NICKNAME%加入"}
    assert got["image"]["pic_url"].startswith("https://") and "link" not in got
    edit = {"template_id": tid, "text": {"content": "新文案"}}
    assert crm.post("externalcontact/group_welcome_template/edit", edit)["errcode"] == 0
    got = crm.post("externalcontact/group_welcome_template/get", {"template_id": tid})
    assert got["text"] == {"content": "新文案"} and "image" not in got
    assert (
        crm.post("externalcontact/group_welcome_template/del", {"template_id": tid})["errcode"] == 0
    )
    assert (
        crm.post("externalcontact/group_welcome_template/get", {"template_id": tid})["errcode"]
        == 40058
    )


def test_template_errors(emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    add = "externalcontact/group_welcome_template/add"
    assert crm.post(add, {})["errcode"] == 40058
    assert crm.post(add, {"text": {"content": "x" * 3001}})["errcode"] == 40058
    assert crm.post(add, {"file": {"media_id": "3nope"}})["errcode"] == 40007
    assert crm.post(add, {"text": {"content": "x"}, "notify": 2})["errcode"] == 40058
    tid = crm.post(add, {"text": {"content": "mine"}})["template_id"]
    monkeypatch.setattr(w, "TEMPLATES_MAX", 1)
    assert crm.post(add, {"text": {"content": "full"}})["errcode"] == 41055
    # another app (the customer-contact secret counts as the console here) may not edit ours
    other = Api(emu, "app", 1000002)
    emu.corp().agents[1000002].permissions.append("externalcontact")
    edit = {"template_id": tid, "text": {"content": "theirs"}}
    assert other.post("externalcontact/group_welcome_template/edit", edit)["errcode"] == 41058
    assert (
        other.post("externalcontact/group_welcome_template/del", {"template_id": tid})["errcode"]
        == 41058
    )
    assert (
        crm.post(
            "externalcontact/group_welcome_template/edit",
            {"template_id": "msgNOPE", "text": {"content": "x"}},
        )["errcode"]
        == 40058
    )
    assert crm.post("externalcontact/group_welcome_template/del", {})["errcode"] == 40058
    assert (
        crm.post(
            "externalcontact/group_welcome_template/edit",
            {"template_id": tid, "video": {"media_id": "3x"}},
        )["errcode"]
        == 40007
    )
