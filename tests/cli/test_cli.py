"""``wecom-mock`` as a user runs it: serve on a free port, ready fast, stop on SIGTERM."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).parent / "wecom-mock")


def read_url(proc: subprocess.Popen[str], timeout: float = 20.0) -> str:
    """The URL from the banner (bounded wait on the process's stdout, no sleeps)."""
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        if not sel.select(timeout=deadline - time.monotonic()):
            break
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if m:
            return m.group(1)
    raise AssertionError(f"no banner: {seen!r}")


def wait_healthy(url: str, tries: int = 50) -> dict[str, object]:
    with requests.Session() as s:
        for _ in range(tries):  # bounded; the socket is bound before the banner is printed
            try:
                return s.get(url + "/__admin/health", timeout=2).json()  # type: ignore[no-any-return]
            except requests.ConnectionError:
                continue
    raise AssertionError("server never answered")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serve_port_0_ready_and_stops_cleanly(sig: signal.Signals) -> None:
    proc = subprocess.Popen(
        [EXE, "serve", "--port", "0", "--fixture", str(ROOT / "fixtures" / "demo.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = read_url(proc)
        assert wait_healthy(url)["corps"] == ["wwdemo0000000000001"]
        with requests.Session() as s:
            r = s.get(
                url + "/cgi-bin/gettoken",
                params={"corpid": "wwdemo0000000000001", "corpsecret": "wrong"},
            )
            assert r.status_code == 200 and r.json()["errcode"] == 40001
            assert r.headers["Error-Code"] == "40001"
        proc.send_signal(sig)
        assert proc.wait(timeout=15) == 0
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert "ready in" in err and "stopped" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def test_serve_bad_fixture_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("corpid: 12\n", encoding="utf-8")
    proc = subprocess.run(
        [EXE, "serve", "--port", "0", "--fixture", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr and "corpid" in proc.stderr


def test_endpoints_lists_every_endpoint() -> None:
    from mock_server.emulator import default_registry

    proc = subprocess.run([EXE, "endpoints"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    for ep in default_registry().endpoints():
        assert ep.path in proc.stdout
    assert f"{len(default_registry().endpoints())} endpoints" in proc.stdout
    md = subprocess.run(
        [EXE, "endpoints", "--markdown"], capture_output=True, text=True, timeout=30
    )
    assert md.stdout.startswith("| Family | Method | Path |")
