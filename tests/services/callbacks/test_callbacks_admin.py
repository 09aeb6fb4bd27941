"""Callbacks: fixture section, admin API, generic XML rendering, the receiver test helper."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from flask import Flask, request
from hypothesis import given, settings
from hypothesis import strategies as st
from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

from mock_server import Emulator, create_app
from mock_server.core.events import DomainEvent
from mock_server.core.fixtures import FixtureError
from mock_server.core.resources import demo_fixture
from mock_server.services.callbacks.render import _INVALID_XML, render_event
from mock_server.services.callbacks.testing import (
    build_callback_request,
    build_verify_request,
    event_message,
)

CORPID = "wwdemo0000000000001"
TOKEN = "T0ken"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CFG = {"url": "http://127.0.0.1:9/cb", "token": TOKEN, "encoding_aes_key": KEY}


def demo_with(**changes: Any) -> dict[str, Any]:
    import yaml

    with open(demo_fixture(), encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    for key, value in changes.items():
        if key == "agent_callback":
            doc["agents"][0]["callback"] = value
        else:
            doc[key] = value
    return doc


# -- fixture --------------------------------------------------------------------------------
def test_fixture_configures_agents_and_system_apps() -> None:
    emu = Emulator([demo_with(agent_callback=CFG, callbacks={"contacts": CFG})])
    config = emu.callback_config()
    assert config is not None
    assert [(a["app"], a["agentid"]) for a in config["apps"]] == [
        ("1000002", 1000002),
        ("contacts", None),
    ]
    emu.set_callback("approval", CFG["url"], TOKEN, KEY, verify=False)
    emu.reset()  # back to the fixture's callbacks
    assert [a["app"] for a in emu.callback_config()["apps"]] == ["1000002", "contacts"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        ({**CFG, "token": "has space"}, "agents[0].callback.token"),
        ({**CFG, "encoding_aes_key": "short"}, "agents[0].callback.encoding_aes_key"),
        ({**CFG, "url": "ftp://x"}, "agents[0].callback.url"),
        ({"url": "http://x"}, "agents[0].callback.token"),
        ({**CFG, "extra": 1}, "agents[0].callback.extra"),
    ],
)
def test_fixture_agent_callback_is_validated(bad: dict[str, Any], path: str) -> None:
    with pytest.raises(FixtureError) as err:
        Emulator([demo_with(agent_callback=bad)])
    assert err.value.path == path


def test_fixture_callbacks_section_is_validated_by_the_schema() -> None:
    with pytest.raises(FixtureError) as err:
        Emulator([demo_with(callbacks={"contacts": {**CFG, "encoding_aes_key": "x" * 44}})])
    assert err.value.path == "callbacks.contacts.encoding_aes_key"
    with pytest.raises(FixtureError):
        Emulator([demo_with(callbacks={"nosuchapp": CFG})])


# -- admin API --------------------------------------------------------------------------------
@pytest.fixture
def admin() -> Any:
    emu = Emulator()
    client = create_app(emu).test_client()
    client.emu = emu
    return client


def test_admin_config_roundtrip(admin: Any) -> None:
    assert admin.get("/__admin/callbacks/config").json == {"corpid": CORPID, "apps": []}
    r = admin.put("/__admin/callbacks/config", json={"app": 1000002, **CFG, "verify": False})
    assert r.status_code == 200 and r.json["agentid"] == 1000002
    r = admin.get("/__admin/callbacks/config?app=1000002")
    assert r.json == {"app": "1000002", **CFG}
    r = admin.put("/__admin/callbacks/config", json={"app": "1000002", "url": None})
    assert r.json["removed"] is True
    assert admin.get("/__admin/callbacks/config?app=1000002").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {**CFG},  # no app
        {"app": 999, **CFG, "verify": False},  # unknown agent
        {"app": "nosuch", **CFG, "verify": False},
        {"app": "contacts", **CFG, "token": "x" * 33, "verify": False},
        {"app": "contacts", **CFG, "encoding_aes_key": "k" * 42, "verify": False},
        {"app": "contacts", **CFG, "verify": "yes"},
    ],
)
def test_admin_config_rejects_bad_input_and_saves_nothing(admin: Any, body: Any) -> None:
    r = admin.put("/__admin/callbacks/config", json=body)
    assert r.status_code == 400 and "error" in r.json
    assert admin.get("/__admin/callbacks/config").json["apps"] == []


def test_admin_failed_verification_is_400_with_the_attempt(admin: Any) -> None:
    r = admin.put("/__admin/callbacks/config", json={"app": "contacts", **CFG})
    assert r.status_code == 400
    assert r.json["verification"]["ok"] is False
    assert r.json["verification"]["errcode"] == 40057
    assert admin.get("/__admin/callbacks/config").json["apps"] == []


def test_admin_verify_and_deliveries(admin: Any) -> None:
    assert admin.post("/__admin/callbacks/verify", json={}).status_code == 400
    r = admin.post("/__admin/callbacks/verify", json=CFG)
    assert r.status_code == 200 and r.json["ok"] is False
    admin.put("/__admin/callbacks/config", json={"app": 1000002, **CFG, "verify": False})
    r = admin.post(
        "/__admin/callbacks/sandbox/message",
        json={"agentid": 1000002, "userid": "lisi", "content": "hi"},
    )
    assert r.status_code == 200
    (rec,) = r.json["deliveries"]
    assert rec["outcome"] == "failed" and len(rec["attempts"]) == 4
    r = admin.get("/__admin/callbacks/deliveries?app=1000002&limit=5")
    assert [d["id"] for d in r.json["deliveries"]] == [rec["id"]]
    assert r.json["dropped"] == 0 and r.json["size"] == 1000
    assert admin.get("/__admin/callbacks/deliveries?limit=x").status_code == 400
    assert admin.delete("/__admin/callbacks/deliveries").status_code == 200
    assert admin.get("/__admin/callbacks/deliveries").json["deliveries"] == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("message", {"agentid": 1000002, "userid": "nobody", "content": "x"}),
        ("message", {"agentid": "1000002", "userid": "lisi"}),
        ("message", {"agentid": 1000002, "userid": "lisi", "fields": []}),
        ("event", {"agentid": 1000002, "userid": "lisi", "event": "explode"}),
        ("event", {"agentid": 4242, "userid": "lisi"}),
        ("emit", {"kind": "change_contact"}),
        ("emit", {"kind": "", "data": {}}),
    ],
)
def test_admin_sandbox_rejects_bad_input(admin: Any, path: str, body: Any) -> None:
    r = admin.post(f"/__admin/callbacks/sandbox/{path}", json=body)
    assert r.status_code == 400 and r.json["error"]


def test_admin_sandbox_emit_any_event(admin: Any) -> None:
    admin.put("/__admin/callbacks/config", json={"app": "external", **CFG, "verify": False})
    body = {
        "kind": "change_external_contact",
        "data": {"ChangeType": "del_follow_user", "UserID": "xuqiang", "ExternalUserID": "wm1"},
    }
    (rec,) = admin.post("/__admin/callbacks/sandbox/emit", json=body).json["deliveries"]
    assert rec["app"] == "external" and rec["change_type"] == "del_follow_user"
    assert "<ExternalUserID><![CDATA[wm1]]></ExternalUserID>" in rec["plaintext"]


def test_admin_settings(admin: Any) -> None:
    r = admin.put("/__admin/callbacks/settings", json={"timeout": 0.5})
    assert r.json["timeout"] == 0.5
    assert admin.put("/__admin/callbacks/settings", json={"nope": 1}).status_code == 400
    assert admin.put("/__admin/callbacks/settings", json={"timeout": -1}).status_code == 400
    assert admin.put("/__admin/callbacks/settings", json={"timeout": 0}).status_code == 400
    assert admin.put("/__admin/callbacks/settings", json={"retries": "3"}).status_code == 400
    assert admin.put("/__admin/callbacks/settings", json={"retries": 0}).json["retries"] == 0


# -- rendering ------------------------------------------------------------------------------
def test_generic_renderer_rules() -> None:
    event = DomainEvent(
        corpid=CORPID,
        kind="custom_event",
        data={
            "Text": "a]]>b",
            "Skipped": None,
            "Flag": True,
            "Num": 7,
            "Nested": {"Inner": "x", "List": [{"K": 1}, {"K": 2}]},
            "Bad": "ok\x00\x01",
        },
        time=1700000000,
    )
    xml = render_event(event, CORPID)
    root = ET.fromstring(xml)
    assert root.findtext("Text") == "a]]>b"
    assert root.find("Skipped") is None
    assert root.findtext("Flag") == "1" and "<Num>7</Num>" in xml
    assert [k.text for k in root.findall("Nested/List/K")] == ["1", "2"]
    assert root.findtext("Bad") == "ok"
    assert xml.startswith("<xml>\n<ToUserName><![CDATA[wwdemo0000000000001]]></ToUserName>\n")
    assert xml.endswith("\n</xml>")


def test_an_unrenderable_event_is_logged_not_raised() -> None:
    emu = Emulator()
    emu.set_callback(1000002, CFG["url"], TOKEN, KEY, verify=False)
    (rec,) = emu.emit_callback_event("weird", {"not a name": 1}, target=1000002)
    assert rec["outcome"] == "failed" and rec["attempts"][0]["error"].startswith("render")


# -- the receiver test helper ----------------------------------------------------------------
def make_app() -> Flask:
    """A developer's receiver written with the official library."""
    crypt = WXBizMsgCrypt(TOKEN, KEY, CORPID)
    app = Flask("user_app")

    @app.route("/wecom", methods=["GET", "POST"])
    def wecom() -> Any:
        a = request.args
        if request.method == "GET":
            ret, echo = crypt.VerifyURL(
                a["msg_signature"], a["timestamp"], a["nonce"], a["echostr"]
            )
            return echo if ret == 0 else ("bad", 403)
        ret, plain = crypt.DecryptMsg(
            request.get_data(as_text=True), a["msg_signature"], a["timestamp"], a["nonce"]
        )
        if ret != 0:
            return str(ret), 403
        root = ET.fromstring(plain)
        reply = (
            f"<xml><ToUserName><![CDATA[{root.findtext('FromUserName')}]]></ToUserName>"
            f"<Content><![CDATA[echo {root.findtext('Content')}]]></Content></xml>"
        )
        return crypt.EncryptMsg(reply, a["nonce"], a["timestamp"])[1]

    return app


