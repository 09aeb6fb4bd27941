"""An unchanged wechatpy (1.8.18) drives OAuth, JS-SDK, agent and menu APIs.

wechatpy's ``oauth.authorize_url`` hard-codes https://open.weixin.qq.com: the test swaps
that host for the emulator's page (a URL builder, no HTTP call is made by wechatpy there).
Its gettoken URL is hard-coded as well; over HTTP the unmodified client reaches the live server
through the HTTPS mode (``HTTPS_PROXY`` and the local CA), as a user's app would.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from mock_server import Emulator
from mock_server.services.identity import web
from mock_server.services.identity.models import jsapi_signature
from mock_server.web.server import ServerThread
from tests.test_third_party_clients import via_https_proxy  # noqa: F401 (fixture)

CORPID = "wwdemo0000000000001"
OPS = 1000002
OPS_SECRET = "DEMO-app-1000002-secret-not-real"
MENU = {
    "button": [
        {"type": "click", "name": "今日告警", "key": "ALERTS_TODAY"},
        {"type": "view", "name": "值班表", "url": "https://ops.demo-corp.example/oncall"},
    ]
}


def exercise(client: WeChatClient, login: object) -> None:
    # OAuth: the authorize URL wechatpy builds, answered by the emulator's page.
    url = client.oauth.authorize_url("https://ops.demo-corp.example/cb?x=1", state="st8")
    code = login(url)  # type: ignore[operator]
    info = client.oauth.get_user_info(code)
    assert info["UserId"] == "lisi" and info["DeviceId"]
    with pytest.raises(WeChatClientException) as err:
        client.oauth.get_user_info(code)
    assert err.value.errcode == 40029

    # JS-SDK: both tickets, wechatpy's own signer, checked as the client would.
    corp_ticket = client.jsapi.get_jsapi_ticket()
    agent_ticket = client.jsapi.get_agent_jsapi_ticket()
    assert corp_ticket != agent_ticket
    assert client.jsapi.get_ticket()["ticket"] == corp_ticket  # cached by the server too
    ts = int(time.time())
    page = "https://ops.demo-corp.example/alerts/?from=menu"
    for ticket, agent_config in ((corp_ticket, False), (agent_ticket, True)):
        sig = client.jsapi.get_jsapi_signature("nonce42", ticket, ts, page)
        assert sig == jsapi_signature(ticket, "nonce42", ts, page)
        check = {"url": page, "noncestr": "nonce42", "timestamp": ts, "signature": sig}
        CHECKS.append((check, agent_config))

    # Agents.
    agent = client.agent.get(OPS)
    assert agent["agentid"] == OPS and agent["redirect_domain"] == "ops.demo-corp.example"
    assert [a["agentid"] for a in client.agent.list()] == [OPS]
    client.agent.set(OPS, name="运维中心", description="告警与值班平台", report_location_flag=1)
    agent = client.agent.get(OPS)
    assert (agent["name"], agent["report_location_flag"], agent["isreportenter"]) == (
        "运维中心",
        1,
        1,
    )
    with pytest.raises(WeChatClientException) as err:
        client.agent.get(1000003)
    assert err.value.errcode == 301002

    # Menus.
    client.menu.create(OPS, MENU)
    assert client.menu.get(OPS)["button"] == MENU["button"]
    client.menu.update(OPS, {"button": [MENU["button"][0]]})
    assert len(client.menu.get(OPS)["button"]) == 1
    client.menu.delete(OPS)
    with pytest.raises(WeChatClientException) as err:
        client.menu.get(OPS)
    assert err.value.errcode == 46003


CHECKS: list[tuple[dict[str, object], bool]] = []


def test_wechatpy_in_process(wecom: Emulator) -> None:
    def login(url: str) -> str:
        # Through the page logic itself (no socket): the pick link for lisi.
        parts = urlsplit(url)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        page = web.handle_page(wecom, parts.path, {**params, "wecom_mock_userid": "lisi"})
        assert page.status == 302
        return parse_qs(urlsplit(page.headers["Location"]).query)["code"][0]

    CHECKS.clear()
    exercise(WeChatClient(CORPID, OPS_SECRET), login)
    for check, agent_config in CHECKS:
        verdict = wecom.check_jsapi_signature(
            **check, agent_config=agent_config, agentid=OPS if agent_config else None
        )
        assert verdict["ok"], verdict


@pytest.mark.usefixtures("via_https_proxy")
def test_wechatpy_live_server(wecom_server: ServerThread) -> None:
    def login(url: str) -> str:
        local = url.replace("https://open.weixin.qq.com", wecom_server.url).split("#")[0]
        page = requests.get(local, timeout=10)
        href = web_link(page.text, "lisi")
        hop = requests.get(wecom_server.url + href, allow_redirects=False, timeout=10)
        assert hop.status_code == 302
        location = hop.headers["Location"]
        assert location.startswith("https://ops.demo-corp.example/cb?x=1&code=")
        assert parse_qs(urlsplit(location).query)["state"] == ["st8"]
        return parse_qs(urlsplit(location).query)["code"][0]

    client = WeChatClient(CORPID, OPS_SECRET)
    CHECKS.clear()
    try:
        exercise(client, login)
    finally:
        client._http.close()
    for check, agent_config in CHECKS:
        body = {**check, "agent_config": agent_config}
        if agent_config:
            body["agentid"] = OPS
        verdict = requests.post(
            wecom_server.url + "/__admin/identity/jsapi/verify", json=body, timeout=10
        ).json()
        assert verdict["ok"], verdict


def web_link(page: str, userid: str) -> str:
    import re

    match = re.search(rf"data-userid='{userid}' href='([^']+)'", page)
    assert match
    return match.group(1).replace("&amp;", "&")
