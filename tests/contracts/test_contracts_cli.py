"""The contract CLI and pytest options, run the way users run them (subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from mock_server import Emulator
from mock_server.web.server import ServerThread

MAIN = "import sys; from mock_server.cli import main; sys.exit(main(sys.argv[1:]))"


def test_proxy_command_writes_report_and_summary_on_exit(tmp_path: Path) -> None:
    report, cassette = tmp_path / "drift.json", tmp_path / "c.cassette"
    with ServerThread(Emulator(mode="server"), port=0) as upstream:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                MAIN,
                "proxy",
                "--upstream",
                upstream.url,
                "--port",
                "0",
                "--record",
                str(cassette),
                "--report",
                str(report),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # printed once the socket is bound
            url = first.split(" on ", 1)[1].split(" ", 1)[0]
            body = requests.get(
                f"{url}/cgi-bin/gettoken",
                params={"corpid": "wwdemo0000000000001", "corpsecret": "wrong"},
                timeout=10,
            ).json()
            assert body["errcode"] == 40001
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "1 request(s)" in err and "no drift from the schemas" in err
    assert json.loads(report.read_text(encoding="utf-8"))["requests"] == 1
    assert "wrong" not in cassette.read_text(encoding="utf-8")


def test_schemas_command_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-c", MAIN, "schemas"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 problem(s)" in proc.stdout


CLIENT_TESTS = """
import requests

API = "https://qyapi.weixin.qq.com/cgi-bin/"


def test_client(wecom):
    token = wecom.token("contacts")
    r = requests.post(API + "user/create", params={"access_token": token},
                      json={"userid": "c1", "name": "C", "mobile": "13800000001", "gender": 1})
    assert r.json()["errcode"] == 40058  # strict: gender must be a string
    r = requests.get(API + "user/get", params={"access_token": token, "userid": "nobody"})
    assert r.json()["errcode"] == 60111
"""


def test_a_clients_suite_in_strict_mode_with_reports(tmp_path: Path) -> None:
    (tmp_path / "test_client.py").write_text(CLIENT_TESTS, encoding="utf-8")
    cov, violations = tmp_path / "cov.json", tmp_path / "violations.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_MOCK_")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--wecom-strict",
            f"--wecom-errcode-coverage={cov}",
            f"--wecom-contract-report={violations}",
            "test_client.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "wecom errcode coverage" in proc.stdout
    assert "wecom contract violations (requests)" in proc.stdout
    data = json.loads(cov.read_text(encoding="utf-8"))
    row = next(r for r in data["rows"] if r["endpoint"] == "user/get")
    assert row["exercised"] == [60111] and 60111 not in row["missing"]
    assert json.loads(violations.read_text(encoding="utf-8"))["by_endpoint"] == {"user/create": 1}


def test_serve_replay_command(tmp_path: Path) -> None:
    from mock_server.web.proxy import ProxyServer

    cassette = tmp_path / "c.cassette"
    upstream = ServerThread(Emulator(mode="server"), port=0).start()
    try:
        with ProxyServer(upstream.url, record=str(cassette)) as proxy:
            recorded = requests.get(
                f"{proxy.url}/cgi-bin/gettoken",
                params={"corpid": "wwdemo0000000000001", "corpsecret": "nope"},
                timeout=10,
            ).json()
    finally:
        upstream.stop()
    proc = subprocess.Popen(
        [sys.executable, "-c", MAIN, "serve", "--port", "0", "--replay", str(cassette)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the banner's first line, printed once bound
        url = first.strip().rsplit(" ", 1)[-1]
        replayed = requests.get(
            f"{url}/cgi-bin/gettoken",
            params={"corpid": "wwdemo0000000000001", "corpsecret": "nope"},
            timeout=10,
        ).json()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert replayed == recorded  # the same hint and errmsg, byte for byte


BROKEN_HANDLER_TESTS = """
from mock_server.core.pipeline import ApiResponse


def test_sees_a_broken_response(wecom):
    def break_tag_list(ctx, resp):
        if ctx.endpoint is not None and ctx.endpoint.name == "tag/list":
            return ApiResponse({"errcode": 0, "errmsg": "ok", "taglist": [{"tagid": "x"}]})
        return None

    wecom.hooks.on_response.insert(0, break_tag_list)  # before the conformance check
    token = wecom.token("contacts")
    assert wecom.call("GET", "tag/list", params={"access_token": token})["errcode"] == 0
"""


def test_a_non_conforming_response_fails_the_test_run(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\nwecom_conformance = true\n", encoding="utf-8")
    (tmp_path / "test_broken.py").write_text(BROKEN_HANDLER_TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_MOCK_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "response(s) not conforming to the schema" in proc.stdout
    assert "response.taglist[0].tagid" in proc.stdout
