"""Callback delivery to live receivers on loopback, decrypted with the official library."""

from __future__ import annotations

import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask, Response, request
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from werkzeug.serving import make_server
from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

from mock_server import Emulator
from mock_server.core.events import SOURCE_API, SOURCE_SANDBOX, DomainEvent
from mock_server.services.callbacks.delivery import CallbackError
from mock_server.services.contacts import models as cm

CORPID = "wwdemo0000000000001"
TOKEN = "T0kenForTests"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OTHER_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg"


class LoopbackServer:
    """A threaded werkzeug server on a free loopback port, stoppable from any thread."""

    def __init__(self, app: Flask) -> None:
        self.srv = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.srv.port
        self.thread = threading.Thread(
            target=self.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.srv.shutdown()
        self.srv.server_close()
        self.thread.join(5)


class Receiver:
    """A developer's callback endpoint: Flask on waitress, port 0, decrypting with weworkapi.

    ``behave(n)`` picks the answer to the n-th POST: ``ok``, ``500``, ``hang`` (block until
    released, so the emulator times out), or a callable returning a Flask response.
    """

    def __init__(self, token: str = TOKEN, key: str = KEY, corpid: str = CORPID) -> None:
        self.crypt = WXBizMsgCrypt(token, key, corpid)
        self.received: list[dict[str, Any]] = []
        self.verifications: list[dict[str, str]] = []
        self.behave: Callable[[int], Any] = lambda n: "ok"
        self.release = threading.Event()
        self.posts = 0
        self.lock = threading.Lock()
        app = Flask("receiver")
        app.add_url_rule("/cb", "cb", self.handle, methods=["GET", "POST"])
        self.server: Any = LoopbackServer(app)
        self.url = f"http://127.0.0.1:{self.server.port}/cb"

    def handle(self) -> Any:
        args = request.args
        if request.method == "GET":
            ret, echo = self.crypt.VerifyURL(
                args["msg_signature"], args["timestamp"], args["nonce"], args["echostr"]
            )
            self.verifications.append(dict(args))
            return (echo, 200) if ret == 0 else ("bad", 403)
        with self.lock:
            self.posts += 1
            n = self.posts
        action = self.behave(n)
        if action == "hang":
            self.release.wait(10)  # then answer normally (late)
        if action == "500":
            return "boom", 500
        ret, plain = self.crypt.DecryptMsg(
            request.get_data(as_text=True), args["msg_signature"], args["timestamp"], args["nonce"]
        )
        assert ret == 0, ret
        root = ET.fromstring(plain)
        self.received.append(
            {
                "xml": plain.decode(),
                "root": root,
                "fields": {el.tag: el.text for el in root},
                "envelope": {el.tag: el.text for el in ET.fromstring(request.get_data())},
                "query": dict(args),
            }
        )
        if callable(action):
            return action(root)
        return "success"

    def __enter__(self) -> Receiver:
        self.server.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self.server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def configure(emu: Emulator, app: int | str, receiver: Receiver) -> dict[str, Any]:
    saved = emu.set_callback(app, receiver.url, TOKEN, KEY, verify=False)
    return saved


def free_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/cb"


# -- URL verification ----------------------------------------------------------------------
class WechatpyReceiver:
    """A receiver written with wechatpy (URL verification only)."""

    def __init__(self, token: str, key: str, corpid: str, *, answer: str | None = None) -> None:
        crypto = WeChatCrypto(token, key, corpid)
        app = Flask("wechatpy_receiver")

        @app.get("/wecom")
        def verify() -> Any:
            a = request.args
            try:
                echo = crypto.check_signature(
                    a["msg_signature"], a["timestamp"], a["nonce"], a["echostr"]
                )
            except InvalidSignatureException:
                return "invalid signature", 403
            return Response(answer if answer is not None else echo, mimetype="text/plain")

        self.server: Any = LoopbackServer(app)
        self.url = f"http://127.0.0.1:{self.server.port}/wecom"

    def __enter__(self) -> WechatpyReceiver:
        self.server.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.stop()


def test_url_verification_against_a_wechatpy_receiver(emu: Emulator) -> None:
    emu.configure_callbacks(verify_timeout=5)  # the 1 s limit has its own test
    with WechatpyReceiver(TOKEN, KEY, CORPID) as app:
        saved = emu.set_callback(1000002, app.url, TOKEN, KEY)
        assert saved["verification"]["ok"] is True
        assert saved["verification"]["response"] == saved["verification"]["expected"]
        assert emu.callback_config(1000002)["url"] == app.url  # type: ignore[index]
        again = emu.verify_callback(1000002)
        assert again["ok"] and again["errcode"] == 0


def test_url_verification_fails_on_a_wrong_token_and_saves_nothing(emu: Emulator) -> None:
    with WechatpyReceiver("OtherToken", KEY, CORPID) as app:
        with pytest.raises(CallbackError) as err:
            emu.set_callback(1000002, app.url, TOKEN, KEY)
        assert err.value.result is not None
        assert err.value.result["status"] == 403 and err.value.result["errcode"] == 40057
        assert emu.callback_config(1000002) is None


def test_url_verification_needs_the_exact_plaintext(emu: Emulator) -> None:
    with WechatpyReceiver(TOKEN, KEY, CORPID, answer='"quoted"') as app:
        result = emu.verify_callback(url=app.url, token=TOKEN, encoding_aes_key=KEY)
        assert result["ok"] is False and result["status"] == 200
        assert "expected the echostr plaintext" in result["error"]


def test_url_verification_of_a_dead_url(emu: Emulator) -> None:
    result = emu.verify_callback(url=free_port_url(), token=TOKEN, encoding_aes_key=KEY)
    assert result["ok"] is False and result["status"] is None
    assert result["error"].startswith("connection failed")


def test_url_verification_times_out_after_the_limit(emu: Emulator, receiver: Receiver) -> None:
    slow = Flask("slow")
    release = threading.Event()
    slow.add_url_rule("/cb", "cb", lambda: (release.wait(10), "late")[1])
    server: Any = LoopbackServer(slow)
    server.start()
    try:
        emu.configure_callbacks(verify_timeout=0.2)
        url = f"http://127.0.0.1:{server.port}/cb"
        result = emu.verify_callback(url=url, token=TOKEN, encoding_aes_key=KEY)
        assert result["ok"] is False and "timeout" in result["error"]
    finally:
        release.set()
        server.stop()


# -- event delivery: every kind ------------------------------------------------------------
def test_contacts_changes_reach_the_contacts_receiver_except_its_own(
    emu: Emulator, receiver: Receiver, contacts_api: Any
) -> None:
    configure(emu, "contacts", receiver)
    # Made with the contacts-sync secret: not called back to the contacts-sync receiver.
    body = contacts_api.post(
        "user/create", {"userid": "api1", "name": "A", "department": [1], "mobile": "13800000011"}
    )
    assert body["errcode"] == 0
    assert receiver.received == []
    assert emu.callback_deliveries() == []
    # Made in the console (sandbox): called back, with the documented elements.
    emu.add_user(userid="newbie", name="新人", department=[1, 3], mobile="13800000012")
    (got,) = receiver.received
    f = got["fields"]
    assert f["ToUserName"] == CORPID and f["FromUserName"] == "sys"
    assert f["MsgType"] == "event" and f["Event"] == "change_contact"
    assert f["ChangeType"] == "create_user" and f["UserID"] == "newbie"
    assert f["Name"] == "新人" and f["Department"] == "1,3" and f["Mobile"] == "13800000012"
    assert got["xml"].index("<ChangeType>") < got["xml"].index("<UserID>")
    assert (
        "<CreateTime>" in got["xml"] and "<![CDATA[" not in got["xml"].split("<CreateTime>")[1][:12]
    )
    assert got["envelope"]["ToUserName"] == CORPID
    (rec,) = emu.callback_deliveries()
    assert rec["outcome"] == "delivered" and rec["app"] == "contacts"
    assert rec["attempts"][0]["status"] == 200 and rec["attempts"][0]["response"] == "success"
    assert rec["attempts"][0]["latency_ms"] >= 0


def test_tag_update_by_an_app_reaches_the_contacts_receiver(
    emu: Emulator, receiver: Receiver, app_api: Any
) -> None:
    configure(emu, "contacts", receiver)
    app = app_api
    tagid = app.post("tag/create", {"tagname": "oncall"})["tagid"]
    assert app.post("tag/addtagusers", {"tagid": tagid, "userlist": ["zhangsan"]})["errcode"] == 0
    (got,) = receiver.received
    f = got["fields"]
    assert f["ChangeType"] == "update_tag" and f["TagId"] == str(tagid)
    assert f["AddUserItems"] == "zhangsan"


@pytest.mark.parametrize("change", ["update_user", "delete_user", "party"])
def test_console_contact_changes(emu: Emulator, receiver: Receiver, change: str) -> None:
    configure(emu, "contacts", receiver)
    corp = emu.corp()
    with emu.transaction(corp):  # what an admin does in the console: no actor secret
        if change == "update_user":
            cm.update_user(corp, {"userid": "zhangsan", "position": "架构师"})
        elif change == "delete_user":
            cm.delete_users(corp, ["zhangsan"])
        else:
            cm.create_department(corp, name="新部门", parentid=1, id=50, order=3)
            cm.update_department(corp, 50, name="改名")
            cm.delete_department(corp, 50)
    rows = [r["fields"] for r in receiver.received]
    if change == "update_user":
        assert rows == [rows[0]] and rows[0]["ChangeType"] == "update_user"
        assert rows[0]["UserID"] == "zhangsan" and rows[0]["Position"] == "架构师"
        assert "Name" not in rows[0]  # only changed attributes are sent
    elif change == "delete_user":
        assert [(r["ChangeType"], r["UserID"]) for r in rows] == [("delete_user", "zhangsan")]
    else:
        assert [r["ChangeType"] for r in rows] == ["create_party", "update_party", "delete_party"]
        assert rows[0]["Id"] == "50" and rows[0]["ParentId"] == "1" and rows[0]["Order"] == "3"
        assert rows[1]["Name"] == "改名" and rows[2]["Id"] == "50"
        assert "<Id>50</Id>" in receiver.received[0]["xml"]  # numbers bare
        assert "<ParentId><![CDATA[1]]></ParentId>" in receiver.received[0]["xml"]


def external_event(kind: str, data: dict[str, Any], source: str) -> DomainEvent:
    return DomainEvent(corpid=CORPID, kind=kind, data=data, time=1700000000, source=source)


def test_customer_contact_events_only_from_the_sandbox(emu: Emulator, receiver: Receiver) -> None:
    configure(emu, "external", receiver)
    data = {
        "ChangeType": "add_external_contact",
        "UserID": "xuqiang",
        "ExternalUserID": "wmEXTERNAL0001",
        "State": "poster",
        "WelcomeCode": "WELCOMECODE",
    }
    emu.events.emit(external_event("change_external_contact", data, SOURCE_API))
    assert receiver.received == []
    emu.events.emit(external_event("change_external_contact", data, SOURCE_SANDBOX))
    (got,) = receiver.received
    assert got["fields"] == {
        "ToUserName": CORPID,
        "FromUserName": "sys",
        "CreateTime": "1700000000",
        "MsgType": "event",
        "Event": "change_external_contact",
        **data,
    }
    assert got["envelope"]["AgentID"] is None  # system app: empty AgentID


def test_customer_contact_events_reach_apps_with_the_permission(
    emu: Emulator, receiver: Receiver
) -> None:
    configure(emu, 1000003, receiver)  # 销售助手: permissions [externalcontact]
    with Receiver() as other:
        configure(emu, 1000002, other)  # no externalcontact permission
        emu.events.emit(
            external_event(
                "change_external_chat",
                {
                    "ChatId": "wrCHAT0001",
                    "ChangeType": "update",
                    "UpdateDetail": "add_member",
                    "JoinScene": 0,
                    "MemChangeCnt": 2,
                    "MemChangeList": {"Item": ["xuqiang", "wmEXTERNAL0001"]},
                    "LastMemVer": "9c3f97c2ada667dfb5f6d03308d963e1",
                    "CurMemVer": "71217227bbd112ecfe3a49c482195cb4",
                },
                SOURCE_SANDBOX,
            )
        )
        emu.events.emit(
            external_event(
                "change_external_tag",
                {"Id": "etTAG", "TagType": "tag", "ChangeType": "create", "StrategyId": 1},
                SOURCE_SANDBOX,
            )
        )
        assert other.received == []
    chat, tag = receiver.received
    root = chat["root"]
    assert [i.text for i in root.find("MemChangeList").findall("Item")] == [  # type: ignore[union-attr]
        "xuqiang",
        "wmEXTERNAL0001",
    ]
    assert chat["fields"]["MemChangeCnt"] == "2" and chat["fields"]["UpdateDetail"] == "add_member"
    assert chat["envelope"]["AgentID"] == "1000003"
    assert tag["fields"]["Id"] == "etTAG" and "StrategyId" not in tag["fields"]


APPROVAL = {
    "AgentID": 3010040,
    "ApprovalInfo": {
        "SpNoStr": "202311250001",
        "SpNo": 202311250001,
        "SpName": "请假",
        "SpStatus": 2,
        "TemplateId": "C4NwYBYeRKdP4zNUmS",
        "ApplyTime": 1700000000,
        "Applyer": {"UserId": "zhangsan", "Party": "3"},
        "SpRecord": [
            {
                "SpStatus": 2,
                "ApproverAttr": 1,
                "Details": [
                    {
                        "Approver": {"UserId": "lisi"},
                        "Speech": "同意",
                        "SpStatus": 2,
                        "SpTime": 1700000100,
                    },
                ],
            },
        ],
        "Notifyer": [{"UserId": "wangfang"}, {"UserId": "liuyang"}],
        "StatuChangeEvent": 2,
    },
}


def test_approval_events_reach_the_approval_app_and_the_submitting_app(emu: Emulator) -> None:
    with Receiver() as system, Receiver() as submitter, Receiver() as bystander:
        configure(emu, "approval", system)
        configure(emu, 1000004, submitter)
        configure(emu, 1000002, bystander)
        event = DomainEvent(
            corpid=CORPID,
            kind="sys_approval_change",
            data=APPROVAL,
            time=1700000200,
            source=SOURCE_SANDBOX,
            meta={"agentid": 1000004},
        )
        emu.events.emit(event)
        assert bystander.received == []
    (sys_got,), (app_got,) = system.received, submitter.received
    assert sys_got["fields"]["AgentID"] == "3010040"
    assert app_got["fields"]["AgentID"] == "1000004"
    info = app_got["root"].find("ApprovalInfo")
    assert info is not None
    assert info.findtext("SpNoStr") == "202311250001" and info.findtext("SpStatus") == "2"
    assert info.findtext("Applyer/UserId") == "zhangsan"
    assert [n.findtext("UserId") for n in info.findall("Notifyer")] == ["wangfang", "liuyang"]
    assert info.findtext("SpRecord/Details/Approver/UserId") == "lisi"
    assert info.findtext("SpRecord/Details/Speech") == "同意"
    assert info.findtext("StatuChangeEvent") == "2"
    xml = app_got["xml"]
    assert xml.index("<Event>") < xml.index("<AgentID>") < xml.index("<ApprovalInfo>")


def test_approval_event_from_an_api_call_reaches_the_calling_app(
    emu: Emulator, receiver: Receiver
) -> None:
    configure(emu, 1000004, receiver)
    emu.events.emit(
        DomainEvent(
            CORPID,
            "sys_approval_change",
            APPROVAL,
            1700000200,
            SOURCE_API,
            actor_scope="app",
            actor_agentid=1000004,
        )
    )
    assert receiver.received[0]["fields"]["AgentID"] == "1000004"


def test_approval_event_addressed_by_target_without_agentid(emu: Emulator) -> None:
    data = {k: v for k, v in APPROVAL.items() if k != "AgentID"}
    with Receiver() as system, Receiver() as submitter:
        configure(emu, "approval", system)
        configure(emu, 1000004, submitter)
        emu.events.emit(
            DomainEvent(
                CORPID, "sys_approval_change", data, 1700000200, SOURCE_SANDBOX, target=1000004
            )
        )
    assert system.received[0]["fields"]["AgentID"] == "3010040"
    xml = submitter.received[0]["xml"]
    assert "<AgentID>1000004</AgentID>" in xml
    assert xml.index("<Event>") < xml.index("<AgentID>") < xml.index("<ApprovalInfo>")


def test_app_events_find_their_app_by_agentid(emu: Emulator, receiver: Receiver) -> None:
    configure(emu, 1000002, receiver)
    card = {
        "EventKey": "btn_ok",
        "TaskId": "task1",
        "CardType": "button_interaction",
        "ResponseCode": "rc1",
        "AgentID": 1000002,
    }
    event = DomainEvent(
        CORPID, "template_card_event", card, 1700000300, SOURCE_SANDBOX, meta={"from_user": "lisi"}
    )
    emu.events.emit(event)
    f = receiver.received[0]["fields"]
    assert f["Event"] == "template_card_event" and f["TaskId"] == "task1"
    assert f["FromUserName"] == "lisi" and f["ResponseCode"] == "rc1"


def test_internal_events_of_other_families_are_not_called_back(
    emu: Emulator, receiver: Receiver
) -> None:
    configure(emu, 1000002, receiver)
    emu.events.emit(DomainEvent(CORPID, "message_sent", {"AgentID": 1000002}, 1, target=1000002))
    assert receiver.received == [] and emu.callback_deliveries() == []


def test_user_text_message_and_passive_reply(emu: Emulator, receiver: Receiver) -> None:
    emu.configure_callbacks(verify_timeout=5)
    configure(emu, 1000002, receiver)
    reply_crypt = WXBizMsgCrypt(TOKEN, KEY, CORPID)

    def reply(root: ET.Element) -> Any:
        xml = (
            f"<xml><ToUserName><![CDATA[{root.findtext('FromUserName')}]]></ToUserName>"
            f"<FromUserName><![CDATA[{CORPID}]]></FromUserName><CreateTime>1</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>"
        )
        ret, body = reply_crypt.EncryptMsg(xml, "12345", "1700000000")
        assert ret == 0
        return body

    receiver.behave = lambda n: reply
    (rec,) = emu.sandbox_user_message(1000002, "zhangsan", "你好 <b>&")
    (got,) = receiver.received
    f = got["fields"]
    assert f["MsgType"] == "text" and f["Content"] == "你好 <b>&"
    assert f["FromUserName"] == "zhangsan" and f["AgentID"] == "1000002"
    assert "Event" not in f and int(f["MsgId"]) > 0
    assert got["envelope"]["AgentID"] == "1000002"
    assert rec["reply"]["ok"] is True
    assert rec["reply"]["fields"]["Content"] == "收到"
    assert rec["reply"]["fields"]["ToUserName"] == "zhangsan"


def test_passive_reply_with_a_bad_signature_or_receiveid_is_logged(
    emu: Emulator, receiver: Receiver
) -> None:
    configure(emu, 1000002, receiver)
    forged = WXBizMsgCrypt("WrongToken", KEY, CORPID)
    other_corp = WXBizMsgCrypt(TOKEN, KEY, "wwsomeothercorp")
    replies = [forged, other_corp]
    receiver.behave = lambda n: lambda root: replies[n - 1].EncryptMsg("<xml/>", "1", "2")[1]
    (bad_sig,) = emu.sandbox_user_message(1000002, "zhangsan", "a")
    (bad_rid,) = emu.sandbox_user_message(1000002, "zhangsan", "b")
    assert bad_sig["outcome"] == "delivered"  # the HTTP 200 counts; the reply is dropped
    assert bad_sig["reply"] == {"ok": False, "errcode": -40001, "error": bad_sig["reply"]["error"]}
    assert bad_rid["reply"]["ok"] is False and bad_rid["reply"]["errcode"] == -40005


@pytest.mark.parametrize(("event", "key"), [("enter_agent", ""), ("click", "MENU_ONCALL")])
def test_app_events(emu: Emulator, receiver: Receiver, event: str, key: str) -> None:
    configure(emu, 1000002, receiver)
    emu.sandbox_app_event(1000002, "lisi", event, key)
    f = receiver.received[0]["fields"]
    assert (f["MsgType"], f["Event"], f["FromUserName"]) == ("event", event, "lisi")
    assert (f["EventKey"] or "") == key and f["AgentID"] == "1000002"


def test_sandbox_refuses_users_who_cannot_see_the_app(emu: Emulator) -> None:
    with pytest.raises(CallbackError):
        emu.sandbox_app_event(1000003, "zhangsan")  # 销售助手 is visible to dept 5 only
    with pytest.raises(CallbackError):
        emu.sandbox_user_message(1000002, "nobody", "hi")


# -- retries and timeouts --------------------------------------------------------------------
def test_a_slow_receiver_is_retried_until_it_answers(emu: Emulator, receiver: Receiver) -> None:
    configure(emu, 1000002, receiver)
    emu.configure_callbacks(timeout=0.6)  # room for the second answer on a busy machine
    receiver.behave = lambda n: "hang" if n == 1 else "ok"
    (rec,) = emu.sandbox_app_event(1000002, "lisi")
    assert rec["outcome"] == "delivered"
    first, second = rec["attempts"]
    assert first["status"] is None and first["error"] == "timeout after 0.6 s"
    assert first["latency_ms"] >= 600
    assert second["status"] == 200
    assert first["query"]["nonce"] != second["query"]["nonce"]
    assert len(receiver.received) == 1


def test_a_dead_receiver_gets_three_retries(emu: Emulator, receiver: Receiver) -> None:
    configure(emu, 1000002, receiver)
    emu.configure_callbacks(timeout=0.2)
    receiver.behave = lambda n: "hang"
    (rec,) = emu.sandbox_app_event(1000002, "lisi")
    assert rec["outcome"] == "failed"
    assert len(rec["attempts"]) == 4  # the first try and three retries
    assert all(a["error"].startswith("timeout") for a in rec["attempts"])


def test_connection_refused_is_retried(emu: Emulator) -> None:
    emu.set_callback(1000002, free_port_url(), TOKEN, KEY, verify=False)
    (rec,) = emu.sandbox_app_event(1000002, "lisi")
    assert rec["outcome"] == "failed" and len(rec["attempts"]) == 4
    assert all(a["error"].startswith("connection failed") for a in rec["attempts"])


def test_http_500_is_a_final_failure(emu: Emulator, receiver: Receiver) -> None:
    configure(emu, 1000002, receiver)
    receiver.behave = lambda n: "500"
    (rec,) = emu.sandbox_app_event(1000002, "lisi")
    assert rec["outcome"] == "failed" and len(rec["attempts"]) == 1
    assert rec["attempts"][0]["status"] == 500 and rec["attempts"][0]["response"] == "boom"
    assert receiver.posts == 1


def test_default_delivery_timeout_is_the_real_five_seconds(emu: Emulator) -> None:
    assert emu.configure_callbacks()["timeout"] == 5.0
    assert emu.configure_callbacks()["verify_timeout"] == 1.0
    assert emu.configure_callbacks()["retries"] == 3


def test_reset_restores_the_fixture_config_and_clears_the_log(emu: Emulator) -> None:
    emu.set_callback(1000002, free_port_url(), TOKEN, KEY, verify=False)
    emu.sandbox_app_event(1000002, "lisi")
    assert emu.callback_deliveries()
    emu.reset()
    assert emu.callback_deliveries() == [] and emu.callback_config(1000002) is None


# -- server mode: a background queue ------------------------------------------------------------
def test_server_mode_never_blocks_the_api_call(receiver: Receiver, wecom_server: Any) -> None:
    emu = wecom_server.emulator
    configure(emu, "contacts", receiver)
    receiver.behave = lambda n: "hang" if n == 1 else "ok"
    emu.configure_callbacks(timeout=3)
    try:
        token = emu.token("app", 1000002)
        base = wecom_server.api_base
        r = requests.post(
            f"{base}/tag/create", params={"access_token": token}, json={"tagname": "bg"}, timeout=5
        )
        tagid = r.json()["tagid"]
        r = requests.post(
            f"{base}/tag/addtagusers",
            params={"access_token": token},
            json={"tagid": tagid, "userlist": ["lisi"]},
            timeout=5,
        )
        assert r.json()["errcode"] == 0
        # The receiver still holds the first attempt: the API call did not wait for it.
        assert emu.callback_deliveries() == []
        receiver.release.set()
        assert emu.flush_callbacks(10)
        (rec,) = emu.callback_deliveries()
        assert rec["outcome"] == "delivered"
        assert receiver.received[0]["fields"]["ChangeType"] == "update_tag"
        url = f"{wecom_server.url}/__admin/callbacks/deliveries"
        admin = requests.get(url, timeout=5).json()
        assert admin["deliveries"][0]["id"] == rec["id"] and admin["dropped"] == 0
    finally:
        emu.configure_callbacks(timeout=5)


def test_server_mode_drops_are_counted_and_logged(receiver: Receiver) -> None:
    emu = Emulator(mode="server")
    try:
        emu.callbacks.dispatcher.stop()
        emu.configure_callbacks(queue_size=1, workers=1, timeout=3)
        emu.callbacks.dispatcher.start_workers()
        configure(emu, 1000002, receiver)
        receiver.behave = lambda n: "hang" if n == 1 else "ok"
        emu.sandbox_app_event(1000002, "lisi")  # taken by the worker, hangs
        # The worker may not have taken the first job yet: send until one is dropped.
        for _ in range(3):
            emu.sandbox_app_event(1000002, "lisi")
            if emu.callbacks.dispatcher.dropped:
                break
        assert emu.callbacks.dispatcher.dropped >= 1
        assert emu.callback_deliveries(outcome="dropped")
        receiver.release.set()
        assert emu.flush_callbacks(10)
    finally:
        emu.close()


@pytest.mark.callbacks(timeout=0.25)
def test_wecom_fixture_intercept_lets_loopback_callbacks_through(
    wecom: Emulator, receiver: Receiver
) -> None:
    assert wecom.configure_callbacks()["timeout"] == 0.25  # the marker
    configure(wecom, 1000002, receiver)
    token = requests.get(
        "https://qyapi.weixin.qq.com/cgi-bin/gettoken",
        params={"corpid": CORPID, "corpsecret": "DEMO-app-1000002-secret-not-real"},
        timeout=5,
    ).json()["access_token"]
    r = requests.post(
        "https://qyapi.weixin.qq.com/cgi-bin/tag/create",
        params={"access_token": token},
        json={"tagname": "x"},
        timeout=5,
    )
    assert r.json()["errcode"] == 0
    wecom.sandbox_user_message(1000002, "lisi", "ping")
    assert receiver.received[0]["fields"]["Content"] == "ping"
