"""The validation proxy, with the emulator itself as the upstream; cassettes and replay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server import Emulator
from mock_server.contracts.cassette import fixture_from_cassette, load, replay
from mock_server.core.pipeline import ApiResponse, Context
from mock_server.web.proxy import ProxyServer
from mock_server.web.server import ServerThread

SECRET = "DEMO-contacts-secret-not-real"
CORP = "wwdemo0000000000001"


@pytest.fixture
def upstream() -> Iterator[ServerThread]:
    server = ServerThread(Emulator(mode="server"), port=0).start()
    yield server
    server.stop()


def drifting(ctx: Context, resp: ApiResponse) -> ApiResponse | None:
    """Make the upstream differ from the contract the way a changed real API would."""
    if ctx.endpoint is None or not isinstance(resp.body, dict):
        return None
    if ctx.endpoint.name == "user/get" and resp.errcode == 0:
        body = dict(resp.body)
        body["brand_new"] = 1
        body["status"] = "active"
        del body["name"]
        return ApiResponse(body)
    if ctx.endpoint.name == "tag/list":
        return ApiResponse({"errcode": 12345, "errmsg": "new error"})
    return None


def _session_calls(base: str) -> list[dict[str, Any]]:
    s = requests.Session()
    out = []
    tok = s.get(
        f"{base}/cgi-bin/gettoken", params={"corpid": CORP, "corpsecret": SECRET}, timeout=10
    ).json()
    out.append(tok)
    t = {"access_token": tok["access_token"]}
    out.append(
        s.get(f"{base}/cgi-bin/user/get", params={**t, "userid": "zhangwei"}, timeout=10).json()
    )
    out.append(s.get(f"{base}/cgi-bin/department/list", params=t, timeout=10).json())
    out.append(s.get(f"{base}/cgi-bin/tag/get", params={**t, "tagid": "1"}, timeout=10).json())
    out.append(s.get(f"{base}/cgi-bin/tag/list", params=t, timeout=10).json())
    out.append(
        s.post(
            f"{base}/cgi-bin/tag/create",
            params=t,
            json={"tagname": "新标签", "tagid": "9"},
            timeout=10,
        ).json()
    )
    s.close()
    return out


def test_proxy_reports_drift_and_records_a_redacted_cassette(
    upstream: ServerThread, tmp_path: Path
) -> None:
    # The drift is produced on purpose: keep the upstream's own conformance check out of it.
    upstream.emulator.hooks.on_response[:] = [
        h
        for h in upstream.emulator.hooks.on_response
        if getattr(h, "__name__", "") != "conformance"
    ]
    upstream.emulator.hooks.on_response.append(drifting)
    cassette, report = tmp_path / "week.cassette", tmp_path / "drift.json"
    with ProxyServer(upstream.url, record=str(cassette), report=str(report)) as proxy:
        answers = _session_calls(proxy.url)
    assert answers[1]["brand_new"] == 1  # the client sees the upstream's answer unchanged
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["requests"] == 6
    found = {(d["endpoint"], d["kind"], d["path"]) for d in rep["drift"]}
    assert ("user/get", "new_field", "response.brand_new") in found
    assert ("user/get", "field_missing", "response.name") in found
    assert ("user/get", "type_changed", "response.status") in found or any(
        k == "schema_violation" and p == "response.status" for _, k, p in found
    )
    assert ("tag/list", "undeclared_errcode", "response.errcode") in found
    assert ("tag/create", "request_invalid", "body.tagid") in found

    text = cassette.read_text(encoding="utf-8")
    assert SECRET not in text
    assert answers[0]["access_token"] not in text
    interactions = load(cassette)
    assert len(interactions) == 6
    assert interactions[0]["request"]["query"]["corpsecret"] == "REDACTED"
    assert interactions[0]["response"]["body"]["access_token"] == "REDACTED-TOKEN-1"
    assert interactions[1]["request"]["query"]["access_token"] == "REDACTED-TOKEN-1"


def test_no_drift_when_upstream_is_the_emulator(upstream: ServerThread, tmp_path: Path) -> None:
    report = tmp_path / "drift.json"
    with ProxyServer(upstream.url, report=str(report)) as proxy:
        s = requests.Session()
        tok = s.get(
            f"{proxy.url}/cgi-bin/gettoken",
            params={"corpid": CORP, "corpsecret": SECRET},
            timeout=10,
        ).json()
        for name, params in [
            ("user/get", {"userid": "zhangwei"}),
            ("tag/list", {}),
            ("department/list", {}),
        ]:
            s.get(
                f"{proxy.url}/cgi-bin/{name}",
                params={"access_token": tok["access_token"], **params},
                timeout=10,
            )
        s.close()
        assert proxy.log.report()["drift"] == []
    assert json.loads(report.read_text(encoding="utf-8"))["requests"] == 4


def test_replay_serves_the_cassette_and_emulates_the_rest(
    upstream: ServerThread, tmp_path: Path
) -> None:
    upstream.emulator.hooks.on_response[:] = [
        h
        for h in upstream.emulator.hooks.on_response
        if getattr(h, "__name__", "") != "conformance"
    ]
    upstream.emulator.hooks.on_response.append(drifting)
    cassette = tmp_path / "c.cassette"
    with ProxyServer(upstream.url, record=str(cassette)) as proxy:
        recorded = _session_calls(proxy.url)
    emu = Emulator(mode="server")
    replay(emu, cassette)
    with ServerThread(emu, port=0) as server:
        replayed = _session_calls(server.url)
        # a request the cassette never saw is emulated (with a redacted token: 40014)
        other = requests.get(
            f"{server.url}/cgi-bin/user/get",
            params={"access_token": "REDACTED-TOKEN-1", "userid": "lisi"},
            timeout=10,
        ).json()
    assert replayed[1] == recorded[1]  # the drifting user/get, byte for byte
    assert replayed[4]["errcode"] == 12345
    assert replayed[0]["access_token"] == "REDACTED-TOKEN-1"
    assert other["errcode"] == 40014
    assert emu.journal.entries(endpoint="user/get")[0]["notes"]["replayed"] is True


def test_fixture_from_cassette_loads_as_a_corp(upstream: ServerThread, tmp_path: Path) -> None:
    cassette = tmp_path / "c.cassette"
    with ProxyServer(upstream.url, record=str(cassette)) as proxy:
        _session_calls(proxy.url)
    doc = fixture_from_cassette(cassette)
    assert doc["corpid"] == CORP
    emu = Emulator([doc])
    assert emu.user("zhangwei") is not None
    assert {d["id"] for d in doc["contacts"]["departments"]} >= {2, 3, 4, 5}
    tag = next(t for t in doc["contacts"]["tags"] if t["tagid"] == 1)
    assert "zhangwei" in tag["users"]


def test_cli_fixture_from_cassette(upstream: ServerThread, tmp_path: Path) -> None:
    from mock_server.cli import main

    cassette, out = tmp_path / "c.cassette", tmp_path / "corp.yaml"
    with ProxyServer(upstream.url, record=str(cassette)) as proxy:
        _session_calls(proxy.url)
    assert main(["fixture", "from-cassette", str(cassette), "-o", str(out)]) == 0
    assert main(["fixture", "validate", str(out)]) == 0
