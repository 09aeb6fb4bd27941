"""The /__admin API (WireMock's convention), through Flask's test client."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_server import Emulator
from mock_server.web.app import create_app


@pytest.fixture
def client(emu: Emulator) -> FlaskClient:
    return create_app(emu).test_client()


def api(client: FlaskClient, emu: Emulator, method: str, path: str, **kw: Any) -> dict[str, Any]:
    resp = client.open("/cgi-bin/" + path, method=method, **kw)
    assert resp.status_code == 200
    return resp.get_json()  # type: ignore[no-any-return]


def test_health(client: FlaskClient) -> None:
    body = client.get("/__admin/health").get_json()
    assert body == {"status": "ok", "corps": ["wwdemo0000000000001"]}


def test_corps_lists_secrets_and_agents(client: FlaskClient) -> None:
    corp = client.get("/__admin/corps").get_json()["corps"][0]
    assert corp["corpid"] == "wwdemo0000000000001"
    assert corp["secrets"]["contacts"] == "DEMO-contacts-secret-not-real"
    assert {a["agentid"] for a in corp["agents"]} == {1000002, 1000003, 1000004}
    assert "DEMO-ops-alerts-robot-key-not-real" in {r["key"] for r in corp["robots"]}


def test_serve_banner_lists_robot_keys(emu: Emulator) -> None:
    from mock_server.web.server import ServerThread, banner

    server = ServerThread(emu, port=0)
    try:
        text = banner(server)
    finally:
        server.stop()
    for robot in emu.robots():
        assert f"key {robot['key']}" in text


def test_reset_restores_fixture_state(client: FlaskClient, emu: Emulator) -> None:
    token = emu.token("contacts")
    body = emu.call("GET", "user/delete", params={"access_token": token, "userid": "lisi"})
    assert body["errcode"] == 0
    assert client.post("/__admin/reset").get_json() == {"status": "reset"}
    token = emu.token("contacts")
    assert (
        emu.call("GET", "user/get", params={"access_token": token, "userid": "lisi"})["errcode"]
        == 0
    )


def test_clock_advance_expires_tokens(client: FlaskClient, emu: Emulator) -> None:
    token = emu.token("contacts")
    before = client.get("/__admin/clock").get_json()
    resp = client.post("/__admin/clock/advance", json={"seconds": 7200})
    assert resp.status_code == 200
    assert resp.get_json()["now"] == pytest.approx(before["now"] + 7200, abs=5)
    body = api(client, emu, "GET", f"user/get?access_token={token}&userid=lisi")
    assert body["errcode"] == 42001


@pytest.mark.parametrize("payload", [{"seconds": -1}, {"seconds": "10"}, {}, {"seconds": True}])
def test_clock_advance_rejects_bad_input_400(client: FlaskClient, payload: dict[str, Any]) -> None:
    resp = client.post("/__admin/clock/advance", json=payload)
    assert resp.status_code == 400
    assert "seconds" in resp.get_json()["error"]


def test_clock_advance_non_json_400(client: FlaskClient) -> None:
    resp = client.post("/__admin/clock/advance", data=b"[1,2", content_type="application/json")
    assert resp.status_code == 400


def test_journal_records_and_filters(client: FlaskClient, emu: Emulator) -> None:
    token = emu.token("contacts")
    api(client, emu, "GET", f"user/get?access_token={token}&userid=lisi")
    api(client, emu, "GET", f"user/get?access_token={token}&userid=ghost")
    api(client, emu, "POST", f"tag/create?access_token={token}", data=b'{"tagname":"x"}')
    entries = client.get("/__admin/journal").get_json()["entries"]
    assert [e["endpoint"] for e in entries] == ["gettoken", "user/get", "user/get", "tag/create"]
    e = entries[1]
    for key in (
        "time",
        "method",
        "path",
        "corpid",
        "scope",
        "query",
        "body",
        "errcode",
        "duration_ms",
    ):
        assert key in e
    assert e["corpid"] == "wwdemo0000000000001" and e["scope"] == "contacts"
    assert e["query"]["access_token"].endswith("...")  # tokens are not logged in full
    assert entries[0]["query"]["corpsecret"] == "***"
    assert entries[3]["body"] == {"tagname": "x"}
    failed = client.get("/__admin/journal?errcode=60111").get_json()["entries"]
    assert [x["query"]["userid"] for x in failed] == ["ghost"]
    by_path = client.get("/__admin/journal?path=user/get&limit=1").get_json()["entries"]
    assert len(by_path) == 1 and by_path[0]["query"]["userid"] == "ghost"
    assert client.get("/__admin/journal?method=post").get_json()["entries"][0]["endpoint"] == (
        "tag/create"
    )
    assert client.get("/__admin/journal?errcode=x").status_code == 400


def test_journal_delete(client: FlaskClient, emu: Emulator) -> None:
    emu.token("contacts")
    assert client.delete("/__admin/journal").get_json() == {"status": "cleared"}
    assert client.get("/__admin/journal").get_json()["entries"] == []


def test_endpoints_listing(client: FlaskClient) -> None:
    eps = client.get("/__admin/endpoints").get_json()["endpoints"]
    paths = {e["path"] for e in eps}
    assert {"/cgi-bin/gettoken", "/cgi-bin/user/create", "/cgi-bin/tag/list"} <= paths


def test_unknown_admin_route_404(client: FlaskClient) -> None:
    assert client.get("/__admin/nope").status_code == 404


def test_admin_is_loopback_only(client: FlaskClient) -> None:
    resp = client.get("/__admin/corps", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert resp.status_code == 403
    remote = create_app(Emulator(), admin_remote=True).test_client()
    assert (
        remote.get("/__admin/health", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    )


def test_non_api_paths_answer_the_envelope(client: FlaskClient) -> None:
    # "/" is the dashboard (tests/test_dashboard_routes.py); anything else outside the API
    # still gets the JSON envelope.
    for path in ("/favicon.ico", "/cgi-bin/", "/nothing/here"):
        resp = client.get(path)
        assert resp.status_code == 200
        assert resp.get_json()["errcode"] == 48001
    resp = client.delete("/cgi-bin/user/get")
    assert resp.status_code == 200 and resp.get_json()["errcode"] == 48001


def test_sandbox_actions_refuse_unknown_corps(client: FlaskClient) -> None:
    """Bad admin input answers 404/400 in JSON, never a 500 (found by the HTTP fuzzer)."""
    resp = client.post("/__admin/oa/oa_open", json={"corpid": "-278894003753"})
    assert resp.status_code == 404
    assert resp.get_json() == {"error": "no corp '-278894003753'"}
    resp = client.post("/__admin/oa/oa_open/no-such/approve", json={"corpid": "wwnope"})
    assert resp.status_code in (400, 404)
    assert "error" in resp.get_json()
