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
from mock_server.faults.scenarios import load_scenario, run_scenario
from mock_server.resources import scenarios_dir

CLIENT = textwrap.dedent(
    """
    import os, sys, time
    import requests

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


    def main():
        if "tag" in sys.argv:
            data = call("POST", "tag/addtagusers",
                        body={"tagid": 1, "userlist": ["zhangsan", "nobody-1", "nobody-2"]})
            print("invalid:", data.get("invalidlist"))
            return 0
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
    "partial-invalid": ["tag"],
    "slow-api": [],
    "connection-reset": [],
    "ip-not-allowed": [],
    "secret-rotated": [],
}


@pytest.fixture
def client(tmp_path: Path) -> Path:
    path = tmp_path / "client.py"
    path.write_text(CLIENT, encoding="utf-8")
    return path


def test_every_shipped_scenario_is_valid_and_tested() -> None:
    names = {p.stem for p in scenarios_dir().glob("*.yaml")}
    assert names == set(SCENARIOS)
    for p in scenarios_dir().glob("*.yaml"):
        assert load_scenario(p)["name"] == p.stem


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_passes_with_a_careful_client(name: str, client: Path) -> None:
    result = run_scenario(
        scenarios_dir() / f"{name}.yaml",
        [sys.executable, str(client), *SCENARIOS[name]],
        delay_scale=0.05,  # slow-api says 2 s; 0.1 s here
        timeout=60,
    )
    assert result.ok, result.report()
    assert all(f["triggered"] >= 1 for f in result.faults), result.report()


@pytest.mark.parametrize("name", ["system-busy", "token-expired", "connection-reset"])
def test_scenario_fails_a_naive_client(name: str, client: Path) -> None:
    result = run_scenario(
        scenarios_dir() / f"{name}.yaml", [sys.executable, str(client), "--naive"], timeout=60
    )
    assert not result.ok
    assert "FAILED" in result.report()


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
    from mock_server.resources import demo_fixture

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
