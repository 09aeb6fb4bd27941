"""A small H5 app logs people in through the emulator's authorize page over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from flask import Flask, jsonify, redirect, request

from mock_server.web.server import ServerThread
from tests.services.callbacks.test_callbacks_delivery import LoopbackServer

CORPID = "wwdemo0000000000001"
CRM = 1000003
CRM_SECRET = "DEMO-app-1000003-secret-not-real"


class H5App:
    """What a developer writes: redirect to the authorize URL, trade the code, read details."""

    def __init__(self, emulator_url: str) -> None:
        self.emu_url = emulator_url
        app = Flask("h5")
        app.add_url_rule("/", "home", self.home)
        app.add_url_rule("/callback", "callback", self.callback)
        self.server = LoopbackServer(app)
        self.base = f"http://127.0.0.1:{self.server.port}"

    def api(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        token = requests.get(
            f"{self.emu_url}/cgi-bin/gettoken",
            params={"corpid": CORPID, "corpsecret": CRM_SECRET},
            timeout=10,
        ).json()["access_token"]
        params = {"access_token": token, **kw.pop("params", {})}
        resp = requests.request(
            method, f"{self.emu_url}/cgi-bin/{path}", params=params, timeout=10, **kw
        )
        return resp.json()  # type: ignore[no-any-return]

    def home(self) -> Any:
        query = {
            "appid": CORPID,
            "redirect_uri": self.base + "/callback?from=home",
            "response_type": "code",
            "scope": "snsapi_privateinfo",
            "state": "h5state",
            "agentid": CRM,
        }
        return redirect(f"{self.emu_url}/connect/oauth2/authorize?{urlencode(query)}")

    def callback(self) -> Any:
        info = self.api("GET", "auth/getuserinfo", params={"code": request.args.get("code", "")})
        out: dict[str, Any] = {"state": request.args.get("state"), "info": info}
        if info.get("user_ticket"):
            out["detail"] = self.api(
                "POST", "auth/getuserdetail", json={"user_ticket": info["user_ticket"]}
            )
        out["code"] = request.args.get("code")
        out["from"] = request.args.get("from")
        return jsonify(out)


@pytest.fixture
def h5(wecom_server: ServerThread) -> Iterator[H5App]:
    app = H5App(wecom_server.url)
    app.server.start()
    try:
        # The developer registers the H5 app's host as the app's trusted domain.
        domain = app.base.removeprefix("http://")
        body = app.api("POST", "agent/set", json={"agentid": CRM, "redirect_domain": domain})
        assert body["errcode"] == 0
        yield app
    finally:
        app.server.stop()


def pick(page: str, attr: str, value: str) -> str:
    match = re.search(rf"data-{attr}='{re.escape(value)}' href='([^']+)'", page)
    assert match, f"{value} not offered on the page"
    return match.group(1).replace("&amp;", "&")


def test_member_and_non_member_log_in_through_the_page(
    wecom_server: ServerThread, h5: H5App
) -> None:
    browser = requests.Session()
    page = browser.get(h5.base + "/", timeout=10)  # follows the redirect to the page
    assert page.status_code == 200 and page.url.startswith(wecom_server.url + "/connect/oauth2/")
    assert "text/html" in page.headers["Content-Type"]

    landed = browser.get(wecom_server.url + pick(page.text, "userid", "wuxia"), timeout=10)
    assert landed.url.startswith(h5.base + "/callback?from=home&code=")
    result = landed.json()
    assert result["state"] == "h5state" and result["from"] == "home"
    assert result["info"]["userid"] == "wuxia"
    detail = result["detail"]
    assert detail["errcode"] == 0 and detail["userid"] == "wuxia" and detail["mobile"]

    # The same code a second time: spent.
    again = browser.get(h5.base + "/callback", params={"code": result["code"]}, timeout=10)
    assert again.json()["info"]["errcode"] == 40029

    # A WeChat user who is not a member.
    page = browser.get(h5.base + "/", timeout=10)
    openid = re.search(r"data-openid='([^']+)'", page.text)
    assert openid
    landed = browser.get(wecom_server.url + pick(page.text, "openid", openid.group(1)), timeout=10)
    info = landed.json()["info"]
    assert info["openid"] == openid.group(1) and "userid" not in info


def test_cookie_skips_the_page(wecom_server: ServerThread, h5: H5App) -> None:
    browser = requests.Session()
    host = wecom_server.url.split("//", 1)[1].split(":")[0]
    browser.cookies.set("wecom_mock_user", "userid:wuxia", domain=host)
    result = browser.get(h5.base + "/", timeout=10).json()
    assert result["info"]["userid"] == "wuxia" and result["detail"]["errcode"] == 0


def test_untrusted_redirect_shows_the_error_page(wecom_server: ServerThread) -> None:
    query = {
        "appid": CORPID,
        "redirect_uri": "https://evil.example/cb",
        "response_type": "code",
        "scope": "snsapi_base",
        "agentid": CRM,
    }
    page = requests.get(f"{wecom_server.url}/connect/oauth2/authorize", params=query, timeout=10)
    assert page.status_code == 400 and "redirect_uri" in page.text


def test_admin_actions_over_http(wecom_server: ServerThread) -> None:
    admin = wecom_server.url + "/__admin"
    out = requests.post(
        admin + "/identity/oauth/code",
        json={"userid": "wuxia", "agentid": CRM, "scope": "snsapi_privateinfo"},
        timeout=10,
    ).json()
    assert out["code"] and out["location"].startswith("https://crm.demo-corp.example/")
    bad = requests.post(
        admin + "/identity/oauth/code",
        json={"userid": "lisi", "agentid": CRM, "scope": "snsapi_privateinfo"},
        timeout=10,
    )
    assert bad.status_code == 400 and "visibility" in bad.json()["error"]
    emu = wecom_server.emulator
    token = emu.token("app", CRM)
    ticket = emu.call("GET", "get_jsapi_ticket", params={"access_token": token})["ticket"]
    url = "https://crm.demo-corp.example/page?x=1"
    sig = emu.jsapi_signature(ticket, "abc", 1700000000, url)
    check = {"url": url, "noncestr": "abc", "timestamp": 1700000000, "signature": sig}
    assert requests.post(admin + "/identity/jsapi/verify", json=check, timeout=10).json()["ok"]
    check["signature"] = "0" * 40
    verdict = requests.post(admin + "/identity/jsapi/verify", json=check, timeout=10).json()
    assert verdict["errcode"] == 40093
    tap = {"agentid": 1000002, "userid": "lisi", "key": "SCAN_REPAIR", "scan_result": "X1"}
    event = requests.post(admin + "/apps/menu/click", json=tap, timeout=10).json()
    assert event["event"] == "scancode_waitmsg"
    assert event["data"]["ScanCodeInfo"]["ScanResult"] == "X1"
    tap["key"] = "NOPE"
    assert requests.post(admin + "/apps/menu/click", json=tap, timeout=10).status_code == 400


def test_jssdk_voice_over_http(wecom_server: ServerThread) -> None:
    emu = wecom_server.emulator
    media_id = emu.jssdk_upload_voice(b"Speex   frames", filename="v.amr")
    token = emu.token("app", CRM)
    resp = requests.get(
        f"{wecom_server.url}/cgi-bin/media/get/jssdk",
        params={"access_token": token, "media_id": media_id},
        timeout=10,
    )
    assert resp.content == b"Speex   frames"
    assert resp.headers["Content-Type"] == "voice/speex"
    assert 'filename="v.speex"' in resp.headers["Content-disposition"]
