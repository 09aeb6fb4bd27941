"""appchat/create|update|get|send: permission, member rules, delivery into the chat's inbox."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api

MEMBERS = ["zhangsan", "lisi", "wangfang"]


def create(api: Api, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "值班群", "owner": "zhangsan", "userlist": MEMBERS}
    body.update(fields)
    return api.post("appchat/create", {k: v for k, v in body.items() if v is not None})


def test_create_get_update_send(emu: Emulator, app_api: Api) -> None:
    chatid = create(app_api, chatid="oncall")["chatid"]
    assert chatid == "oncall"
    info = app_api.get("appchat/get", chatid=chatid)["chat_info"]
    assert info == {
        "chatid": "oncall",
        "name": "值班群",
        "owner": "zhangsan",
        "userlist": MEMBERS,
        "chat_type": 0,
    }
    body = app_api.post(
        "appchat/update",
        {
            "chatid": chatid,
            "name": "新名字",
            "owner": "lisi",
            "add_user_list": ["liuyang"],
            "del_user_list": ["zhangsan"],
        },
    )
    assert body == {"errcode": 0, "errmsg": "ok"}
    info = app_api.get("appchat/get", chatid=chatid)["chat_info"]
    assert info["owner"] == "lisi" and info["userlist"] == ["lisi", "wangfang", "liuyang"]
    assert info["name"] == "新名字"
    sent = app_api.post(
        "appchat/send",
        {
            "chatid": chatid,
            "msgtype": "text",
            "text": {"content": "hi", "mentioned_list": ["@all"]},
        },
    )
    assert sent == {"errcode": 0, "errmsg": "ok"}
    msg = emu.messages(chat=chatid).one()
    assert msg.kind == "appchat" and msg.agentid == 1000002 and msg.mentioned == ["@all"]


def test_generated_chatid_and_owner(app_api: Api) -> None:
    body = create(app_api, owner=None)
    assert body["errcode"] == 0 and len(body["chatid"]) <= 32
    info = app_api.get("appchat/get", chatid=body["chatid"])["chat_info"]
    assert info["owner"] in MEMBERS


def test_name_truncated_to_50_chars(app_api: Api) -> None:
    chatid = create(app_api, name="群" * 60)["chatid"]
    assert app_api.get("appchat/get", chatid=chatid)["chat_info"]["name"] == "群" * 50


def test_app_without_root_visibility_48002(emu: Emulator) -> None:
    assert create(Api(emu, "app", 1000003))["errcode"] == 48002


def test_contacts_secret_48002(contacts_api: Api) -> None:
    assert create(contacts_api)["errcode"] == 48002


def test_one_member_86006(app_api: Api) -> None:
    assert create(app_api, userlist=["zhangsan"])["errcode"] == 86006


def test_no_userlist_86204(app_api: Api) -> None:
    assert create(app_api, userlist=None)["errcode"] == 86204


def test_unknown_member_86007(app_api: Api) -> None:
    assert create(app_api, userlist=["zhangsan", "ghost"])["errcode"] == 86007


def test_owner_not_member_86207(app_api: Api) -> None:
    assert create(app_api, owner="fengtao")["errcode"] == 86207


def test_unknown_owner_86005(app_api: Api) -> None:
    assert create(app_api, owner="ghost")["errcode"] == 86005


def test_bad_chatid_86001_and_too_long_86205(app_api: Api) -> None:
    assert create(app_api, chatid="bad-id!")["errcode"] == 86001
    assert create(app_api, chatid="a" * 33)["errcode"] == 86205


def test_duplicate_chatid_86215(app_api: Api) -> None:
    assert create(app_api, chatid="dup")["errcode"] == 0
    assert create(app_api, chatid="dup")["errcode"] == 86215


def test_get_unknown_86003_and_missing_86201(app_api: Api) -> None:
    assert app_api.get("appchat/get", chatid="nope")["errcode"] == 86003
    assert app_api.get("appchat/get")["errcode"] == 86201


def test_chat_of_another_app_86008(emu: Emulator, app_api: Api) -> None:
    chatid = create(app_api)["chatid"]
    other = Api(emu, "app", 1000004)  # also root-visible
    assert other.get("appchat/get", chatid=chatid)["errcode"] == 86008
    body = other.post(
        "appchat/send", {"chatid": chatid, "msgtype": "text", "text": {"content": "x"}}
    )
    assert body["errcode"] == 86008
    assert emu.messages() == []


def test_update_removing_a_non_member_86216(app_api: Api) -> None:
    chatid = create(app_api)["chatid"]
    body = app_api.post("appchat/update", {"chatid": chatid, "del_user_list": ["fengtao"]})
    assert body["errcode"] == 86216
    body = app_api.post("appchat/update", {"chatid": chatid, "add_user_list": ["ghost"]})
    assert body["errcode"] == 86216


def test_update_removing_owner_needs_new_owner_86203(app_api: Api) -> None:
    chatid = create(app_api)["chatid"]
    body = app_api.post("appchat/update", {"chatid": chatid, "del_user_list": ["zhangsan"]})
    assert body["errcode"] == 86203
    assert app_api.get("appchat/get", chatid=chatid)["chat_info"]["userlist"] == MEMBERS


def test_update_below_two_members_86006(app_api: Api) -> None:
    chatid = create(app_api)["chatid"]
    body = app_api.post("appchat/update", {"chatid": chatid, "del_user_list": ["lisi", "wangfang"]})
    assert body["errcode"] == 86006


@pytest.mark.parametrize(
    ("msgtype", "payload", "errcode"),
    [
        ("template_card", {"card_type": "text_notice"}, 40008),
        ("text", {"content": ""}, 44004),
        (
            "news",
            {"articles": [{"title": "t", "appid": "wx0123456789abcdef", "pagepath": "p"}]},
            41010,
        ),
        ("textcard", {"title": "t", "url": "https://x"}, 41033),
    ],
)
def test_send_validation(app_api: Api, msgtype: str, payload: dict[str, Any], errcode: int) -> None:
    chatid = create(app_api)["chatid"]
    body = app_api.post("appchat/send", {"chatid": chatid, "msgtype": msgtype, msgtype: payload})
    assert body["errcode"] == errcode


def test_send_markdown_and_textcard(emu: Emulator, app_api: Api) -> None:
    chatid = create(app_api)["chatid"]
    app_api.post(
        "appchat/send", {"chatid": chatid, "msgtype": "markdown", "markdown": {"content": "# up"}}
    )
    card = {"title": "t" * 200, "description": "d", "url": "https://x"}
    app_api.post("appchat/send", {"chatid": chatid, "msgtype": "textcard", "textcard": card})
    msgs = emu.messages(chat=chatid)
    assert [m.msgtype for m in msgs] == ["markdown", "textcard"]
    assert len(msgs[1].content["title"].encode()) == 128


def test_name_of_the_wrong_type_86004(app_api: Api) -> None:
    assert create(app_api, name=123)["errcode"] == 86004


def test_numeric_chatid_86206(app_api: Api) -> None:
    assert create(app_api, chatid=12345678901234567890)["errcode"] == 86206
