"""Each fault kind and trigger, over HTTP (``wecom_server``) and in process (``wecom``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from mock_server import Emulator
from mock_server.faults.rules import RuleError

IN_PROCESS_BASE = "https://qyapi.weixin.qq.com/cgi-bin"


@dataclass
class Target:
    """One transport: the emulator behind it and the base URL a client uses."""

    emu: Emulator
    base: str
    kind: str

    def token(self, scope: str = "contacts", agentid: int | None = None) -> str:
        return self.emu.token(scope, agentid)

    def get(self, name: str, token: str | None = None, **params: Any) -> requests.Response:
        if token is not None:
            params["access_token"] = token
        return requests.get(f"{self.base}/{name}", params=params, timeout=10)

    def post(self, name: str, body: Any, token: str) -> requests.Response:
        return requests.post(
            f"{self.base}/{name}", params={"access_token": token}, json=body, timeout=10
        )

    def user(self, token: str, userid: str = "zhangsan") -> dict[str, Any]:
        return self.get("user/get", token, userid=userid).json()  # type: ignore[no-any-return]


@pytest.fixture(params=["inprocess", "http"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.param == "http":
        server = request.getfixturevalue("wecom_server")
        yield Target(server.emulator, server.api_base, "http")
    else:
        yield Target(request.getfixturevalue("wecom"), IN_PROCESS_BASE, "inprocess")


# -- actions ---------------------------------------------------------------------------------
def test_errcode_with_the_tables_errmsg_and_journal_entry(target: Target) -> None:
    tok = target.token()
    with target.emu.fault("user/get", errcode=-1, times=1) as f:
        resp = target.get("user/get", tok, userid="zhangsan")
        body = resp.json()
        assert body["errcode"] == -1
        assert body["errmsg"].startswith("system busy")
        assert "more info at https://open.work.weixin.qq.com/devtool/query?e=-1" in body["errmsg"]
        assert resp.headers["Error-Code"] == "-1"
        assert f.triggered == 1
    entry = target.emu.journal.entries(path="user/get")[-1]
    assert entry["errcode"] == -1
    assert entry["fault"] == {"id": f.id, "kind": "errcode"}


def test_errcode_with_a_custom_errmsg(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", errcode=45009, errmsg="api freq out of limit (injected)")
    body = target.user(tok)
    assert body["errcode"] == 45009
    assert body["errmsg"].startswith("api freq out of limit (injected), hint: [")


def test_http_status_with_body(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", status=502, response="<html>502 Bad Gateway</html>")
    resp = target.get("user/get", tok, userid="zhangsan")
    assert resp.status_code == 502
    assert resp.text == "<html>502 Bad Gateway</html>"
    assert resp.headers["Content-Type"].startswith("text/html")
    target.emu.clear_faults()
    target.emu.fault("user/get", status=503, response={"message": "upstream down"})
    resp = target.get("user/get", tok, userid="zhangsan")
    assert (resp.status_code, resp.json()) == (503, {"message": "upstream down"})


def test_fixed_delay_then_real_handling(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", delay=0.2, times=1)
    started = time.perf_counter()
    body = target.user(tok)
    assert time.perf_counter() - started >= 0.2
    assert body["errcode"] == 0 and body["userid"] == "zhangsan"
    entry = target.emu.journal.entries(path="user/get")[-1]
    assert entry["fault"]["delay"] == 0.2
    assert entry["duration_ms"] >= 200


def test_random_delay_range_is_within_bounds(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", delay=[0.05, 0.1], seed=3, times=2)
    for _ in range(2):
        assert target.user(tok)["errcode"] == 0
    delays = [e["fault"]["delay"] for e in target.emu.journal.entries(path="user/get")]
    assert len(delays) == 2 and all(0.05 <= d <= 0.1 for d in delays)


def test_delay_scale_setting_shortens_delays(target: Target) -> None:
    tok = target.token()
    target.emu.settings["fault_delay_scale"] = 0.01
    try:
        target.emu.fault("user/get", delay=5, times=1)
        started = time.perf_counter()
        assert target.user(tok)["errcode"] == 0
        assert time.perf_counter() - started < 2
    finally:
        del target.emu.settings["fault_delay_scale"]


@pytest.mark.parametrize(
    ("kind", "inner"),
    [
        ("reset", "ConnectionResetError"),
        ("empty", "RemoteDisconnected"),
        ("garbage", "BadStatusLine"),
    ],
)
def test_socket_faults_raise_requests_connection_error(
    target: Target, kind: str, inner: str
) -> None:
    tok = target.token()
    target.emu.fault("user/get", fault=kind, times=1)
    with pytest.raises(requests.ConnectionError) as exc:
        target.user(tok)
    assert inner in repr(exc.value)
    assert target.user(tok)["errcode"] == 0  # the next connection works
    entry = target.emu.journal.entries(path="user/get")[0]
    assert entry["fault"]["kind"] == kind
    assert entry["errcode"] is None  # nothing was answered


def test_malformed_json_body(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", fault="malformed", times=1)
    resp = target.get("user/get", tok, userid="zhangsan")
    assert resp.status_code == 200
    assert resp.content.startswith(b'{"errcode":0')
    with pytest.raises(requests.JSONDecodeError):
        resp.json()


def test_malformed_after_real_handling_truncates_the_real_answer(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", fault="malformed", stage="after", times=1)
    resp = target.get("user/get", tok, userid="zhangsan")
    assert b'"userid":"zhangsan"' in target.get("user/get", tok, userid="zhangsan").content
    assert resp.content.startswith(b'{"errcode":0,"errmsg":"ok"')


def test_reset_after_real_handling_keeps_the_state_change(target: Target) -> None:
    """The call went through but the answer was lost: the client must not blindly resend."""
    tok = target.token()
    target.emu.fault("tag/addtagusers", fault="reset", stage="after", times=1)
    with pytest.raises(requests.ConnectionError):
        target.post("tag/addtagusers", {"tagid": 1, "userlist": ["zhangsan"]}, tok)
    members = target.get("tag/get", tok, tagid=1).json()["userlist"]
    assert "zhangsan" in [m["userid"] for m in members]
    assert target.emu.journal.entries(path="tag/addtagusers")[0]["errcode"] == 0


def test_invalidate_token_gives_40014_and_a_new_token_works(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", invalidate_token=True, times=1)
    assert target.user(tok)["errcode"] == 40014
    assert target.user(tok)["errcode"] == 40014
    assert target.user(target.token())["errcode"] == 0


def test_rotate_secret_action_revokes_the_callers_token(target: Target) -> None:
    tok = target.token("app", 1000002)
    old = target.emu.corp().agents[1000002].secret
    target.emu.fault("user/get", rotate_secret=True, times=1)
    assert target.user(tok)["errcode"] == 40014
    body = target.get("gettoken", corpid=target.emu.corp().corpid, corpsecret=old).json()
    assert body["errcode"] == 40001


def test_advance_clock_action_expires_tokens(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", advance_clock=7201, stage="after", nth=1)
    assert target.user(tok)["errcode"] == 0
    assert target.user(tok)["errcode"] == 42001


# -- triggers ---------------------------------------------------------------------------------
def _codes(target: Target, tok: str, n: int) -> list[int]:
    return [target.user(tok)["errcode"] for _ in range(n)]


def test_trigger_always(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", errcode=-1)
    assert _codes(target, tok, 4) == [-1, -1, -1, -1]


def test_trigger_first_n_then_expires(target: Target) -> None:
    tok = target.token()
    f = target.emu.fault("user/get", errcode=-1, first=2)
    assert _codes(target, tok, 4) == [-1, -1, 0, 0]
    assert target.emu.faults()[0]["expired"] is True
    assert (f.seen, f.triggered) == (2, 2)


def test_trigger_nth(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", errcode=-1, nth=3)
    assert _codes(target, tok, 5) == [0, 0, -1, 0, 0]


def test_trigger_every_kth_with_times(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", errcode=-1, every=2, times=2)
    assert _codes(target, tok, 7) == [0, -1, 0, -1, 0, 0, 0]


def test_trigger_seeded_probability_is_reproducible(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", errcode=-1, probability=0.5, seed=11)
    first = _codes(target, tok, 12)
    target.emu.clear_faults()
    target.emu.fault("user/get", errcode=-1, probability=0.5, seed=11)
    assert _codes(target, tok, 12) == first
    assert 0 < first.count(-1) < 12


def test_trigger_clock_window(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/get", errcode=-1, window=[60, 120])
    assert _codes(target, tok, 1) == [0]
    target.emu.advance(61)
    assert _codes(target, tok, 2) == [-1, -1]
    target.emu.advance(60)
    assert _codes(target, tok, 1) == [0]


# -- matching ---------------------------------------------------------------------------------
def test_match_glob_method_and_scope(target: Target) -> None:
    contacts = target.token()
    app = target.token("app", 1000002)
    target.emu.fault("user/*", method="GET", scope="app", errcode=-1)
    assert target.user(contacts)["errcode"] == 0
    assert target.user(app)["errcode"] == -1
    assert target.get("user/simplelist", app, department_id=1).json()["errcode"] == -1
    assert target.get("department/list", app).json()["errcode"] == 0


def test_match_agentid_and_corpid(target: Target) -> None:
    app2 = target.token("app", 1000002)
    app3 = target.token("app", 1000003)
    corpid = target.emu.corp().corpid
    target.emu.fault("user/get", agentid=1000003, corpid=corpid, errcode=-1)
    target.emu.fault("user/get", corpid="wwother0000000000", errcode=-1)
    assert target.user(app2)["errcode"] == 0
    assert target.user(app3, "wangfang")["errcode"] == -1


def test_match_gettoken_by_secret_scope(target: Target) -> None:
    corp = target.emu.corp()
    target.emu.fault("gettoken", scope="contacts", fault="empty")
    with pytest.raises(requests.ConnectionError):
        target.get("gettoken", corpid=corp.corpid, corpsecret=corp.secrets["contacts"])
    body = target.get("gettoken", corpid=corp.corpid, corpsecret=corp.agents[1000002].secret)
    assert body.json()["errcode"] == 0


def test_match_body_predicate(target: Target) -> None:
    tok = target.token()
    target.emu.fault("tag/addtagusers", when={"userlist": {"contains": "lisi"}}, errcode=-1)
    target.emu.fault("tag/addtagusers", when={"tagid": 4}, errcode=45009)
    assert (
        target.post("tag/addtagusers", {"tagid": 1, "userlist": ["zhangsan"]}, tok).json()[
            "errcode"
        ]
        == 0
    )
    assert (
        target.post("tag/addtagusers", {"tagid": 2, "userlist": ["lisi"]}, tok).json()["errcode"]
        == -1
    )
    assert (
        target.post("tag/addtagusers", {"tagid": 4, "userlist": ["wuxia"]}, tok).json()["errcode"]
        == 45009
    )


def test_faults_hit_calls_with_bad_tokens_and_unknown_paths(target: Target) -> None:
    target.emu.fault("*", errcode=-1, times=2)
    assert target.user("not-a-token")["errcode"] == -1
    assert target.get("no/such/api").json()["errcode"] == -1
    assert target.user("not-a-token")["errcode"] == 40014


def test_first_rule_added_wins(target: Target) -> None:
    tok = target.token()
    target.emu.fault("user/*", errcode=-1, times=1)
    target.emu.fault("user/get", errcode=45009, times=1)
    assert _codes(target, tok, 3) == [-1, 45009, 0]


# -- Python API, marker, reset ------------------------------------------------------------------
def test_context_manager_removes_the_rule(wecom: Emulator) -> None:
    tok = wecom.token("contacts")
    with wecom.fault("user/get", errcode=-1) as f:
        assert len(wecom.faults()) == 1
    assert wecom.faults() == []
    assert (
        wecom.call("GET", "user/get", params={"access_token": tok, "userid": "lisi"})["errcode"]
        == 0
    )
    assert "fault" in repr(f)


@pytest.mark.wecom_fault(path="user/get", errcode=-1, times=1)
def test_marker_adds_a_rule_for_the_test(wecom: Emulator) -> None:
    tok = wecom.token("contacts")
    assert (
        requests.get(
            f"{IN_PROCESS_BASE}/user/get", params={"access_token": tok, "userid": "lisi"}, timeout=5
        ).json()["errcode"]
        == -1
    )
    assert wecom.faults()[0]["triggered"] == 1


@pytest.mark.wecom_fault({"path": "gettoken", "errcode": -1, "times": 1})
def test_marker_over_http(wecom_server: Any) -> None:
    corp = wecom_server.emulator.corp()
    body = requests.get(
        wecom_server.api_base + "/gettoken",
        params={"corpid": corp.corpid, "corpsecret": corp.secrets["contacts"]},
        timeout=5,
    ).json()
    assert body["errcode"] == -1


def test_reset_clears_faults(emu: Emulator) -> None:
    emu.fault("user/get", errcode=-1)
    emu.reset()
    assert emu.faults() == []


def test_remove_fault_by_id(emu: Emulator) -> None:
    f = emu.fault("user/get", errcode=-1, id="busy")
    assert f.id == "busy"
    with pytest.raises(RuleError, match="already exists"):
        emu.fault("user/get", errcode=-1, id="busy")
    assert emu.remove_fault("busy") is True
    assert emu.remove_fault("busy") is False


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"path": "user/get"}, "needs an action"),
        ({"path": "user/get", "errcode": -1, "fault": "reset"}, "pick one answer"),
        ({"path": "user/get", "fault": "explode"}, "fault must be one of"),
        ({"path": "user/get", "errcode": -1, "colour": "red"}, "unknown key"),
        ({"path": "user/get", "errcode": -1, "times": 0}, "times must be"),
        ({"path": "user/get", "errcode": -1, "probability": 2}, "between 0 and 1"),
        ({"path": "user/get", "errcode": -1, "window": [5, 1]}, "window end"),
        ({"path": "user/get", "delay": [2, 1]}, "delay max"),
        ({"path": "user/get", "errcode": -1, "when": {"a": {"like": 1}}}, "exactly one of"),
        ({"path": "user/get", "errcode": -1, "scope": "root"}, "scope must be"),
        ({"path": "user/get", "errmsg": "x"}, "errmsg needs an errcode"),
        ({"path": "user/get", "errcode": -1, "nth": 2, "every": 3}, "cannot be combined"),
    ],
)
def test_bad_rules_are_rejected_and_nothing_is_added(
    emu: Emulator, spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(RuleError, match=message):
        emu.add_faults([{"path": "user/list", "errcode": -1}, spec])
    assert emu.faults() == []


def test_socket_fault_under_another_wsgi_server_degrades_to_an_empty_body() -> None:
    """Without the bundled waitress server there is no socket to reset (documented)."""
    from mock_server import create_app

    app = create_app(Emulator(mode="server"))
    emu = app.config["EMULATOR"]
    emu.fault("gettoken", fault="reset")
    resp = app.test_client().get("/cgi-bin/gettoken?corpid=x&corpsecret=y")
    assert (resp.status_code, resp.data) == (200, b"")
    assert emu.journal.entries()[-1]["fault"]["kind"] == "reset"


def test_invalidate_token_after_gettoken_kills_the_token_just_issued(target: Target) -> None:
    corp = target.emu.corp()
    target.emu.fault("gettoken", invalidate_token=True, stage="after", times=1)
    first = target.get("gettoken", corpid=corp.corpid, corpsecret=corp.secrets["contacts"]).json()
    assert first["errcode"] == 0
    assert target.user(first["access_token"])["errcode"] == 40014
    second = target.get("gettoken", corpid=corp.corpid, corpsecret=corp.secrets["contacts"]).json()
    assert second["access_token"] != first["access_token"]
    assert target.user(second["access_token"])["errcode"] == 0
