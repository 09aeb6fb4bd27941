"""Linked corps (互联企业): the demo's partner corp seen and messaged by app 1000002."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator

PARTNER = "wwpartner000000001"
LINK = "lkdemo7788"


def api(emu: Emulator, scope: str = "app", agentid: int | None = 1000002) -> Any:
    token = emu.token(scope, agentid)

    def call(name: str, body: Any = None) -> dict[str, Any]:
        return emu.call("POST", name, params={"access_token": token}, json=body or {})

    return call


def test_perm_list_has_only_partner_entries(emu: Emulator) -> None:
    assert api(emu)("linkedcorp/agent/get_perm_list") == {
        "errcode": 0,
        "errmsg": "ok",
        "userids": [f"{PARTNER}/huangzhong"],
        "department_ids": [f"{LINK}/112"],
    }
    other = api(emu, "app", 1000003)("linkedcorp/agent/get_perm_list")
    assert (other["userids"], other["department_ids"]) == ([], [])


def test_user_get(emu: Emulator) -> None:
    call = api(emu)
    info = call("linkedcorp/user/get", {"userid": f"{PARTNER}/zhaoyun"})["user_info"]
    assert (info["userid"], info["corpid"], info["department"]) == (
        "zhaoyun",
        PARTNER,
        [f"{LINK}/112"],
    )
    assert info["extattr"]["attrs"][0]["text"]["value"] == "P1001"
    # huangzhong is visible by name, his department is not.
    assert (
        call("linkedcorp/user/get", {"userid": f"{PARTNER}/huangzhong"})["user_info"]["department"]
        == []
    )
    assert call("linkedcorp/user/get", {"userid": f"{PARTNER}/ghost"})["errcode"] == 60111
    assert call("linkedcorp/user/get", {"userid": "zhaoyun"})["errcode"] == 40058
    outside = api(emu, "app", 1000003)("linkedcorp/user/get", {"userid": f"{PARTNER}/zhaoyun"})
    assert outside["errcode"] == 60011


def test_user_lists(emu: Emulator) -> None:
    call = api(emu)
    only = call("linkedcorp/user/simplelist", {"department_id": f"{LINK}/112"})["userlist"]
    assert only == [
        {"userid": "zhaoyun", "name": "赵云", "department": [f"{LINK}/112"], "corpid": PARTNER}
    ]
    both = call("linkedcorp/user/list", {"department_id": f"{LINK}/112", "fetch_child": True})
    assert [u["userid"] for u in both["userlist"]] == ["zhaoyun", "machao"]
    assert both["userlist"][1]["position"] == "仓储主管"
    assert call("linkedcorp/user/list", {"department_id": f"{LINK}/120"})["errcode"] == 60011
    assert call("linkedcorp/user/list", {"department_id": f"{LINK}/999"})["errcode"] == 60003
    assert call("linkedcorp/user/simplelist", {"department_id": "112"})["errcode"] == 40058


def test_department_list(emu: Emulator) -> None:
    call = api(emu)
    r = call("linkedcorp/department/list", {"department_id": f"{LINK}/112"})
    assert r["department_list"] == [
        {"department_id": "112", "department_name": "联合项目组", "parentid": "100", "order": 99},
        {"department_id": "113", "department_name": "仓储组", "parentid": "112", "order": 50},
    ]
    assert call("linkedcorp/department/list", {"department_id": f"{LINK}/100"})["errcode"] == 60011


def test_message_send_reaches_own_and_partner_members(emu: Emulator) -> None:
    call = api(emu)
    r = call(
        "linkedcorp/message/send",
        {
            "touser": ["zhangsan", f"{PARTNER}/HuangZhong", "wwother/Ghost"],
            "toparty": [f"{LINK}/113", f"{LINK}/120", "99999"],
            "totag": ["777"],
            "msgtype": "text",
            "agentid": 1000002,
            "text": {"content": "联合项目周会"},
        },
    )
    assert r == {
        "errcode": 0,
        "errmsg": "ok",
        "invaliduser": ["wwother/ghost"],
        "invalidparty": [f"{LINK}/120", "99999"],
        "invalidtag": ["777"],
    }
    sent = {m.to for m in emu.messages() if m.text == "联合项目周会"}
    assert sent == {"zhangsan", f"{PARTNER}/huangzhong", f"{PARTNER}/machao"}


def test_message_send_toall_and_errors(emu: Emulator) -> None:
    call = api(emu)
    body = {
        "toall": 1,
        "msgtype": "markdown",
        "agentid": 1000002,
        "markdown": {"content": "**全员**"},
    }
    assert call("linkedcorp/message/send", body)["errcode"] == 0
    assert f"{PARTNER}/zhaoyun" in {m.to for m in emu.messages(msgtype="markdown")}
    nobody = {
        "touser": ["wwother/ghost"],
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "x"},
    }
    r = call("linkedcorp/message/send", nobody)
    assert (r["errcode"], r["invaliduser"]) == (81013, ["wwother/ghost"])
    assert call("linkedcorp/message/send", {**nobody, "msgtype": "voice"})["errcode"] == 40008
    assert call("linkedcorp/message/send", {**nobody, "agentid": 1000003})["errcode"] == 301002
    assert call("linkedcorp/message/send", {**nobody, "touser": "zhangsan"})["errcode"] == 40058
    assert call("linkedcorp/message/send", {**nobody, "text": {}})["errcode"] == 44004


@pytest.mark.parametrize(
    "path",
    [
        "linkedcorp/agent/get_perm_list",
        "linkedcorp/user/get",
        "linkedcorp/user/simplelist",
        "linkedcorp/user/list",
        "linkedcorp/department/list",
        "linkedcorp/message/send",
    ],
)
def test_self_built_apps_only(emu: Emulator, path: str) -> None:
    assert api(emu, "contacts", None)(path)["errcode"] == 48002


MP = {"appid": "wx0123456789abcdef", "page": "p", "title": "项目周报", "content_item": []}


@pytest.mark.parametrize(
    ("patch", "errcode"),
    [
        ({"msgtype": "file", "safe": 1, "file": {"media_id": "EXE"}}, 40004),
        ({"msgtype": "image", "image": {"media_id": "3nosuchmedia"}}, 40007),
        ({"msgtype": "voice"}, 40008),
        ({"agentid": 42}, 40056),
        ({"touser": "zhangsan"}, 40058),
        ({"msgtype": "image", "image": {}}, 41006),
        ({"msgtype": "textcard", "textcard": {"title": "t", "description": "d"}}, 41010),
        ({"agentid": None}, 41011),
        ({"msgtype": "textcard", "textcard": {"description": "d", "url": "https://x.cn"}}, 41016),
        ({"msgtype": "textcard", "textcard": {"title": "t", "url": "https://x.cn"}}, 41033),
        ({"text": {}}, 44004),
        ({"msgtype": "markdown", "markdown": {"content": "长" * 700}}, 45002),
        ({"msgtype": "news", "news": {"articles": []}}, 45008),
        ({"touser": ["wwother/ghost"]}, 81013),
        ({"msgtype": "miniprogram_notice", "miniprogram_notice": {"title": "项目周报"}}, 90200),
        (
            {
                "msgtype": "miniprogram_notice",
                "miniprogram_notice": {**MP, "content_item": [{"key": "k", "value": "v"}] * 11},
            },
            90201,
        ),
        (
            {
                "msgtype": "miniprogram_notice",
                "miniprogram_notice": {**MP, "content_item": [{"key": "k" * 11, "value": "v"}]},
            },
            90202,
        ),
        (
            {
                "msgtype": "miniprogram_notice",
                "miniprogram_notice": {**MP, "content_item": [{"key": "k", "value": "v" * 31}]},
            },
            90203,
        ),
        (
            {"msgtype": "miniprogram_notice", "miniprogram_notice": {**MP, "page": "p" * 1025}},
            90204,
        ),
        ({"msgtype": "miniprogram_notice", "miniprogram_notice": {**MP, "appid": "bad"}}, 90207),
        ({"agentid": 1000003}, 301002),
    ],
)
def test_message_send_errcodes(emu: Emulator, patch: dict[str, Any], errcode: int) -> None:
    from mock_server.services.messaging.media.models import add_media

    corp = emu.corp()
    with emu.transaction(corp):
        exe = add_media(corp, type="file", data=b"MZ-not-really", filename="setup.exe").media_id
    body: dict[str, Any] = {
        "touser": ["zhangsan", f"{PARTNER}/zhaoyun"],
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "hello"},
        **patch,
    }
    if body.get("file") == {"media_id": "EXE"}:
        body["file"] = {"media_id": exe}
    body = {k: v for k, v in body.items() if v is not None}
    before = len(emu.messages())
    assert api(emu)("linkedcorp/message/send", body)["errcode"] == errcode
    assert len(emu.messages()) == before


@pytest.mark.parametrize("path", ["linkedcorp/user/simplelist", "linkedcorp/user/list"])
def test_list_errcodes(emu: Emulator, path: str) -> None:
    call = api(emu)
    assert call(path, {"department_id": "bad"})["errcode"] == 40058
    assert call(path, {"department_id": f"{LINK}/999"})["errcode"] == 60003
    assert call(path, {"department_id": f"{LINK}/120"})["errcode"] == 60011
    assert call(path, {"department_id": f"{LINK}/112", "fetch_child": "yes"})["errcode"] == 40058


def test_department_list_errcodes(emu: Emulator) -> None:
    call = api(emu)
    assert call("linkedcorp/department/list", {"department_id": 112})["errcode"] == 40058
    assert call("linkedcorp/department/list", {"department_id": f"{LINK}/999"})["errcode"] == 60003
    assert call("linkedcorp/department/list", {"department_id": "other/112"})["errcode"] == 60003
