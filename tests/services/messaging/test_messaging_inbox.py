"""The inbox: filters, the helpers' failure messages, the admin API, and two end-to-end runs
(a live server, and wechatpy in intercept mode — the README example)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mock_server import Emulator
from mock_server.web.app import create_app
from mock_server.web.server import ServerThread
from tests.conftest import Api

KEY = "DEMO-ops-alerts-robot-key-not-real"


def fill(emu: Emulator) -> dict[str, Any]:
    app = Api(emu, "app", 1000002)
    app.post(
        "message/send",
        {
            "touser": "zhangsan|lisi",
            "msgtype": "text",
            "agentid": 1000002,
            "text": {"content": "build ok"},
        },
    )
    emu.advance(10)
    app.post(
        "message/send",
        {
            "touser": "zhangsan",
            "msgtype": "markdown",
            "agentid": 1000002,
            "markdown": {"content": "**deploy** done"},
        },
    )
    chatid = app.post("appchat/create", {"userlist": ["zhangsan", "lisi"], "chatid": "ops"})[
        "chatid"
    ]
    app.post(
        "appchat/send", {"chatid": chatid, "msgtype": "text", "text": {"content": "chat hello"}}
    )
    emu.call(
        "POST",
        "webhook/send",
        params={"key": KEY},
        json={"msgtype": "text", "text": {"content": "robot hi"}},
    )
    return {"chat": chatid}


def test_filters(emu: Emulator) -> None:
    fill(emu)
    assert len(emu.messages()) == 5
    assert [m.msgtype for m in emu.messages(to="ZhangSan")] == ["text", "markdown"]
    assert emu.messages(to="zhangsan", msgtype="markdown").one().text == "**deploy** done"
    assert emu.messages(chat="ops").one().text == "chat hello"
    assert emu.messages(robot=KEY).one().text == "robot hi"
    first = emu.messages()[0].time
    assert len(emu.messages(since=first + 5)) == 3
    assert emu.messages(msgtype="voice") == []


def test_one_fails_listing_what_was_sent(emu: Emulator) -> None:
    fill(emu)
    with pytest.raises(AssertionError) as err:
        emu.messages(to="wangfang").one()
    text = str(err.value)
    assert "expected exactly one message matching to='wangfang', found 0." in text
    assert "Sent so far (5):" in text
    assert "app markdown -> zhangsan: '**deploy** done'" in text
    assert "robot text -> robot DEMO-ops-alerts-robot-key-not-real: 'robot hi'" in text
    with pytest.raises(AssertionError, match="found 2"):
        emu.messages(to="zhangsan").one()


def test_assert_sent(emu: Emulator) -> None:
    assert emu.messages() == []
    with pytest.raises(AssertionError, match=r"Nothing was sent\."):
        emu.assert_sent(to="zhangsan")
    fill(emu)
    found = emu.assert_sent(to="zhangsan", text="deploy")
    assert found.one().msgtype == "markdown"
    emu.assert_sent(to="lisi", count=1)
    with pytest.raises(AssertionError) as err:
        emu.assert_sent(to="lisi", msgtype="markdown", text="deploy")
    text = str(err.value)
    assert (
        "expected a message matching to='lisi', msgtype='markdown', text='deploy', found 0." in text
    )
    assert "app text -> lisi: 'build ok'" in text
    with pytest.raises(AssertionError, match="expected exactly 3 message"):
        emu.assert_sent(to="zhangsan", count=3)


def test_clear_messages(emu: Emulator) -> None:
    fill(emu)
    assert emu.clear_messages() == 5
    assert emu.messages() == []


def test_inbox_is_bounded(emu: Emulator) -> None:
    from mock_server.services.messaging import models as m

    corp = emu.corp()
    for i in range(m.INBOX_LIMIT + 5):
        m.deliver(corp, kind="robot", msgtype="text", content={}, text=str(i), robot=KEY)
    assert len(emu.messages()) == m.INBOX_LIMIT
    assert emu.messages()[0].text == "5"
    assert m.messaging(corp).inbox_dropped == 5


def test_admin_api(emu: Emulator) -> None:
    fill(emu)
    client = create_app(emu).test_client()
    body = client.get(
        "/__admin/messages", query_string={"to": "zhangsan", "msgtype": "text"}
    ).get_json()
    assert body["count"] == 1 and body["messages"][0]["text"] == "build ok"
    assert body["messages"][0]["agentid"] == 1000002
    assert client.get("/__admin/messages", query_string={"robot": KEY}).get_json()["count"] == 1
    assert client.get("/__admin/messages", query_string={"chat": "ops"}).get_json()["count"] == 1
    since = emu.messages()[0].time + 5
    assert client.get("/__admin/messages", query_string={"since": since}).get_json()["count"] == 3
    bad = client.get("/__admin/messages", query_string={"since": "soon"})
    assert bad.status_code == 400 and "since" in bad.get_json()["error"]
    assert client.delete("/__admin/messages").get_json() == {"status": "cleared", "removed": 5}
    assert client.get("/__admin/messages").get_json()["count"] == 0


def test_live_server(wecom_server: ServerThread) -> None:
    token = requests.get(
        wecom_server.api_base + "/gettoken",
        params={"corpid": "wwdemo0000000000001", "corpsecret": "DEMO-app-1000002-secret-not-real"},
        timeout=5,
    ).json()["access_token"]
    body = requests.post(
        wecom_server.api_base + "/message/send",
        params={"access_token": token},
        json={
            "touser": "zhangsan|ghost",
            "msgtype": "text",
            "agentid": 1000002,
            "text": {"content": "over http"},
        },
        timeout=5,
    ).json()
    assert body["errcode"] == 0 and body["invaliduser"] == "ghost"
    inbox = requests.get(
        wecom_server.url + "/__admin/messages", params={"to": "zhangsan"}, timeout=5
    ).json()
    assert [m["text"] for m in inbox["messages"]] == ["over http"]
    wecom_server.emulator.assert_sent(to="zhangsan", text="over http")


# The README example: a third-party client (wechatpy) in intercept mode, asserting on the inbox.
def test_wechatpy_notification(wecom: Emulator) -> None:
    from wechatpy.enterprise import WeChatClient

    client = WeChatClient("wwdemo0000000000001", "DEMO-app-1000002-secret-not-real")
    result = client.message.send_markdown(1000002, ["zhangsan", "lisi"], "**Deploy** v1.4 done")
    assert result["invaliduser"] == ""

    msg = wecom.messages(to="zhangsan", msgtype="markdown").one()
    assert msg.text == "**Deploy** v1.4 done"
    wecom.assert_sent(to="lisi", text="v1.4")
