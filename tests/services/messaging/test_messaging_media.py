"""media/upload, media/uploadimg, media/get: multipart in both transports, limits, 3-day expiry."""

from __future__ import annotations

from typing import Any

import requests

from mock_server import Emulator
from mock_server.web.server import ServerThread

API = "https://qyapi.weixin.qq.com/cgi-bin/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 64


def upload(base: str, token: str, type: str, name: str, data: bytes) -> dict[str, Any]:
    resp = requests.post(
        base + "media/upload",
        params={"access_token": token, "type": type},
        files={"media": (name, data, "image/png")},
        timeout=5,
    )
    return resp.json()  # type: ignore[no-any-return]


def test_upload_get_and_send(wecom: Emulator) -> None:
    token = wecom.token("app", 1000002)
    up = upload(API, token, "image", "a.png", PNG)
    assert up["errcode"] == 0 and up["type"] == "image" and isinstance(up["created_at"], str)
    got = requests.get(
        API + "media/get", params={"access_token": token, "media_id": up["media_id"]}, timeout=5
    )
    assert got.content == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert 'filename="a.png"' in got.headers["Content-disposition"]
    body = {
        "touser": "lisi",
        "msgtype": "image",
        "agentid": 1000002,
        "image": {"media_id": up["media_id"]},
    }
    sent = requests.post(
        API + "message/send", params={"access_token": token}, json=body, timeout=5
    ).json()
    assert sent["errcode"] == 0
    assert wecom.messages(to="lisi", msgtype="image").one().text == "[image a.png]"


def test_same_bytes_over_http(wecom_server: ServerThread) -> None:
    emu = wecom_server.emulator
    token = emu.token("app", 1000002)
    up = upload(wecom_server.api_base + "/", token, "file", "报告.pdf", PNG * 3)
    assert up["errcode"] == 0
    got = requests.get(
        wecom_server.api_base + "/media/get",
        params={"access_token": token, "media_id": up["media_id"]},
        timeout=5,
    )
    assert got.content == PNG * 3


def test_media_expires_after_3_days(wecom: Emulator) -> None:
    token = wecom.token("app", 1000002)
    media_id = upload(API, token, "image", "a.png", PNG)["media_id"]
    wecom.advance(3 * 24 * 3600)
    token = wecom.token("app", 1000002)
    got = requests.get(
        API + "media/get", params={"access_token": token, "media_id": media_id}, timeout=5
    )
    assert got.json()["errcode"] == 40007


def test_upload_limits(wecom: Emulator) -> None:
    token = wecom.token("app", 1000002)
    assert upload(API, token, "sticker", "a.png", PNG)["errcode"] == 40004
    assert upload(API, token, "image", "a.gif", PNG)["errcode"] == 40004
    assert upload(API, token, "image", "a.png", b"")["errcode"] == 44001
    assert upload(API, token, "image", "a.png", b"\x89PNG")["errcode"] == 40006
    assert (
        upload(API, token, "image", "a.png", PNG + b"\x00" * (10 * 1024 * 1024))["errcode"] == 40009
    )
    assert (
        upload(API, token, "video", "a.mp4", b"\x00" * (10 * 1024 * 1024 + 1))["errcode"] == 40011
    )
    assert upload(API, token, "voice", "a.amr", b"\x00" * (2 * 1024 * 1024 + 1))["errcode"] == 40006


def test_not_multipart_44001(emu: Emulator) -> None:
    token = emu.token("app", 1000002)
    assert (
        emu.call("POST", "media/upload", params={"access_token": token, "type": "file"}, json={})[
            "errcode"
        ]
        == 44001
    )


def test_uploadimg_returns_url(wecom: Emulator) -> None:
    token = wecom.token("app", 1000002)
    resp = requests.post(
        API + "media/uploadimg",
        params={"access_token": token},
        files={"media": ("a.png", PNG)},
        timeout=5,
    ).json()
    assert resp["errcode"] == 0 and resp["url"].startswith("https://")


def test_get_unknown_media_40007(emu: Emulator) -> None:
    token = emu.token("app", 1000002)
    assert (
        emu.call("GET", "media/get", params={"access_token": token, "media_id": "3x"})["errcode"]
        == 40007
    )
