"""Bad input never breaks the server, memory is bounded by bytes, the admin API is guarded.

One test (or a few) per defect a malformed-request campaign found; each asserts through a
later call or the journal, never through timing.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mock_server import Emulator
from mock_server.contracts.schemas import MAX_EXPLAINED, default_store, explain_with
from mock_server.core.journal import Journal
from mock_server.core.pipeline import MAX_JSON_BODY, ApiRequest
from mock_server.faults.rules import RuleError
from mock_server.services.callbacks import delivery
from mock_server.services.messaging import models as mm
from mock_server.services.messaging.media import models as md
from mock_server.web.admin import admin_refusal
from mock_server.web.app import create_app
from mock_server.web.server import ServerThread, server_emulator

SURROGATE_BODY = b'{"tagname":"x\\ud800"}'


@pytest.fixture(scope="module")
def live() -> Iterator[ServerThread]:
    server = ServerThread(Emulator(mode="server"), port=0, threads=6).start()
    yield server
    server.stop()


@pytest.fixture
def fresh(live: ServerThread) -> ServerThread:
    live.emulator.reset()
    live.emulator.clear_faults()
    return live


def stored(emu: Emulator) -> Any:
    """The fingerprint without rate-limit windows (they count every call, rejected or not)."""
    out = emu.state_fingerprint()
    for corp in out.values():
        corp["stores"].pop("faults", None)
    return out


def _envelope(resp: requests.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text[:200]
    body = resp.json()
    assert isinstance(body["errcode"], int) and isinstance(body["errmsg"], str)
    return body  # type: ignore[no-any-return]


# -- 1. lone surrogates ----------------------------------------------------------------------
def test_lone_surrogate_is_a_json_format_error_and_nothing_is_stored(fresh: ServerThread) -> None:
    emu = fresh.emulator
    token = emu.token("contacts")
    before = stored(emu)
    resp = requests.post(
        fresh.api_base + "/tag/create", params={"access_token": token}, data=SURROGATE_BODY
    )
    body = _envelope(resp)
    assert body["errcode"] == 41018  # tag name missing: the body read as malformed JSON
    assert body["errmsg"].startswith("Warning: wrong json format.")
    assert stored(emu) == before
    for path in ("tag/list", "department/list", "user/list?department_id=1"):
        name, _, query = path.partition("?")
        params = {"access_token": token, **dict([query.split("=")] if query else [])}
        assert _envelope(requests.get(f"{fresh.api_base}/{name}", params=params))["errcode"] == 0
    assert requests.get(fresh.url + "/__admin/journal").status_code == 200


def test_lone_surrogate_in_process_and_in_admin_bodies(emu: Emulator) -> None:
    token = emu.token("contacts")
    out = emu.call(
        "POST", "tag/create", params={"access_token": token}, json={"tagname": "x\ud800"}
    )
    assert out["errcode"] == 41018
    ok = emu.call("POST", "tag/create", params={"access_token": token}, json={"tagname": "😀"})
    assert ok["errcode"] == 0  # a valid pair (emoji) is fine
    client = create_app(emu).test_client()
    resp = client.post(
        "/__admin/clock/advance",
        data=b'{"seconds":1,"x":"\\udc00"}',
        content_type="application/json",
    )
    assert resp.status_code == 400


# -- 2. deep JSON ------------------------------------------------------------------------------
def test_deep_json_answers_the_envelope_and_is_journaled(fresh: ServerThread) -> None:
    deep = b"[" * 1000 + b"]" * 1000
    for path in ("/cgi-bin/tag/create", "/cgi-bin/user/get", "/cgi-bin/nope"):
        body = _envelope(requests.post(fresh.url + path, data=deep))
        assert body["errcode"] != 0
    entries = fresh.emulator.journal.entries(path="/cgi-bin/tag/create")
    assert entries and entries[-1]["errcode"] == 41001


def test_deep_json_in_process_never_raises(emu: Emulator) -> None:
    token = emu.token("contacts")
    for depth in (65, 1000, 100_000):
        raw = b'{"a":' * depth + b"1" + b"}" * depth
        resp = emu.handle(ApiRequest("POST", "/cgi-bin/tag/create", {"access_token": token}, raw))
        assert resp.body["errmsg"].startswith("Warning: wrong json format.")


# -- 3. explaining a rejected body is bounded ---------------------------------------------------
def test_schema_explanation_stops_after_a_few_errors(emu: Emulator) -> None:
    ep = emu.registry.resolve("/cgi-bin/user/create")
    assert ep is not None
    store = default_store()
    validator = store.validator_for_file(store.relpath(ep, "request"))
    body = {"userid": "a1", "name": "x", "department": [None] * 170_000}
    violations = explain_with(validator, body, "body")
    assert 1 <= len(violations) <= MAX_EXPLAINED
    assert all(len(v.message) <= 400 for v in violations)
    token = emu.token("contacts")
    emu.call("POST", "user/create", params={"access_token": token}, json=body)
    entry = emu.journal.entries(limit=1)[0]
    assert len(entry["warnings"]) <= MAX_EXPLAINED + 1
    assert isinstance(entry["body"], str) and "over the journal" in entry["body"]


# -- 4. CR/LF in echoed values --------------------------------------------------------------------
def test_crlf_in_an_echoed_value_keeps_the_response_whole(fresh: ServerThread) -> None:
    token = fresh.emulator.token("approval")
    resp = requests.post(
        fresh.api_base + "/oa/applyevent",
        params={"access_token": token},
        json={"creator_userid": "a\r\nX: y", "template_id": "t", "use_template_approver": 0},
    )
    body = _envelope(resp)
    assert body["errcode"] != 0
    assert "X" not in resp.headers
    assert "\r" not in resp.headers["Error-Msg"] and "\n" not in resp.headers["Error-Msg"]


def test_a_huge_echoed_value_keeps_the_error_header_short(fresh: ServerThread) -> None:
    token = fresh.emulator.token("app", 1000002)
    resp = requests.post(
        fresh.api_base + "/meeting/get_user_meetingid",
        params={"access_token": token},
        json={"userid": "u" * 100_000},
    )
    body = _envelope(resp)
    assert body["errcode"] != 0 and len(body["errmsg"]) > 100_000  # echoed in the body
    assert len(resp.headers["Error-Msg"]) <= 4100


def test_upload_filename_with_crlf_downloads(fresh: ServerThread) -> None:
    emu = fresh.emulator
    token = emu.token("contacts")
    files = {"media": ("a\r\nSet-Cookie: x=1.txt", b"hello world", "text/plain")}
    up = requests.post(
        fresh.api_base + "/media/upload",
        params={"access_token": token, "type": "file"},
        files=files,
    )
    uploaded = _envelope(up)["media_id"]
    # The name as stored, whatever the client's multipart encoding did to it.
    raw = md.add_media(emu.corp(), type="file", data=b"hello world", filename='a\r\nX: y".txt')
    for media_id in (uploaded, raw.media_id, raw.media_id):
        got = requests.get(
            fresh.api_base + "/media/get", params={"access_token": token, "media_id": media_id}
        )
        assert got.status_code == 200 and got.content == b"hello world"
        assert "Set-Cookie" not in got.headers and "X" not in got.headers
    assert (
        got.headers["Content-Disposition"] == "attachment; filename*=UTF-8''a%0D%0AX%3A%20y%22.txt"
    )


# -- 5. callback attempts: one deadline, a bounded reply ---------------------------------------
class Trickle:
    """A receiver that answers one byte at a time, slowly, for as long as it is connected."""

    def __init__(self, reply: bytes | None = None) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/cb"
        self.reply = reply
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                if self.reply is not None:
                    conn.sendall(self.reply)
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not self.stop.wait(0.2):  # one byte per 0.2 s, forever
                    conn.sendall(b"s")
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(5)


def test_a_trickling_receiver_times_out_within_one_attempt() -> None:
    receiver = Trickle()
    try:
        with pytest.raises(TimeoutError):
            delivery.fetch("POST", receiver.url, {}, b"<xml/>", {}, 1.0)
    finally:
        receiver.close()


def test_a_huge_reply_is_read_only_up_to_the_cap() -> None:
    size = 5 * delivery.MAX_REPLY
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode()
    receiver = Trickle(reply=head + b"x" * size)
    try:
        status, content = delivery.fetch("POST", receiver.url, {}, b"<xml/>", {}, 10.0)
    finally:
        receiver.close()
    assert status == 200 and len(content) == delivery.MAX_REPLY


def test_trickled_delivery_is_logged_as_a_timeout_not_delivered(emu: Emulator) -> None:
    receiver = Trickle()
    try:
        emu.configure_callbacks(timeout=0.5, retries=0)
        emu.set_callback(1000002, receiver.url, "tokentoken", "a" * 43, verify=False)
        (rec,) = emu.sandbox_app_event(1000002, "lisi")
    finally:
        receiver.close()
    assert rec["outcome"] == "failed"
    assert rec["attempts"][-1]["error"] == "timeout after 0.5 s"


# -- 6, 14. the admin API's guard ----------------------------------------------------------------
@pytest.fixture
def client(emu: Emulator) -> FlaskClient:
    return create_app(emu).test_client()


def test_admin_refuses_non_json_writes(client: FlaskClient, emu: Emulator) -> None:
    offset = emu.clock._offset
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        resp = client.post("/__admin/clock/advance", data=b'{"seconds":1}', content_type=ctype)
        assert resp.status_code == 415, ctype
    assert emu.clock._offset == offset  # the clock was not advanced
    ok = client.post("/__admin/clock/advance", json={"seconds": 1})
    assert ok.status_code == 200
    assert client.post("/__admin/reset").status_code == 200  # no body, no type: fine


def test_admin_refuses_cross_origin_and_cross_site(client: FlaskClient, emu: Emulator) -> None:
    offset = emu.clock._offset
    evil = {"Origin": "http://evil.example"}
    assert (
        client.post("/__admin/clock/advance", json={"seconds": 1}, headers=evil).status_code == 403
    )
    assert client.get("/__admin/corps", headers=evil).status_code == 403
    assert client.get("/__admin/corps", headers={"Origin": "null"}).status_code == 403
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/__admin/reset", headers=cross).status_code == 403
    assert emu.clock._offset == offset
    same = {"Origin": "http://localhost"}
    assert client.get("/__admin/health", headers=same).status_code == 200


def test_admin_refuses_foreign_host_names_unless_configured(emu: Emulator) -> None:
    client = create_app(emu).test_client()
    rebound = client.get("/__admin/corps", headers={"Host": "attacker.example:8000"})
    assert rebound.status_code == 403 and "Host" in rebound.get_json()["error"]
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "127.0.0.2"):
        assert client.get("/__admin/health", headers={"Host": host}).status_code == 200, host
    named = create_app(emu, admin_hosts=["mock.internal"]).test_client()
    assert named.get("/__admin/health", headers={"Host": "mock.internal:80"}).status_code == 200
    # The API itself is not guarded this way: SDKs send whatever Host they are configured with.
    assert (
        client.get("/cgi-bin/gettoken", headers={"Host": "qyapi.weixin.qq.com"}).status_code == 200
    )


def test_admin_accepts_ipv4_mapped_loopback(emu: Emulator) -> None:
    client = create_app(emu).test_client()
    mapped = client.get("/__admin/health", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"})
    assert mapped.status_code == 200
    remote = client.get("/__admin/health", environ_base={"REMOTE_ADDR": "::ffff:10.0.0.5"})
    assert remote.status_code == 403
    common = {"host": "localhost", "origin": None, "fetch_site": None, "method": "GET"}
    assert admin_refusal(remote_addr="::1", content_type=None, has_body=False, **common) is None


# -- 7. URL verification answers no body ----------------------------------------------------------
def test_verify_on_the_admin_api_does_not_return_its_secrets(fresh: ServerThread) -> None:
    emu = fresh.emulator
    result = requests.post(
        fresh.url + "/__admin/callbacks/verify",
        json={
            "app": 1000002,
            "url": fresh.url + "/__admin/corps",
            "token": "t" * 8,
            "encoding_aes_key": "a" * 43,
        },
    ).json()
    assert result["ok"] is False
    text = json.dumps(result)
    corp = emu.corp()
    for secret in [*corp.secrets.values(), *(a.secret for a in corp.agents.values())]:
        assert secret not in text


# -- 8. memory bounded by bytes ----------------------------------------------------------------
def test_journal_keeps_large_bodies_as_a_preview(emu: Emulator) -> None:
    big = b'{"userid":"' + b"x" * 1_000_000 + b'"}'
    for _ in range(50):
        emu.handle(ApiRequest("POST", "/cgi-bin/user/create", {}, big))
    assert emu.journal.bytes < 200_000
    body = emu.journal.entries(limit=1)[0]["body"]
    assert body.startswith("<1000013 bytes")


def test_journal_evicts_oldest_when_over_its_byte_budget() -> None:
    journal = Journal(size=1000, max_bytes=50_000)
    for i in range(200):
        journal.record({"path": "/cgi-bin/x", "body": "y" * 1000, "n": i})
    assert journal.bytes <= 50_000 and journal.dropped > 0
    assert journal.entries()[-1]["n"] == 199


def test_json_body_over_the_limit_is_not_read(fresh: ServerThread) -> None:
    emu = fresh.emulator
    token = emu.token("contacts")
    before = stored(emu)
    big = b'{"tagname":"' + b"x" * (MAX_JSON_BODY + 10) + b'"}'
    body = _envelope(
        requests.post(fresh.api_base + "/tag/create", params={"access_token": token}, data=big)
    )
    assert body["errcode"] == 41018 and body["errmsg"].startswith("Warning: wrong json format.")
    assert stored(emu) == before
    entry = emu.journal.entries(path="tag/create")[-1]
    assert entry["notes"]["body_over_limit"] == len(big)


def test_expired_media_are_purged_and_media_bounded_by_bytes(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    corp = emu.corp()
    first = md.add_media(corp, type="file", data=b"a" * 1000)
    emu.advance(md.MEDIA_TTL + 1)
    md.add_media(corp, type="file", data=b"b" * 1000)
    assert first.media_id not in md.media(corp).items
    monkeypatch.setattr(md, "MEDIA_MAX_BYTES", 2500)
    items = [md.add_media(corp, type="file", data=b"c" * 1000) for _ in range(4)]
    kept = md.media(corp).items
    assert sum(len(m.data) for m in kept.values()) <= 2500
    assert items[-1].media_id in kept and items[0].media_id not in kept


def test_duplicate_check_store_is_bounded(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mm, "DUPLICATE_LIMIT", 5)
    token = emu.token("app", 1000002)
    for i in range(12):
        body = {
            "touser": "zhangsan",
            "msgtype": "text",
            "agentid": 1000002,
            "text": {"content": f"m{i}"},
            "enable_duplicate_check": 1,
        }
        assert (
            emu.call("POST", "message/send", params={"access_token": token}, json=body)["errcode"]
            == 0
        )
    dups = mm.messaging(emu.corp()).duplicates
    assert len(dups) == 5 and all(len(k) < 80 for k in dups)


def test_callback_log_size_and_settings_are_bounded(emu: Emulator) -> None:
    from mock_server.services.callbacks.api import CallbackError

    for bad in (
        {"log_size": 10**9},
        {"timeout": 1e308},
        {"workers": 0},
        {"queue_size": -1},
        {"retries": 2.5},
        {"timeout": float("nan")},
    ):
        with pytest.raises(CallbackError):
            emu.configure_callbacks(**bad)


# -- 9. fault delays ---------------------------------------------------------------------------
def test_fault_delays_are_capped(emu: Emulator) -> None:
    for delay in (31, [0, 1e308], float("inf")):
        with pytest.raises(RuleError):
            emu.fault("user/get", delay=delay)


def test_delayed_requests_leave_threads_for_the_admin_api(fresh: ServerThread) -> None:
    emu = fresh.emulator
    emu.fault("*", delay=30)  # 6 threads: at most 4 requests wait at once
    token_url = fresh.api_base + "/gettoken"
    results: list[int] = []
    workers = [
        threading.Thread(
            target=lambda: results.append(requests.get(token_url, timeout=60).status_code)
        )
        for _ in range(4)
    ]
    for t in workers:
        t.start()
    deadline = time.monotonic() + 30
    while emu.faults()[0]["triggered"] < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emu.faults()[0]["triggered"] == 4
    # Every delay slot is taken: this call is answered at once, the skip is journaled.
    _envelope(requests.get(token_url, timeout=60))
    skipped = [e for e in emu.journal.entries() if e.get("fault", {}).get("delay_skipped")]
    assert len(skipped) == 1
    assert requests.get(fresh.url + "/__admin/health", timeout=20).status_code == 200
    assert requests.delete(fresh.url + "/__admin/faults", timeout=20).status_code == 200
    for t in workers:
        t.join(20)  # removing the rule ended the waits (30 s otherwise)
    assert not any(t.is_alive() for t in workers) and results == [200] * 4


# -- 10. callback settings applied, reset restores them ---------------------------------------
def test_callback_workers_and_queue_size_are_applied_and_reset() -> None:
    emu = Emulator(mode="server")
    try:
        d = emu.callbacks.dispatcher
        emu.configure_callbacks(workers=2, queue_size=7, log_size=5)
        assert d._queue is not None and d._queue.maxsize == 7
        assert d._log.maxlen == 5
        deadline = time.monotonic() + 20
        while sum(t.is_alive() for t in d._threads) != 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(t.is_alive() for t in d._threads) == 2
        emu.configure_callbacks(workers=6)
        assert sum(t.is_alive() for t in d._threads) == 6
        emu.reset()
        fresh = delivery.Settings()
        assert (d.settings.workers, d.settings.queue_size, d.settings.log_size) == (
            fresh.workers,
            fresh.queue_size,
            fresh.log_size,
        )
        assert d._queue.maxsize == fresh.queue_size and d._log.maxlen == fresh.log_size
    finally:
        emu.close()


# -- 11. the robot key is masked in the journal -------------------------------------------------
def test_robot_key_is_masked_in_the_journal(emu: Emulator) -> None:
    key = emu.robots()[0]["key"]
    emu.call("POST", "webhook/send", params={"key": key}, json={"msgtype": "text", "text": {}})
    entry = emu.journal.entries(limit=1)[0]
    assert entry["query"]["key"] == key[:8] + "..."
    assert key not in json.dumps(emu.journal.entries())


# -- 12. server tokens are not guessable -------------------------------------------------------
def test_server_tokens_differ_per_start_unless_seeded() -> None:
    def first_token(seed: int | None) -> tuple[str, str]:
        emu = server_emulator(None, seed)
        try:
            return emu.token("contacts"), emu.ids.alnum(8)
        finally:
            emu.close()

    (a, ids_a), (b, ids_b) = first_token(None), first_token(None)
    assert a != b and ids_a == ids_b  # ids stay deterministic
    assert first_token(0) == first_token(0)
    assert first_token(0)[0] == Emulator().token("contacts")  # in process: as before


def test_admin_rate_limits_refuses_a_non_list_of_limits(client: FlaskClient) -> None:
    for limits in (1.5, "x", [1], {"path": "user/get"}):
        resp = client.put("/__admin/rate-limits", json={"limits": limits})
        assert resp.status_code == 400, limits
        assert resp.get_json() == {"error": "limits must be a list of limit objects"}
