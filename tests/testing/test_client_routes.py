"""Unmodified apps against a live server: ``wecom-mock run`` and the HTTPS mode (local CA,
CONNECT proxy, direct TLS). The app (tests/apps/wecom_app.py) uses wechatpy and weworkapi as
shipped, with their hard-coded https://qyapi.weixin.qq.com."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from mock_server.web.localca import LocalCA, ensure_ca
from mock_server.web.server import ServerThread
from mock_server.web.tls import TlsFront

APP = Path(__file__).parents[1] / "apps" / "wecom_app.py"
GETTOKEN = (
    "https://qyapi.weixin.qq.com/cgi-bin/gettoken"
    "?corpid=wwdemo0000000000001&corpsecret=DEMO-contacts-secret-not-real"
)
WECOM_MOCK = [str(Path(sys.executable).parent / "wecom-mock")]


@pytest.fixture
def direct_tls(wecom_server: ServerThread, local_ca: LocalCA) -> Iterator[TlsFront]:
    with TlsFront((wecom_server.host, wecom_server.port), mode="direct", ca=local_ca) as front:
        yield front


def _run_app(env: dict[str, str], *prefix: str) -> dict[str, object]:
    out = subprocess.run(
        [*prefix, sys.executable, str(APP)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


EXPECTED = {
    "wechatpy_get": "小明",
    "wechatpy_error": 60111,
    "weworkapi_get": "小红",
    "weworkapi_error": 60111,
    "httpx": 0,
    "aiohttp": 0,
    "other": "other host",
}


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.pop("WECOM_MOCK_URL", None)
    return env


def test_run_routes_unmodified_sdks_to_a_running_server(
    wecom_server: ServerThread, other_host: str
) -> None:
    env = {**_clean_env(), "APP_OTHER_URL": other_host}
    result = _run_app(env, *WECOM_MOCK, "run", "--quiet", "--url", wecom_server.url, "--")
    assert result == EXPECTED
    journal = wecom_server.emulator.journal
    assert journal.entries(path="user/create", errcode=0)  # the state lives in our server
    assert journal.entries(path="user/get", errcode=60111)
    assert not journal.entries(path="/")  # the other host's call never came here


def test_run_starts_a_server_and_stops_other_ways_out(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(
        "import requests, urllib.request\n"
        f"print(requests.get({GETTOKEN!r}).json()['errcode'])\n"
        "try:\n"
        f"    urllib.request.urlopen({GETTOKEN!r})\n"
        "except RuntimeError as exc:\n"
        "    print('refused:', exc)\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [*WECOM_MOCK, "run", "--", sys.executable, str(script)],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "0"
    assert lines[1].startswith("refused: wecom-mock run: a connection to qyapi.weixin.qq.com")
    assert "started" in out.stderr


def test_run_without_command_explains() -> None:
    out = subprocess.run(
        [*WECOM_MOCK, "run"], capture_output=True, text=True, timeout=120, env=_clean_env()
    )
    assert out.returncode == 2 and "the command is missing" in out.stderr


def test_https_proxy_serves_unmodified_sdks(
    proxy: TlsFront, local_ca: LocalCA, wecom_server: ServerThread
) -> None:
    ca = str(local_ca.cert_path)
    env = {
        **_clean_env(),
        "HTTPS_PROXY": proxy.url,
        "REQUESTS_CA_BUNDLE": ca,  # requests (wechatpy, weworkapi)
        "SSL_CERT_FILE": ca,  # httpx, aiohttp
    }
    result = _run_app(env)
    assert result == {k: v for k, v in EXPECTED.items() if k != "other"}
    assert wecom_server.emulator.journal.entries(path="user/create", errcode=0)


def _curl() -> str:
    path = shutil.which("curl")
    if path is None:
        pytest.skip("curl is not installed (apt-get install curl): the HTTPS route's curl check")
    return path


def test_curl_through_the_proxy_and_direct_tls(
    proxy: TlsFront, direct_tls: TlsFront, local_ca: LocalCA
) -> None:
    curl = _curl()
    ca = str(local_ca.cert_path)
    via_proxy = subprocess.run(
        [curl, "-sS", "--cacert", ca, "-x", proxy.url, GETTOKEN],
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_env(),
    )
    assert via_proxy.returncode == 0, via_proxy.stderr
    assert json.loads(via_proxy.stdout)["expires_in"] == 7200
    # The hosts-file mapping, as curl spells it: qyapi.weixin.qq.com:443 -> our TLS port.
    direct = subprocess.run(
        [
            curl,
            "-sS",
            "--cacert",
            ca,
            "--connect-to",
            f"qyapi.weixin.qq.com:443:127.0.0.1:{direct_tls.port}",
            GETTOKEN.replace("DEMO-contacts", "wrong"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_env(),
    )
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout)["errcode"] == 40001
    untrusted = subprocess.run(
        [curl, "-sS", "-x", proxy.url, GETTOKEN],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_clean_env(), "CURL_CA_BUNDLE": "/dev/null"},
    )
    assert untrusted.returncode != 0  # TLS really is verified against the CA


def test_node_with_extra_ca_over_direct_tls(direct_tls: TlsFront, local_ca: LocalCA) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Node.js snippet is not exercised")
    script = (
        "const https = require('https');"
        "https.get({host: 'qyapi.weixin.qq.com', port: Number(process.env.PORT),"
        " path: '/cgi-bin/gettoken?corpid=wwdemo0000000000001&corpsecret=x',"
        " lookup: (h, o, cb) => o && o.all ? cb(null, [{address: '127.0.0.1', family: 4}])"
        " : cb(null, '127.0.0.1', 4)},"
        " r => { let b = ''; r.on('data', d => b += d);"
        " r.on('end', () => console.log(JSON.parse(b).errcode)); })"
        ".on('error', e => { console.error(e.message); process.exit(1); });"
    )
    env = {
        **_clean_env(),
        "NODE_EXTRA_CA_CERTS": str(local_ca.cert_path),
        "PORT": str(direct_tls.port),
    }
    out = subprocess.run([node, "-e", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "40001"  # the demo corp, a wrong secret


def _connect(port: int, target: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return sock, head


def test_proxy_refuses_other_hosts(proxy: TlsFront) -> None:
    sock, head = _connect(proxy.port, "example.org:443")
    with sock:
        assert head.startswith(b"HTTP/1.1 403 ")
        rest = sock.recv(4096)
    assert b"serves only qyapi.weixin.qq.com" in head + rest


def test_proxy_passthrough_relays_other_hosts_untouched(
    wecom_server: ServerThread, local_ca: LocalCA, other_host: str
) -> None:
    port = int(other_host.rstrip("/").rsplit(":", 1)[1])
    backend = (wecom_server.host, wecom_server.port)
    with TlsFront(backend, mode="proxy", passthrough=True, ca=local_ca) as front:
        sock, head = _connect(front.port, f"127.0.0.1:{port}")
        with sock:
            assert head.startswith(b"HTTP/1.1 200 ")
            sock.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            body = b""
            while chunk := sock.recv(4096):
                body += chunk
    assert body.endswith(b"other host")
    assert not wecom_server.emulator.journal.entries()


def test_local_ca_is_name_constrained_and_removable(tmp_path: Path) -> None:
    from mock_server.cli import main

    ca = ensure_ca(tmp_path)
    cert = x509.load_pem_x509_certificate(ca.cert_path.read_bytes())
    constraints = cert.extensions.get_extension_for_class(x509.NameConstraints).value
    dns = {n.value for n in constraints.permitted_subtrees if isinstance(n, x509.DNSName)}
    assert dns == {"qyapi.weixin.qq.com", "localhost"}
    assert oct(ca.key_path.stat().st_mode & 0o777) == "0o600"
    assert ensure_ca(tmp_path).cert_path.read_bytes() == ca.cert_path.read_bytes()  # reused
    os.environ["WECOM_MOCK_HOME"] = str(tmp_path)
    try:
        assert main(["ca", "--remove"]) == 0
    finally:
        del os.environ["WECOM_MOCK_HOME"]
    assert not ca.cert_path.exists() and not ca.key_path.exists()