def test_helper_builds_requests_a_receiver_accepts() -> None:
    client = make_app().test_client()
    verify = build_verify_request(token=TOKEN, encoding_aes_key=KEY, corpid=CORPID)
    r = client.get(verify.path_qs("/wecom"))
    assert r.data.decode() == verify.plaintext
    msg = event_message(
        "message", {"Content": "hi", "MsgId": 1, "AgentID": 1000002}, from_user="lisi"
    )
    req = build_callback_request(
        msg, token=TOKEN, encoding_aes_key=KEY, corpid=CORPID, agentid=1000002
    )
    r = client.post(req.path_qs("/wecom"), data=req.body, headers=req.headers)
    assert r.status_code == 200
    reply = req.decrypt_reply(r.data)
    assert reply is not None and "<Content><![CDATA[echo hi]]></Content>" in reply
    assert req.decrypt_reply(b"success") is None


def test_helper_requests_with_a_wrong_token_are_refused() -> None:
    client = make_app().test_client()
    req = build_callback_request(
        "<xml><Content>x</Content></xml>", token="Other", encoding_aes_key=KEY, corpid=CORPID
    )
    r = client.post(req.path_qs("/wecom"), data=req.body)
    assert r.status_code == 403 and r.data == b"-40001"


names = st.from_regex(r"[A-Z][A-Za-z]{0,8}", fullmatch=True)
scalars = st.one_of(st.text(max_size=30), st.integers(-(2**63), 2**63))


@settings(max_examples=50, deadline=None)
@given(data=st.dictionaries(names, scalars, max_size=6))
def test_renderer_round_trips_any_flat_event(data: dict[str, Any]) -> None:
    event = DomainEvent(corpid=CORPID, kind="custom", data=data, time=1)
    root = ET.fromstring(render_event(event, CORPID))
    for key, value in data.items():
        expected = str(value)
        if isinstance(value, str):
            expected = _INVALID_XML.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
        assert (root.findtext(key) or "") == expected
