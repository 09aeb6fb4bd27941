"""Shared helpers for the emulator's own tests (the ``wecom`` fixtures come from the plugin)."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_server import Emulator

API = "https://qyapi.weixin.qq.com/cgi-bin/"

# For the pytest plugin's own tests (tests/testing/test_pytest_plugin.py).
pytest_plugins = ["pytester"]


class Api:
    """Call the emulator in-process with a token for one secret scope."""

    def __init__(self, emu: Emulator, scope: str = "contacts", agentid: int | None = None) -> None:
        self.emu = emu
        self.token = emu.token(scope, agentid)

    def get(self, name: str, **params: Any) -> dict[str, Any]:
        return self.emu.call("GET", name, params={"access_token": self.token, **params})

    def post(self, name: str, body: Any = None, **params: Any) -> dict[str, Any]:
        return self.emu.call(
            "POST", name, params={"access_token": self.token, **params}, json=body or {}
        )


@pytest.fixture
def emu() -> Emulator:
    """A fresh demo emulator (no interception): for direct ``Emulator.call`` tests."""
    return Emulator()


@pytest.fixture
def contacts_api(emu: Emulator) -> Api:
    return Api(emu, "contacts")


@pytest.fixture
def app_api(emu: Emulator) -> Api:
    """The demo alerting app 1000002 (visible: whole corp)."""
    return Api(emu, "app", 1000002)


WECHATPY2 = Path(sys.prefix) / "wechatpy2"


def run_wechatpy2(script: Path, *args: str) -> str:
    """Run a scenario script with wechatpy 2.x first on ``PYTHONPATH`` and return its output.

    The 2.x release installs as ``wechatpy`` like the 1.8 line the other client tests use, so
    ``make venv`` puts it in ``.venv/wechatpy2`` and the scenario runs in a subprocess.
    """
    assert (WECHATPY2 / "wechatpy").is_dir(), (
        f"wechatpy 2.x is missing from {WECHATPY2}: run `make venv` (Makefile installs it)"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WECHATPY2), str(root)])}
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


class _OtherHost(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"other host"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_host() -> Iterator[str]:
    """A plain HTTP server on loopback: a host that is not WeCom (must never be intercepted)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OtherHost)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The HTTPS mode's CA, in a temporary home (never the user's own)."""
    from mock_server.web.localca import ensure_ca

    return ensure_ca(tmp_path_factory.mktemp("wecom-mock-home"))


@pytest.fixture
def proxy(wecom_server: Any, local_ca: Any) -> Iterator[Any]:
    """The HTTPS proxy (CONNECT) in front of the ``wecom_server`` live server."""
    from mock_server.web.tls import TlsFront

    with TlsFront((wecom_server.host, wecom_server.port), mode="proxy", ca=local_ca) as front:
        yield front
