"""Every ready scenario, run with ``wecom-mock scenario run`` against a small client.

The client below is what a careful integration looks like: it caches the token, refreshes
it on 40014/42001, retries -1/45009 and broken connections with a back-off, and stops on
60020/40001. A naive variant (no retries) shows the scenarios do catch a bad client.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from mock_server.cli import main
from mock_server.core.resources import scenarios_dir
from mock_server.faults.scenarios import evaluate, load_scenario
from mock_server.testing.scenarios import run_scenario

CLIENT = textwrap.dedent(
    """
    import os, queue, re, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit
    import requests
    from mock_server.core import crypto

    BASE = os.environ["WECOM_API_BASE"].rstrip("/")
    CORPID, SECRET = os.environ["WECOM_CORPID"], os.environ["WECOM_SECRET"]
    NAIVE = "--naive" in sys.argv
    TIMEOUT = 10.0
    REFRESH, RETRY = {40014, 42001}, {-1, 45009, 45033}
    BROKEN = (requests.ConnectionError, requests.Timeout, ValueError)


    class Fatal(Exception):
        pass


    def backoff(attempt):
        time.sleep(0.01 * 2 ** attempt)


    def gettoken():
        for attempt in range(3):
            try:
                data = requests.get(
                    BASE + "/gettoken", params={"corpid": CORPID, "corpsecret": SECRET},
                    timeout=TIMEOUT,
                ).json()
            except BROKEN:
                if NAIVE:
                    raise
                backoff(attempt)
                continue
            if data.get("errcode", 0) == 0:
                return data["access_token"]
            if data["errcode"] in RETRY and not NAIVE:
                backoff(attempt)
                continue
            raise Fatal(f"gettoken: {data['errcode']} {data['errmsg']}")
        raise Fatal("gettoken: gave up")


    token = None


    def call(method, name, params=None, body=None):
        global token
        for attempt in range(6):
            if token is None:
                token = gettoken()
            try:
                data = requests.request(
                    method, f"{BASE}/{name}", params={"access_token": token, **(params or {})},
                    json=body, timeout=TIMEOUT,
                ).json()
            except BROKEN:
                if NAIVE or method != "GET":  # only idempotent calls are retried blindly
                    raise
                backoff(attempt)
                continue
            code = data.get("errcode", 0)
            if code == 0 or NAIVE:
                return data
            if code in REFRESH:
                token = None
                continue
            if code in RETRY:
                backoff(attempt)
                continue
            raise Fatal(f"{name}: {code} {data['errmsg']}")
        raise Fatal(f"{name}: gave up")


    def send():
        data = call("POST", "message/send", body={
            "touser": "zhangsan|nobody-1|nobody-2", "msgtype": "text",
            "agentid": int(os.environ["WECOM_AGENTID"]), "text": {"content": "build 42 failed"}})
        if NAIVE and data.get("invaliduser"):  # "retries" the partial success
            call("POST", "message/send", body={
                "touser": "zhangsan|nobody-1|nobody-2", "msgtype": "text",
                "agentid": int(os.environ["WECOM_AGENTID"]), "text": {"content": "build 42 failed"}})
        print("not delivered to:", data.get("invaliduser"))
        return 0


    class Receiver(BaseHTTPRequestHandler):
        # The app's callback URL: checks the signature, decrypts, queues the event. The
        # first answer is late (a cold start), so WeCom sends that event again.

        events = queue.Queue()
        hits = 0
        lock = threading.Lock()

        def do_POST(self):
            q = parse_qs(urlsplit(self.path).query)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encrypted = crypto.parse_xml_fields(body)["Encrypt"]
            token, key = os.environ["WECOM_CALLBACK_TOKEN"], os.environ["WECOM_CALLBACK_AES_KEY"]
            if crypto.signature(token, q["timestamp"][0], q["nonce"][0], encrypted) != (
                q["msg_signature"][0]
            ):
                self.send_response(403)
                self.end_headers()
                return
            with Receiver.lock:
                Receiver.hits += 1
                first = Receiver.hits == 1
            Receiver.events.put(crypto.decrypt(encrypted, key, CORPID))
            if first:
                time.sleep(2.0)  # longer than the delivery timeout
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"")

        def log_message(self, *args):
            pass


    def approval():
        port = os.environ.get("WECOM_CALLBACK_PORT")
        if port:
            server = ThreadingHTTPServer(("127.0.0.1", int(port)), Receiver)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
        started = time.monotonic()
        data = call("POST", "oa/applyevent", body={
            "creator_userid": "zhangsan", "template_id": "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa",
            "use_template_approver": 1,
            "apply_data": {"contents": [{"control": "Text", "id": "Text-1580000000001",
                                         "value": {"text": "外出"}}]},
            "summary_list": [{"summary_info": [{"text": "外出", "lang": "zh_CN"}]}]})
        if time.monotonic() - started > 1.0:
            raise Fatal("oa/applyevent waited for the callback receiver")
        if not port:  # no receiver up: read the state back instead of waiting for an event
            if NAIVE:  # trusts the callback to tell it
                return 0
            call("POST", "oa/getapprovaldetail", body={"sp_no": data["sp_no"]})
            return 0
        handled, seen, deadline = set(), 0, time.monotonic() + 20
        while seen < 2 and time.monotonic() < deadline:  # the event, then its re-send
            try:
                plain = Receiver.events.get(timeout=0.5)
            except queue.Empty:
                continue
            seen += 1
            key = (re.search(r"<SpNo>(\\d+)</SpNo>", plain).group(1),
                   re.search(r"<StatuChangeEvent>(\\d+)</StatuChangeEvent>", plain).group(1))
            if key in handled and not NAIVE:
                continue
            handled.add(key)
            call("POST", "oa/getapprovaldetail", body={"sp_no": key[0]})
        return 0 if seen == 2 else 4


    def main():
        if "send" in sys.argv:
            return send()
        if "approval" in sys.argv:
            return approval()
        for userid in ["zhangwei", "zhangsan", "lisi", "wangfang", "liuyang", "chenjing",
                       "yangguang", "zhaolei"]:
            data = call("GET", "user/get", params={"userid": userid})
            if data.get("errcode"):
                raise Fatal(f"user/get {userid}: {data['errcode']}")
        return 0


    try:
        sys.exit(main())
    except Fatal as exc:
        print("client stopped:", exc, file=sys.stderr)
        sys.exit(3)
    """
)

SCENARIOS = {
    "token-expired": [],
    "system-busy": [],
    "rate-limited": [],
    "partial-invalid": ["send"],
    "slow-api": [],
    "connection-reset": [],
    "ip-not-allowed": [],
    "secret-rotated": [],
    "callback-receiver-down": ["approval"],
    "callback-receiver-slow": ["approval"],
}


@pytest.fixture
def client(tmp_path: Path) -> Path:
    path = tmp_path / "client.py"
    path.write_text(CLIENT, encoding="utf-8")
    return path


# Scenarios whose client lives with another test (a CRM sync needs a generated corp).
TESTED_ELSEWHERE = {"crm-sync-busy": "tests/test_user_stories.py"}


def test_every_shipped_scenario_is_valid_and_tested() -> None:
    names = {p.stem for p in scenarios_dir().glob("*.yaml")}
    assert names == set(SCENARIOS) | set(TESTED_ELSEWHERE)
    for p in scenarios_dir().glob("*.yaml"):
        assert load_scenario(p)["name"] == p.stem


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_passes_with_a_careful_client(
    name: str, client: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through ``wecom-mock scenario run``, as a team would run it in CI."""
    code = main(
        [
            "scenario",
            "run",
            str(scenarios_dir() / f"{name}.yaml"),
            "--delay-scale",
            "0.05",  # slow-api says 2 s; 0.1 s here
            "--timeout",
            "60",
            "--",
            sys.executable,
            str(client),
            *SCENARIOS[name],
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"scenario {name}: PASSED" in out
    assert "[FAIL]" not in out and "triggered 0x" not in out, out


@pytest.mark.parametrize(
    "name",
    [
        "system-busy",
        "token-expired",
        "connection-reset",
        "partial-invalid",
        "callback-receiver-down",
        "callback-receiver-slow",
    ],
)
def test_scenario_fails_a_naive_client(name: str, client: Path) -> None:
    result = run_scenario(
        scenarios_dir() / f"{name}.yaml",
        [sys.executable, str(client), *SCENARIOS[name], "--naive"],
        timeout=60,
    )
    assert not result.ok
    assert "FAILED" in result.report()


def test_receiver_down_is_retried_then_given_up(client: Path) -> None:
    """The delivery log behind the scenario: 4 refused connections, the API call unaffected."""
    result = run_scenario(
        scenarios_dir() / "callback-receiver-down.yaml",
        [sys.executable, str(client), "approval"],
        timeout=60,
    )
    assert result.ok, result.report()
    assert "sys_approval_change to 1000004: failed after 4 attempt(s)" in result.report()


def test_slow_receiver_naive_client_handles_the_event_twice(client: Path) -> None:
    result = run_scenario(
        scenarios_dir() / "callback-receiver-slow.yaml",
        [sys.executable, str(client), "approval", "--naive"],
        timeout=60,
    )
    assert result.exit_code == 0
    failed = [o.name for o in result.outcomes if not o.ok]
    assert failed == [
        "the twice-received event was handled once",
        "no two calls with path=oa/getapprovaldetail share ['body.sp_no']",
    ], result.report()
    delivery = next(o for o in result.outcomes if o.name.startswith("the late answer"))
    assert delivery.ok and "delivered after 2 attempt(s)" in delivery.detail


def test_deliveries_expectation_filters_and_bounds() -> None:
    rows = [
        {
            "app": "1000004",
            "event": "sys_approval_change",
            "outcome": "failed",
            "attempts": [{}] * 4,
        },
        {"app": "contacts", "event": "change_contact", "outcome": "delivered", "attempts": [{}]},
    ]
    assert evaluate({"deliveries": {"app": 1000004, "attempts": 4}}, [], rows).ok
    assert evaluate({"deliveries": {"outcome": "delivered", "attempts": {"max": 1}}}, [], rows).ok
    assert not evaluate({"deliveries": {"attempts": {"min": 5}}}, [], rows).ok
    assert evaluate({"deliveries": {"equals": 2}}, [], rows).ok
    assert not evaluate({"deliveries": {"app": "contacts", "outcome": "failed"}}, [], rows).ok
    missing = evaluate({"deliveries": {"event": "change_contact", "max": 0}}, [], rows)
    assert not missing.ok and "1 delivery(ies) matched (max 0)" in missing.detail
    assert not evaluate({"deliveries": {}}, [], []).ok  # default: at least one


def test_callback_block_is_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("callback-receiver-down", "callback-receiver-slow"):
        assert main(["scenario", "validate", str(scenarios_dir() / f"{name}.yaml")]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.yaml"

    def receiver(app: int, key: str) -> str:
        url = "http://127.0.0.1:{dead_port}/"
        return f"{{app: {app}, url: '{url}', token: T, encoding_aes_key: {key}}}"

    bad.write_text(
        f"name: x\ncallbacks: {{receivers: [{receiver(1000004, 'short')}]}}\nexpect: []\n",
        encoding="utf-8",
    )
    assert main(["scenario", "validate", str(bad)]) == 2
    assert "encoding_aes_key" in capsys.readouterr().err
    key = "DEMOkeyNotReal0123456789abcdefghijklmnopqrs"
    bad.write_text(
        f"name: x\ncallbacks: {{receivers: [{receiver(999, key)}]}}\nexpect: []\n",
        encoding="utf-8",
    )
    assert main(["scenario", "validate", str(bad)]) == 2  # no such app: nothing saved
    assert "999" in capsys.readouterr().err
    bad.write_text(
        "name: x\ncallbacks: {settings: {timeout: 0}}\nexpect: [{deliveries: {outcome: lost}}]\n",
        encoding="utf-8",
    )
    assert main(["scenario", "validate", str(bad)]) == 2


def test_cli_runs_a_scenario_and_reports(client: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "scenario",
            "run",
            str(scenarios_dir() / "system-busy.yaml"),
            "--",
            sys.executable,
            str(client),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "scenario system-busy: PASSED" in out
    assert "triggered 2x" in out


def test_cli_exits_nonzero_when_an_expectation_fails(
    client: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "scenario",
            "run",
            str(scenarios_dir() / "system-busy.yaml"),
            "--",
            sys.executable,
            str(client),
            "--naive",
        ]
    )
    assert code == 1
    assert "[FAIL]" in capsys.readouterr().out


def test_cli_rejects_a_bad_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nexpect:\n  - count: {path: user/get, mni: 1}\n", encoding="utf-8")
    assert main(["scenario", "validate", str(bad)]) == 2
    assert "mni" in capsys.readouterr().err
    bad.write_text(
        "name: x\nfaults:\n  - {path: user/get, errcode: -1, fault: reset}\nexpect: []\n",
        encoding="utf-8",
    )
    assert main(["scenario", "run", str(bad), "--", sys.executable, "-c", "pass"]) == 2
    assert "pick one answer" in capsys.readouterr().err


def test_cli_without_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", str(scenarios_dir() / "system-busy.yaml")]) == 2
    assert "command is missing" in capsys.readouterr().err


def test_scenario_schema_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "schema"]) == 0
    assert '"title": "wecom-mock scenario"' in capsys.readouterr().out


def test_scenario_with_its_own_fixture_clock_and_gettoken_fault(tmp_path: Path) -> None:
    """Relative fixture paths, a clock step at start, and a failing expectation's report."""
    from mock_server.core.resources import demo_fixture

    (tmp_path / "corp.yaml").write_text(demo_fixture().read_text(encoding="utf-8"), "utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        textwrap.dedent(
            """
            name: custom
            fixtures: [corp.yaml]
            client: {scope: contacts}
            clock: [{advance: 100}]
            faults: [{path: gettoken, errcode: -1, nth: 1}]
            expect:
              - count: {path: gettoken, errcode: -1, equals: 1}
              - count: {path: gettoken, errcode: 0, equals: 1}
              - {name: impossible, count: {path: user/get, min: 1}}
            """
        ),
        encoding="utf-8",
    )
    client = tmp_path / "c.py"
    client.write_text(
        textwrap.dedent(
            """
            import os, requests
            base, corp, secret = (os.environ[k] for k in
                                  ("WECOM_API_BASE", "WECOM_CORPID", "WECOM_CONTACTS_SECRET"))
            assert os.environ["WECOM_SECRET"] == secret
            for _ in range(2):
                body = requests.get(base + "/gettoken",
                                    params={"corpid": corp, "corpsecret": secret}).json()
            assert body["errcode"] == 0
            """
        ),
        encoding="utf-8",
    )
    result = run_scenario(scenario, [sys.executable, str(client)], timeout=60)
    assert result.exit_code == 0 and result.exit_ok
    assert [o.ok for o in result.outcomes] == [True, True, False]
    assert "[FAIL] impossible — 0 call(s) matched (min 1)" in result.report()


def test_scenario_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SCENARIOS)
