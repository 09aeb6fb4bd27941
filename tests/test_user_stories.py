"""The day-one stories of ../shared/USER-STORIES.md, end to end across families."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, request
from werkzeug.serving import make_server
from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

from mock_server.web.server import ServerThread

TOKEN = "ChenT0ken"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
LEAVE = "3WLJF6naF5jhnXvwisuPmE85wVMYcy2ghxLRr5Af"  # 请假 in fixtures/demo.yaml


class ChenApp:
    """Chen's approval app: answers URL verification, decrypts callbacks with the official lib."""

    def __init__(self, corpid: str) -> None:
        self.crypt = WXBizMsgCrypt(TOKEN, KEY, corpid)
        self.events: list[ET.Element] = []
        self.got = threading.Condition()
        app = Flask("chen")
        app.add_url_rule("/wecom", "cb", self.callback, methods=["GET", "POST"])
        self.srv = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.srv.port}/wecom"
        self.thread = threading.Thread(
            target=self.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def callback(self) -> Any:
        a = request.args
        if request.method == "GET":
            ret, echo = self.crypt.VerifyURL(
                a["msg_signature"], a["timestamp"], a["nonce"], a["echostr"]
            )
            return (echo, 200) if ret == 0 else ("bad", 403)
        ret, xml = self.crypt.DecryptMsg(
            request.get_data(), a["msg_signature"], a["timestamp"], a["nonce"]
        )
        assert ret == 0, ret
        with self.got:
            self.events.append(ET.fromstring(xml))
            self.got.notify_all()
        return ""

    def wait_for(self, n: int, timeout: float = 10.0) -> list[ET.Element]:
        with self.got:
            self.got.wait_for(lambda: len(self.events) >= n, timeout)
            return list(self.events)

    def stop(self) -> None:
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture
def chen(wecom_server: ServerThread) -> Iterator[ChenApp]:
    app = ChenApp(wecom_server.emulator.corp().corpid)
    yield app
    app.stop()


def test_chen_approval_round_trip_over_http(wecom_server: ServerThread, chen: ChenApp) -> None:
    """Chen: serve, register a callback URL, apply, approve in the sandbox, get callbacks."""
    base, admin = wecom_server.api_base, wecom_server.url + "/__admin"
    corp = requests.get(f"{admin}/corps", timeout=5).json()["corps"][0]
    agent = next(a for a in corp["agents"] if a["agentid"] == 1000004)

    saved = requests.put(
        f"{admin}/callbacks/config",
        json={"app": 1000004, "url": chen.url, "token": TOKEN, "encoding_aes_key": KEY},
        timeout=5,
    )
    assert saved.status_code == 200, saved.text  # the URL verification round trip passed

    token = requests.get(
        f"{base}/gettoken",
        params={"corpid": corp["corpid"], "corpsecret": agent["secret"]},
        timeout=5,
    ).json()["access_token"]
    leave = {
        "selector": {"type": "single", "options": [{"key": "1"}]},
        "attendance": {
            "date_range": {"type": "halfday", "new_begin": 1767225600, "new_end": 1767484800},
            "type": 1,
        },
    }
    body = {
        "creator_userid": "zhangsan",
        "template_id": LEAVE,
        "use_template_approver": 1,
        "apply_data": {
            "contents": [
                {
                    "control": "Vacation",
                    "id": "Vacation-1563270927474",
                    "value": {"vacation": leave},
                },
                {"control": "Textarea", "id": "Textarea-1563270927475", "value": {"text": "回家"}},
            ]
        },
        "summary_list": [{"summary_info": [{"text": "年假", "lang": "zh_CN"}]}],
    }
    applied = requests.post(
        f"{base}/oa/applyevent", params={"access_token": token}, json=body, timeout=5
    ).json()
    assert applied["errcode"] == 0, applied
    sp_no = applied["sp_no"]

    for approver in ("lisi", "zhangwei"):
        r = requests.post(
            f"{admin}/oa/approvals/{sp_no}/approve", json={"userid": approver}, timeout=5
        )
        assert r.status_code == 200, r.text

    events = chen.wait_for(3)  # submitted, level 1 approved, approved
    assert [e.findtext("Event") for e in events] == ["sys_approval_change"] * 3
    # The server delivers from a queue with several workers: arrival order is not guaranteed
    # (nor is it by WeCom), so look at the set of states.
    infos = [e.find("ApprovalInfo") for e in events]
    assert {i.findtext("SpNo") for i in infos if i is not None} == {sp_no}
    assert sorted(i.findtext("SpStatus") for i in infos if i is not None) == ["1", "1", "2"]
    deliveries = requests.get(f"{admin}/callbacks/deliveries", timeout=5).json()
    assert deliveries


def test_lin_alert_to_oncall_engineer(wecom: Any) -> None:
    """Lin: her code sends a markdown alert with wechatpy; the test asserts on the inbox."""
    from wechatpy.enterprise import WeChatClient

    corp = wecom.corp()
    client = WeChatClient(corp.corpid, corp.agents[1000002].secret)
    client.message.send_markdown(1000002, "zhangwei", "**db down** on prod-1")
    msg = wecom.messages(to="zhangwei", msgtype="markdown").one()
    assert "db down" in msg.text


SYNC = """
import os, sys, time, requests
base, naive = os.environ["WECOM_API_BASE"], "--naive" in sys.argv

def call(method, path, **kw):
    for attempt in range(6):
        r = requests.request(method, f"{base}/{path}", timeout=10, **kw).json()
        if r.get("errcode") in (-1, 45009) and not naive:
            time.sleep(0.01 * (attempt + 1))  # back off, then retry the same page
            continue
        return r
    raise SystemExit(f"gave up on {path}: {r}")

token = call("GET", "gettoken", params={"corpid": os.environ["WECOM_CORPID"],
                                         "corpsecret": os.environ["WECOM_SECRET"]})["access_token"]
users = call("GET", "externalcontact/get_follow_user_list",
             params={"access_token": token})["follow_user"]
seen = []
for i in range(0, len(users), 100):
    cursor = ""
    while True:
        r = call("POST", "externalcontact/batch/get_by_user", params={"access_token": token},
                 json={"userid_list": users[i:i + 100], "cursor": cursor, "limit": 100})
        if r["errcode"] != 0:
            cursor = ""  # the naive job starts the user batch again
            continue
        seen += [(x["external_contact"]["external_userid"], x["follow_info"]["userid"])
                 for x in r["external_contact_list"]]
        cursor = r.get("next_cursor")
        if not cursor:
            break
print("relations", len(seen), "unique", len(set(seen)))
sys.exit(0 if len(seen) == len(set(seen)) else 1)
"""


@pytest.mark.parametrize("naive", [False, True])
def test_wang_crm_sync_survives_busy_and_rate_limit(tmp_path: Any, naive: bool) -> None:
    """Wang: a generated CRM corp, the crm-sync-busy scenario, a job that must page exactly once."""
    import json
    import sys

    from mock_server.core.resources import scenarios_dir
    from mock_server.emulator import PLUGINS
    from mock_server.services.contacts.generate import generate
    from mock_server.testing.scenarios import run_scenario

    doc = generate(40, 4, 7)
    args = type("Args", (), {"customers": 1500, "users": 40, "seed": 7})()
    import random

    for gen in (g for p in PLUGINS for g in p.generators):
        gen(doc, args, random.Random(7))
    corp = tmp_path / "big.yaml"
    corp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    client = tmp_path / "sync.py"
    client.write_text(SYNC, encoding="utf-8")
    result = run_scenario(
        scenarios_dir() / "crm-sync-busy.yaml",
        [sys.executable, str(client), *(["--naive"] if naive else [])],
        fixtures=[str(corp)],
        timeout=120,
    )
    report = result.report()
    if naive:
        assert not result.ok and "FAILED" in report
    else:
        assert result.ok, report
        assert "[FAIL]" not in report
