"""Group robot webhook: every msgtype, limits, the per-robot rate limit, keys, upload_media."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
import requests

from mock_server import Emulator

KEY = "DEMO-ops-alerts-robot-key-not-real"
OTHER = "DEMO-sales-daily-robot-key-not-real"
HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def post(emu: Emulator, body: Any, key: str = KEY) -> dict[str, Any]:
    return emu.call("POST", "webhook/send", params={"key": key}, json=body)


def image(data: bytes = PNG, md5: str | None = None) -> dict[str, Any]:
    return {
        "msgtype": "image",
        "image": {
            "base64": base64.b64encode(data).decode(),
            "md5": md5 or hashlib.md5(data).hexdigest(),
        },
    }


def upload(
    key: str = KEY, type: str = "file", name: str = "r.txt", data: bytes = b"report body"
) -> dict[str, Any]:
    resp = requests.post(
        HOOK + "upload_media",
        params={"key": key, "type": type},
        files={"media": (name, data)},
        timeout=5,
    )
    return resp.json()  # type: ignore[no-any-return]


def test_text_with_mentions(emu: Emulator) -> None:
    body = {
        "msgtype": "text",
        "text": {
            "content": "告警",
            "mentioned_list": ["lisi", "@all"],
            "mentioned_mobile_list": ["13852880483"],
        },
    }
    assert post(emu, body) == {"errcode": 0, "errmsg": "ok"}
    msg = emu.messages(robot=KEY).one()
    assert msg.kind == "robot" and msg.text == "告警"
    assert msg.mentioned == ["lisi", "@all", "zhangsan"]
    assert msg.chat == emu.robots()[0]["chatid"]


@pytest.mark.parametrize("msgtype", ["markdown", "markdown_v2"])
def test_markdown_kinds(emu: Emulator, msgtype: str) -> None:
    assert post(emu, {"msgtype": msgtype, msgtype: {"content": "**ok**"}})["errcode"] == 0
    assert post(emu, {"msgtype": msgtype, msgtype: {"content": "x" * 4097}})["errcode"] == 40058
    assert emu.messages(robot=KEY, msgtype=msgtype).one().text == "**ok**"


def test_markdown_over_4096_message(emu: Emulator) -> None:
    body = post(emu, {"msgtype": "markdown", "markdown": {"content": "x" * 4097}})
    assert body["errmsg"].startswith(
        "markdown.content exceed max length 4096. invalid Request Parameter"
    )


def test_text_limit_is_5120_bytes(emu: Emulator) -> None:
    assert post(emu, {"msgtype": "text", "text": {"content": "x" * 5120}})["errcode"] == 0
    body = post(emu, {"msgtype": "text", "text": {"content": "x" * 5121}})
    assert body["errcode"] == 40058
    assert body["errmsg"].startswith("text.content exceed max length 5120.")


def test_empty_text_44004(emu: Emulator) -> None:
    assert post(emu, {"msgtype": "text", "text": {"content": ""}})["errcode"] == 44004


def test_image_checked_by_md5(emu: Emulator) -> None:
    assert post(emu, image())["errcode"] == 0
    assert post(emu, image(md5="0" * 32))["errcode"] == 40058
    assert len(emu.messages(robot=KEY)) == 1


def test_image_too_large_93018(emu: Emulator) -> None:
    assert post(emu, image(PNG + b"\x00" * (2 * 1024 * 1024)))["errcode"] == 93018


def test_image_not_jpg_or_png_40004(emu: Emulator) -> None:
    assert post(emu, image(b"GIF89a" + b"\x00" * 20))["errcode"] == 40004


def test_news(emu: Emulator) -> None:
    art = {
        "title": "周报",
        "description": "d",
        "url": "https://x.example",
        "picurl": "https://x.example/p.png",
    }
    assert post(emu, {"msgtype": "news", "news": {"articles": [art]}})["errcode"] == 0
    assert post(emu, {"msgtype": "news", "news": {"articles": [art] * 9}})["errcode"] == 45008
    no_url = {"title": "t"}
    assert post(emu, {"msgtype": "news", "news": {"articles": [no_url]}})["errcode"] == 41010


def test_template_card_text_and_news_notice_only(emu: Emulator) -> None:
    card = {
        "card_type": "text_notice",
        "main_title": {"title": "t"},
        "card_action": {"type": 1, "url": "https://x"},
    }
    assert post(emu, {"msgtype": "template_card", "template_card": card})["errcode"] == 0
    news = {**card, "card_type": "news_notice"}
    assert post(emu, {"msgtype": "template_card", "template_card": news})["errcode"] == 42044
    button = {**card, "card_type": "button_interaction", "task_id": "t"}
    assert post(emu, {"msgtype": "template_card", "template_card": button})["errcode"] == 42031


def test_unknown_key_93000(emu: Emulator) -> None:
    body = post(emu, {"msgtype": "text", "text": {"content": "x"}}, key="0000-unknown")
    assert body["errcode"] == 93000 and body["errmsg"].startswith("invalid webhook url")
    assert emu.call("POST", "webhook/send", json={"msgtype": "text"})["errcode"] == 93000


def test_malformed_key_40058(emu: Emulator) -> None:
    body = post(emu, {"msgtype": "text", "text": {"content": "x"}}, key="bad key!")
    assert body["errcode"] == 40058 and body["errmsg"].startswith("invalid param 'key'")


def test_empty_body_93017(emu: Emulator) -> None:
    assert emu.call("POST", "webhook/send", params={"key": KEY})["errcode"] == 93017


def test_unknown_msgtype_40008(emu: Emulator) -> None:
    assert post(emu, {"msgtype": "fax"})["errcode"] == 40008


def test_rate_limit_20_per_minute_per_robot(emu: Emulator) -> None:
    text = {"msgtype": "text", "text": {"content": "x"}}
    for _ in range(20):
        assert post(emu, text)["errcode"] == 0
    body = post(emu, text)
    assert body["errcode"] == 45009 and body["errmsg"].startswith("api freq out of limit")
    assert post(emu, text, key=OTHER)["errcode"] == 0  # per robot
    emu.advance(60)
    assert post(emu, text)["errcode"] == 0
    assert len(emu.messages(robot=KEY)) == 21


def test_upload_media_then_file_and_voice(wecom: Emulator) -> None:
    up = upload()
    assert up["errcode"] == 0 and up["type"] == "file"
    assert isinstance(up["created_at"], str) and up["created_at"].isdigit()
    assert post(wecom, {"msgtype": "file", "file": {"media_id": up["media_id"]}})["errcode"] == 0
    voice = upload(type="voice", name="v.amr", data=b"#!AMR\n" + b"\x00" * 10)
    assert (
        post(wecom, {"msgtype": "voice", "voice": {"media_id": voice["media_id"]}})["errcode"] == 0
    )
    assert [m.msgtype for m in wecom.messages(robot=KEY)] == ["file", "voice"]
    assert wecom.messages(robot=KEY)[0].text == "[file r.txt]"


def test_robot_media_is_usable_by_that_robot_only(wecom: Emulator) -> None:
    media_id = upload()["media_id"]
    assert (
        post(wecom, {"msgtype": "file", "file": {"media_id": media_id}}, key=OTHER)["errcode"]
        == 40007
    )
    app_media = wecom.upload_media(b"hello world", filename="a.txt")
    assert post(wecom, {"msgtype": "file", "file": {"media_id": app_media}})["errcode"] == 40007


def test_robot_media_expires_after_3_days(wecom: Emulator) -> None:
    media_id = upload()["media_id"]
    wecom.advance(3 * 24 * 3600)
    assert post(wecom, {"msgtype": "file", "file": {"media_id": media_id}})["errcode"] == 40007


def test_upload_media_errors(wecom: Emulator) -> None:
    assert upload(type="image")["errcode"] == 40004
    assert upload(type="voice", name="v.mp3")["errcode"] == 40004
    assert upload(data=b"")["errcode"] == 44001
    assert upload(data=b"tiny")["errcode"] == 40006
    assert upload(key="0000-unknown")["errcode"] == 93000
