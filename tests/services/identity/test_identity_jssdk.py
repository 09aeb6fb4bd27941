"""JS-SDK: corp and app tickets on the emulator clock, signature checks, uploaded voices."""

from __future__ import annotations

import hashlib

from mock_server import Emulator
from mock_server.services.identity import models as m
from mock_server.services.identity.models import jsapi_signature
from tests.conftest import Api

OPS, CRM = 1000002, 1000003
PAGE = "https://ops.demo-corp.example/alerts/index.html?from=menu"


def sha1_reference(ticket: str, noncestr: str, timestamp: int, url: str) -> str:
    """Written from the doc's recipe alone (90506), independent of the emulator's helper."""
    plain = "&".join(
        [f"jsapi_ticket={ticket}", f"noncestr={noncestr}", f"timestamp={timestamp}", f"url={url}"]
    )
    return hashlib.sha1(plain.encode()).hexdigest()


def test_documented_vector() -> None:
    ticket = (
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    )
    args = (ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")
    assert jsapi_signature(*args) == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    assert sha1_reference(*args) == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_corp_ticket_same_while_valid_new_after_expiry(emu: Emulator) -> None:
    ops = Api(emu, "app", OPS)
    first = ops.get("get_jsapi_ticket")
    assert first["errcode"] == 0 and first["expires_in"] == 7200 and len(first["ticket"]) <= 512
    emu.advance(7000)
    again = Api(emu, "app", CRM).get("get_jsapi_ticket")  # the corp's ticket, any app
    assert again["ticket"] == first["ticket"] and again["expires_in"] == 200
    emu.advance(200)
    assert Api(emu, "app", OPS).get("get_jsapi_ticket")["ticket"] != first["ticket"]


def test_agent_ticket_per_app_and_differs_from_corp_ticket(emu: Emulator) -> None:
    ops, crm = Api(emu, "app", OPS), Api(emu, "app", CRM)
    a = ops.get("ticket/get", type="agent_config")
    b = crm.get("ticket/get", type="agent_config")
    corp = ops.get("get_jsapi_ticket")
    assert a["errcode"] == b["errcode"] == 0 and a["expires_in"] == 7200
    assert len({a["ticket"], b["ticket"], corp["ticket"]}) == 3
    assert ops.get("ticket/get", type="agent_config")["ticket"] == a["ticket"]


def test_ticket_type_91040(emu: Emulator) -> None:
    ops = Api(emu, "app", OPS)
    assert ops.get("ticket/get", type="jsapi")["errcode"] == 91040
    assert ops.get("ticket/get")["errcode"] == 91040


def test_ticket_quota_per_hour_45009(emu: Emulator) -> None:
    ops = Api(emu, "app", OPS)
    for _ in range(m.AGENT_TICKET_PER_HOUR):
        assert ops.get("ticket/get", type="agent_config")["errcode"] == 0
    assert ops.get("ticket/get", type="agent_config")["errcode"] == 45009
    # Another app has its own quota; the corp ticket has the corp's 400.
    assert Api(emu, "app", CRM).get("ticket/get", type="agent_config")["errcode"] == 0
    for _ in range(m.CORP_TICKET_PER_HOUR):
        assert ops.get("get_jsapi_ticket")["errcode"] == 0
    assert ops.get("get_jsapi_ticket")["errcode"] == 45009
    emu.advance(3601)
    fresh = Api(emu, "app", OPS)
    assert fresh.get("get_jsapi_ticket")["errcode"] == 0
    assert fresh.get("ticket/get", type="agent_config")["errcode"] == 0


def test_contacts_secret_gets_no_ticket_48002(emu: Emulator) -> None:
    assert Api(emu, "contacts").get("get_jsapi_ticket")["errcode"] == 48002


def test_client_accepts_a_correct_config_and_agent_config(emu: Emulator) -> None:
    ops = Api(emu, "app", OPS)
    corp_ticket = ops.get("get_jsapi_ticket")["ticket"]
    app_ticket = ops.get("ticket/get", type="agent_config")["ticket"]
    ts = emu.clock.time()
    sig = sha1_reference(corp_ticket, "Zx8Kq2LmN4pR7tVw", ts, PAGE)
    ok = emu.check_jsapi_signature(
        url=PAGE, noncestr="Zx8Kq2LmN4pR7tVw", timestamp=ts, signature=sig
    )
    assert ok["ok"] is True
    sig = sha1_reference(app_ticket, "n0nce", ts, PAGE)
    ok = emu.check_jsapi_signature(
        url=PAGE + "#/detail/7",  # the client drops the fragment of the page URL
        noncestr="n0nce",
        timestamp=ts,
        signature=sig,
        agent_config=True,
        agentid=OPS,
    )
    assert ok["ok"] is True


def test_client_refuses_wrong_signatures(emu: Emulator) -> None:
    ops = Api(emu, "app", OPS)
    corp_ticket = ops.get("get_jsapi_ticket")["ticket"]
    app_ticket = ops.get("ticket/get", type="agent_config")["ticket"]
    crm_ticket = Api(emu, "app", CRM).get("ticket/get", type="agent_config")["ticket"]
    ts = emu.clock.time()

    def check(sig: str, url: str = PAGE, **kw: object) -> dict[str, object]:
        return emu.check_jsapi_signature(url=url, noncestr="n", timestamp=ts, signature=sig, **kw)

    with_fragment = sha1_reference(corp_ticket, "n", ts, PAGE + "#/x")
    assert check(with_fragment)["errcode"] == 40093
    encoded = sha1_reference(corp_ticket, "n", ts, "https%3A%2F%2Fops.demo-corp.example%2F")
    assert check(encoded)["errcode"] == 40093
    millis = emu.check_jsapi_signature(
        url=PAGE,
        noncestr="n",
        timestamp=ts * 1000,
        signature=sha1_reference(corp_ticket, "n", ts * 1000, PAGE),
    )
    assert millis["errcode"] == 40093
    # agentConfig signed with the corp ticket, or with another app's ticket.
    corp_signed = sha1_reference(corp_ticket, "n", ts, PAGE)
    assert check(corp_signed, agent_config=True, agentid=OPS)["errcode"] == 40093
    other = sha1_reference(crm_ticket, "n", ts, PAGE)
    assert check(other, agent_config=True, agentid=OPS)["errcode"] == 42012
    # A page outside the app's trusted domain.
    elsewhere = "https://evil.example/page"
    sig = sha1_reference(app_ticket, "n", ts, elsewhere)
    assert check(sig, url=elsewhere, agent_config=True, agentid=OPS)["errcode"] == 80001
    # An expired ticket no longer signs anything.
    good = sha1_reference(corp_ticket, "n", ts, PAGE)
    emu.advance(7200)
    assert check(good)["errcode"] == 40093


def test_media_get_jssdk_returns_the_voice_40007_otherwise(emu: Emulator) -> None:
    ops = Api(emu, "app", OPS)
    media_id = emu.jssdk_upload_voice(b"Speex   fake-voice-frames")
    raw = emu.call(
        "GET", "media/get/jssdk", params={"access_token": ops.token, "media_id": media_id}
    )
    assert raw == {"raw": b"Speex   fake-voice-frames"}
    assert ops.get("media/get/jssdk", media_id="3nope")["errcode"] == 40007
    assert ops.get("media/get/jssdk")["errcode"] == 40007
    image = emu.upload_media(b"\x89PNG\r\n\x1a\n0000", type="image", filename="a.png")
    assert ops.get("media/get/jssdk", media_id=image)["errcode"] == 40007
    emu.advance(3 * 24 * 3600)
    ops = Api(emu, "app", OPS)
    assert ops.get("media/get/jssdk", media_id=media_id)["errcode"] == 40007
