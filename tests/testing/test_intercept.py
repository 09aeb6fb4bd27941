"""``intercept()``: requests to the WeCom host go in-process, as a context manager or decorator."""

from __future__ import annotations

import requests

from mock_server import Emulator, intercept

API = "https://qyapi.weixin.qq.com/cgi-bin/"
PARAMS = {"corpid": "wwdemo0000000000001", "corpsecret": "DEMO-contacts-secret-not-real"}


def test_context_manager_returns_a_fresh_emulator() -> None:
    with intercept() as wecom:
        r = requests.get(API + "gettoken", params=PARAMS)
        assert r.status_code == 200 and r.json()["expires_in"] == 7200
        assert r.headers["Content-Type"].startswith("application/json")
        assert wecom.journal.entries(path="gettoken")[0]["errcode"] == 0


def test_http_scheme_and_extra_bases() -> None:
    emu = Emulator()
    with emu.intercept(base_urls=["http://wecom-proxy.internal:8080/cgi-bin"]):
        assert requests.get("http://qyapi.weixin.qq.com/cgi-bin/gettoken", params=PARAMS).ok
        r = requests.get("http://wecom-proxy.internal:8080/cgi-bin/gettoken", params=PARAMS)
        assert r.json()["errcode"] == 0
    assert len(emu.journal.entries(path="gettoken")) == 2


def test_decorator() -> None:
    emu = Emulator()

    @emu.intercept()
    def sync() -> int:
        token = requests.get(API + "gettoken", params=PARAMS).json()["access_token"]
        body = {"userid": "xiaoming", "name": "小明", "mobile": "13912345678"}
        return int(
            requests.post(API + "user/create", params={"access_token": token}, json=body).json()[
                "errcode"
            ]
        )

    assert sync() == 0
    token = emu.token("contacts")
    assert emu.call("GET", "user/get", params={"access_token": token, "userid": "xiaoming"})[
        "department"
    ] == [1]
