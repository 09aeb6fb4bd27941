"""Modelled limits (rate limits 45009, trusted IPs 60020, secret rotation) and the admin API."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mock_server import Emulator, ServerThread
from mock_server.core.resources import demo_fixture

IN_PROCESS_BASE = "https://qyapi.weixin.qq.com/cgi-bin"


def _user(emu: Emulator, tok: str, userid: str = "zhangsan", ip: str = "127.0.0.1") -> int:
    body = emu.call("GET", "user/get", params={"access_token": tok, "userid": userid}, client_ip=ip)
    return int(body["errcode"])


def _gettoken(emu: Emulator, secret: str, ip: str = "127.0.0.1") -> dict[str, Any]:
    return emu.call(
        "GET",
        "gettoken",
        params={"corpid": emu.corp().corpid, "corpsecret": secret},
        client_ip=ip,
    )


# -- rate limits ------------------------------------------------------------------------------
def test_rate_limits_off_in_process_and_on_in_server_mode() -> None:
    assert Emulator().rate_limits()["enabled"] is False
    status = Emulator(mode="server").rate_limits()
    assert status["enabled"] is True
    names = [lim["name"] for lim in status["limits"]]
    assert "corp per API per minute" in names and "IP per API per hour" in names


def test_per_minute_limit_answers_45009_and_blocks_for_60_seconds(emu: Emulator) -> None:
    emu.set_rate_limits(True, [{"path": "user/get", "limit": 3, "per": "minute"}])
    tok = emu.token("contacts")
    assert [_user(emu, tok) for _ in range(4)] == [0, 0, 0, 45009]
    entry = emu.journal.entries(path="user/get")[-1]
    assert entry["errmsg"].startswith("api freq out of limit")
    assert entry["notes"]["limit"].endswith("3/minute")
    # other APIs are counted separately
    assert emu.call("GET", "department/list", params={"access_token": tok})["errcode"] == 0
    emu.advance(59)
    assert _user(emu, tok) == 45009  # still blocked
    emu.advance(2)
    assert _user(emu, tok) == 0


def test_per_hour_limit_blocks_for_an_hour(emu: Emulator) -> None:
    emu.set_rate_limits(True, [{"path": "user/get", "limit": 2, "per": "hour"}])
    tok = emu.token("contacts")
    assert [_user(emu, tok) for _ in range(3)] == [0, 0, 45009]
    emu.advance(1800)
    assert _user(emu, tok) == 45009
    emu.advance(1801)
    assert _user(emu, tok) == 0


def test_per_ip_key_counts_each_address(emu: Emulator) -> None:
    emu.set_rate_limits(True, [{"path": "user/get", "limit": 1, "key": "ip"}])
    tok = emu.token("contacts")
    assert _user(emu, tok, ip="10.0.0.1") == 0
    assert _user(emu, tok, ip="10.0.0.2") == 0
    assert _user(emu, tok, ip="10.0.0.1") == 45009


def test_per_app_key_counts_each_agent(emu: Emulator) -> None:
    emu.set_rate_limits(True, [{"path": "user/get", "limit": 1, "key": "app"}])
    t2, t4 = emu.token("app", 1000002), emu.token("app", 1000004)
    assert _user(emu, t2) == 0
    assert _user(emu, t4) == 0
    assert _user(emu, t2) == 45009


def test_disabled_limits_do_not_count(emu: Emulator) -> None:
    emu.set_rate_limits(False, [{"path": "user/get", "limit": 1}])
    tok = emu.token("contacts")
    assert [_user(emu, tok) for _ in range(3)] == [0, 0, 0]


def test_builtin_limit_of_the_reference_applies(emu: Emulator) -> None:
    """The approval reads are limited to 600/min per corp (doc 90312)."""
    from mock_server.faults import limits

    emu.set_rate_limits(True)
    corp = emu.corp()
    now = emu.clock.now()
    for _ in range(600):
        assert (
            limits.check_rate_limits(emu, corp, "oa/getapprovaldetail", None, "1.2.3.4", now)
            is None
        )
    assert limits.check_rate_limits(emu, corp, "oa/getapprovaldetail", None, "1.2.3.4", now) == (
        "approval and checkin reads"
    )


def test_repeated_wrong_secrets_ban_the_ip_from_gettoken(emu: Emulator) -> None:
    emu.set_rate_limits(True, gettoken_failures_per_hour=3)
    for _ in range(3):
        assert _gettoken(emu, "wrong-secret", ip="10.1.1.1")["errcode"] == 40001
    good = emu.corp().secrets["contacts"]
    assert _gettoken(emu, good, ip="10.1.1.1")["errcode"] == 45009
    assert _gettoken(emu, good, ip="10.1.1.2")["errcode"] == 0
    emu.advance(3601)
    assert _gettoken(emu, good, ip="10.1.1.1")["errcode"] == 0


def test_rate_limits_per_corp_from_the_fixture_settings() -> None:
    from mock_server.core.fixtures import load_yaml

    doc = load_yaml(demo_fixture())
    doc["settings"] = {"rate_limits": {"limits": [{"path": "user/get", "limit": 1}]}}
    emu = Emulator([doc])
    tok = emu.token("contacts")
    assert [_user(emu, tok) for _ in range(2)] == [0, 45009]
    doc["settings"] = {"rate_limits": False}
    assert Emulator([doc], mode="server").rate_limits()["enabled"] is False


def test_reset_restores_fixture_settings_and_counters(emu: Emulator) -> None:
    emu.set_rate_limits(True, [{"path": "user/get", "limit": 1}])
    tok = emu.token("contacts")
    assert [_user(emu, tok) for _ in range(2)] == [0, 45009]
    emu.reset()
    assert emu.rate_limits()["enabled"] is False
    assert emu.rate_limits()["blocked"] == {}


@pytest.mark.wecom_limits(limits=[{"path": "user/get", "limit": 1}])
def test_limits_marker(wecom: Emulator) -> None:
    tok = wecom.token("contacts")
    codes = [
        requests.get(
            f"{IN_PROCESS_BASE}/user/get", params={"access_token": tok, "userid": "lisi"}, timeout=5
        ).json()["errcode"]
        for _ in range(2)
    ]
    assert codes == [0, 45009]


def test_bad_limit_specs_are_rejected(emu: Emulator) -> None:
    for spec, msg in [
        ({"limit": -1}, "non-negative"),
        ({"limit": 1, "per": "week"}, "per must be"),
        ({"limit": 1, "key": "user"}, "key must be"),
        ({"limit": 1, "colour": 1}, "unknown"),
    ]:
        with pytest.raises(ValueError, match=msg):
            emu.set_rate_limits(True, [spec])


# -- trusted IPs ----------------------------------------------------------------------------------
def test_trusted_ips_answer_60020_on_gettoken_and_every_endpoint(emu: Emulator) -> None:
    secret = emu.corp().agents[1000002].secret
    tok = emu.token("app", 1000002)  # issued before the list was set
    emu.set_trusted_ips(["10.8.0.0/16", "192.0.2.7"], agentid=1000002)
    body = _gettoken(emu, secret, ip="127.0.0.1")
    assert body["errcode"] == 60020
    assert body["errmsg"].startswith("not allow to access from your ip")
    assert "from ip: 127.0.0.1" in body["errmsg"]
    assert _user(emu, tok) == 60020
    assert _user(emu, tok, ip="10.8.3.4") == 0
    assert _gettoken(emu, secret, ip="192.0.2.7")["errcode"] == 0
    # other apps are unaffected
    assert _user(emu, emu.token("app", 1000004)) == 0


def test_wrong_secret_is_40001_even_from_a_disallowed_ip(emu: Emulator) -> None:
    emu.set_trusted_ips(["10.0.0.1"], agentid=1000002)
    assert _gettoken(emu, "wrong", ip="127.0.0.1")["errcode"] == 40001


def test_trusted_ips_for_a_system_secret(emu: Emulator) -> None:
    emu.set_trusted_ips(["10.0.0.1"], scope="contacts")
    assert _gettoken(emu, emu.corp().secrets["contacts"])["errcode"] == 60020
    assert _gettoken(emu, emu.corp().secrets["contacts"], ip="10.0.0.1")["errcode"] == 0


def test_trusted_ips_from_the_agent_fixture_and_lifted_with_empty_list() -> None:
    from mock_server.core.fixtures import load_yaml

    doc = load_yaml(demo_fixture())
    doc["agents"][0]["trusted_ips"] = ["10.0.0.1"]
    emu = Emulator([doc])
    secret = emu.corp().agents[1000002].secret
    assert _gettoken(emu, secret)["errcode"] == 60020
    emu.set_trusted_ips([], agentid=1000002)
    assert _gettoken(emu, secret)["errcode"] == 0


def test_trusted_ips_in_process_through_requests(wecom: Emulator) -> None:
    wecom.set_trusted_ips(["10.0.0.1"], agentid=1000002)
    body = requests.get(
        f"{IN_PROCESS_BASE}/gettoken",
        params={"corpid": wecom.corp().corpid, "corpsecret": wecom.corp().agents[1000002].secret},
        timeout=5,
    ).json()
    assert body["errcode"] == 60020


# -- secret rotation -------------------------------------------------------------------------------
def test_rotate_secret_python_api(emu: Emulator) -> None:
    old_secret = emu.corp().secrets["contacts"]
    tok = emu.token("contacts")
    new = emu.rotate_secret("contacts")
    assert new != old_secret and "not-real" in new
    assert _user(emu, tok) == 40014
    assert _gettoken(emu, old_secret)["errcode"] == 40001
    fresh = _gettoken(emu, new)
    assert fresh["errcode"] == 0 and fresh["access_token"] != tok
    assert _user(emu, fresh["access_token"]) == 0
    # other secrets keep their tokens
    assert _user(emu, emu.token("app", 1000002)) == 0


# -- admin API (over HTTP) ---------------------------------------------------------------------------
def test_admin_faults_crud(wecom_server: ServerThread) -> None:
    admin = wecom_server.url + "/__admin"
    tok = wecom_server.emulator.token("app", 1000002)
    r = requests.post(f"{admin}/faults", json={"path": "user/get", "errcode": -1, "times": 1})
    assert r.status_code == 201
    fault_id = r.json()["faults"][0]["id"]
    r = requests.post(
        f"{admin}/faults",
        json={"faults": [{"path": "gettoken", "fault": "reset"}, {"path": "x", "delay": 1}]},
    )
    assert r.status_code == 201 and len(r.json()["faults"]) == 2
    listed = requests.get(f"{admin}/faults").json()["faults"]
    assert [f["kind"] for f in listed] == ["errcode", "reset", "delay"]
    body = requests.get(
        wecom_server.api_base + "/user/get", params={"access_token": tok, "userid": "lisi"}
    ).json()
    assert body["errcode"] == -1
    one = requests.get(f"{admin}/faults/{fault_id}").json()
    assert (one["triggered"], one["expired"]) == (1, True)
    assert requests.delete(f"{admin}/faults/{fault_id}").status_code == 200
    assert requests.delete(f"{admin}/faults/{fault_id}").status_code == 404
    assert requests.delete(f"{admin}/faults").json() == {"status": "cleared"}
    assert requests.get(f"{admin}/faults").json()["faults"] == []


def test_admin_rejects_bad_rules_with_400(wecom_server: ServerThread) -> None:
    admin = wecom_server.url + "/__admin"
    r = requests.post(f"{admin}/faults", json={"path": "user/get", "fault": "explode"})
    assert r.status_code == 400 and "fault must be one of" in r.json()["error"]
    r = requests.post(f"{admin}/faults", data=b"not json")
    assert r.status_code == 400
    assert requests.get(f"{admin}/faults").json()["faults"] == []


def test_admin_rate_limits(wecom_server: ServerThread) -> None:
    admin = wecom_server.url + "/__admin"
    assert requests.get(f"{admin}/rate-limits").json()["enabled"] is True  # sandbox default
    r = requests.put(f"{admin}/rate-limits", json={"limits": [{"path": "user/get", "limit": 1}]})
    assert r.status_code == 200
    tok = wecom_server.emulator.token("app", 1000002)
    codes = [
        requests.get(
            wecom_server.api_base + "/user/get", params={"access_token": tok, "userid": "lisi"}
        ).json()["errcode"]
        for _ in range(2)
    ]
    assert codes == [0, 45009]
    status = requests.get(f"{admin}/rate-limits").json()
    assert len(status["blocked"]) == 1
    r = requests.put(f"{admin}/rate-limits", json={"enabled": False})
    assert r.json()["enabled"] is False
    r = requests.put(f"{admin}/rate-limits", json={"limits": [{"limit": "many"}]})
    assert r.status_code == 400
    r = requests.get(f"{admin}/rate-limits", params={"corpid": "wwnope000000"})
    assert r.status_code == 404


def test_admin_trusted_ips(wecom_server: ServerThread) -> None:
    admin = wecom_server.url + "/__admin"
    corp = wecom_server.emulator.corp()
    r = requests.put(f"{admin}/trusted-ips", json={"agentid": 1000002, "ips": ["10.0.0.0/8"]})
    assert r.status_code == 200 and r.json()["ips"] == ["10.0.0.0/8"]
    body = requests.get(
        wecom_server.api_base + "/gettoken",
        params={"corpid": corp.corpid, "corpsecret": corp.agents[1000002].secret},
    ).json()
    assert body["errcode"] == 60020
    r = requests.put(f"{admin}/trusted-ips", json={"agentid": 1000002, "ips": ["not-an-ip"]})
    assert r.status_code == 400
    r = requests.put(f"{admin}/trusted-ips", json={"agentid": 999, "ips": []})
    assert r.status_code == 404


def test_admin_rotate_secret(wecom_server: ServerThread) -> None:
    admin = wecom_server.url + "/__admin"
    emu = wecom_server.emulator
    tok = emu.token("app", 1000002)
    r = requests.post(f"{admin}/secrets/rotate", json={"agentid": 1000002})
    assert r.status_code == 200
    new = r.json()["secret"]
    body = requests.get(
        wecom_server.api_base + "/user/get", params={"access_token": tok, "userid": "lisi"}
    ).json()
    assert body["errcode"] == 40014
    body = requests.get(
        wecom_server.api_base + "/gettoken",
        params={"corpid": emu.corp().corpid, "corpsecret": new},
    ).json()
    assert body["errcode"] == 0
    r = requests.post(
        f"{admin}/secrets/rotate", json={"scope": "contacts", "secret": "MY-NEW-fake-secret"}
    )
    assert r.json()["secret"] == "MY-NEW-fake-secret"
    assert requests.post(f"{admin}/secrets/rotate", json={"agentid": 42}).status_code == 404
    assert requests.post(f"{admin}/secrets/rotate", json={"scope": "nope"}).status_code == 404


# -- concurrency (45033) ------------------------------------------------------------------------
def test_too_many_concurrent_calls_answer_45033(emu: Emulator) -> None:
    import threading

    emu.set_rate_limits(True, concurrent_per_api=1)
    tok = emu.token("contacts")
    entered, release = threading.Event(), threading.Event()
    held = []

    def hold_first_call(ctx: Any, resp: Any) -> None:
        if not held:
            held.append(ctx.request.path)
            entered.set()
            release.wait(10)

    emu.hooks.on_response.insert(0, hold_first_call)  # runs before the slot is given back
    first: list[int] = []
    worker = threading.Thread(target=lambda: first.append(_user(emu, tok)))
    worker.start()
    try:
        assert entered.wait(10)
        assert emu.rate_limits()["in_flight"] == {"user/get": 1}
        assert _user(emu, tok, "lisi") == 45033
        assert emu.call("GET", "department/list", params={"access_token": tok})["errcode"] == 0
    finally:
        release.set()
        worker.join(10)
    assert first == [0]
    assert emu.rate_limits()["in_flight"] == {}
    assert _user(emu, tok) == 0
    entry = emu.journal.entries(errcode=45033)[0]
    assert entry["errmsg"].startswith("api concurrent out of limit")
    assert "notes" not in entry or "_concurrency_slot" not in entry["notes"]
