"""The web layer's error mapping: admin errors by status, a crash never an HTML page."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from mock_server.core.admin import AdminActions, AdminError, AdminRequest, NoSuchCorp, call_checked
from mock_server.core.pipeline import Host
from mock_server.core.plugin import Plugin
from mock_server.emulator import PLUGINS, Emulator
from mock_server.web.app import create_app

admin = AdminActions()


@admin.action("GET", "/test/crash")
def crash(emu: Host, req: AdminRequest) -> dict[str, Any]:
    raise RuntimeError("a bug in an admin action")


@admin.action("GET", "/test/crash/<kind>")
def crash_with(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Bugs that look like bad input: a missing key, a wrong type inside the action."""
    if req.params["kind"] == "lookup":
        return {}["missing"]  # type: ignore[no-any-return]
    return {"n": len(None)}  # type: ignore[arg-type]


@admin.action("POST", "/test/keywords")
def keywords(emu: Host, req: AdminRequest) -> dict[str, Any]:
    def take(name: str, *, size: int = 0) -> dict[str, Any]:
        return {"name": name, "size": size}

    return call_checked(take, **req.body)


@admin.action("POST", "/test/echo/<name>")
def echo(emu: Host, req: AdminRequest) -> dict[str, Any]:
    if req.params["name"] == "teapot":
        raise AdminError("no teapots", 418)
    return {"name": req.params["name"], "q": req.text("q"), "body": dict(req.body)}


def _client() -> Any:
    test_plugin = Plugin(name="web_test", admin=tuple(admin.actions))
    return create_app(Emulator(plugins=(*PLUGINS, test_plugin))).test_client()


def test_an_admin_action_is_mounted_with_its_path_query_and_body() -> None:
    resp = _client().post("/__admin/test/echo/x?q=1", json={"a": 1})
    assert resp.status_code == 200
    assert resp.get_json() == {"name": "x", "q": "1", "body": {"a": 1}}


def test_admin_error_is_its_status_and_error_body() -> None:
    resp = _client().post("/__admin/test/echo/teapot")
    assert resp.status_code == 418
    assert resp.get_json() == {"error": "no teapots"}


def test_admin_body_must_be_a_json_object() -> None:
    resp = _client().post(
        "/__admin/test/echo/x", data=b"[1]", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.get_json() == {"error": "body must be a JSON object"}


def test_a_crashing_admin_action_answers_json_500_not_html() -> None:
    resp = _client().get("/__admin/test/crash")
    assert resp.status_code == 500
    assert resp.get_json() == {"error": "internal error"}


def test_unknown_admin_corp_is_404_in_every_family() -> None:
    client = _client()
    for path in ("/__admin/messages", "/__admin/rate-limits", "/__admin/callbacks/deliveries"):
        resp = client.get(path, query_string={"corpid": "wwnosuchcorp0001"})
        assert resp.status_code == 404, path
        assert resp.get_json() == {"error": "no corp 'wwnosuchcorp0001'"}


@pytest.mark.parametrize("kind", ["lookup", "type"])
def test_a_key_or_type_error_inside_an_action_is_a_500_with_a_traceback(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Only ``AdminError`` is a 4xx: a bug that raises KeyError/TypeError must not hide as
    a 404/400 (the fuzzer counts the logged traceback)."""
    with caplog.at_level(logging.ERROR):
        resp = _client().get(f"/__admin/test/crash/{kind}")
    assert resp.status_code == 500
    assert resp.get_json() == {"error": "internal error"}
    assert any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "a", "size": 2}, 200),
        ({"name": "a", "colour": "red"}, 400),  # a field the action does not take
        ({"size": 2}, 400),  # a missing one
    ],
)
def test_keywords_from_a_body_are_checked_before_the_call(
    body: dict[str, Any], status: int
) -> None:
    resp = _client().post("/__admin/test/keywords", json=body)
    assert resp.status_code == status
    if status == 400:
        assert resp.get_json()["error"].startswith("bad arguments: ")


def test_a_body_field_named_self_is_a_400_not_a_crash() -> None:
    """Bound methods hide ``self`` from their signature; the check still refuses it."""
    client = _client()
    for method, path, body in [
        ("POST", "/__admin/contacts/users", {"userid": "x", "self": 1}),
        ("POST", "/__admin/oa/checkin/punch", {"userid": "lisi", "self": 1}),
        ("POST", "/__admin/oa/living/x/watch", {"self": 1}),
        ("PUT", "/__admin/callbacks/settings", {"self": 0}),
    ]:
        resp = client.open(path, method=method, json=body)
        assert resp.status_code == 400, path
        assert "multiple values for argument 'self'" in resp.get_json()["error"], path


def test_unknown_corp_is_one_error_for_python_and_http() -> None:
    emu = Emulator()
    with pytest.raises(NoSuchCorp) as err:
        emu.corp("wwnope")
    assert isinstance(err.value, KeyError) and err.value.status == 404
    assert str(err.value).startswith("no corp 'wwnope'; loaded: ['wwdemo")
    resp = (
        create_app(emu)
        .test_client()
        .post("/__admin/oa/open_approvals/x/approve", json={"userid": "lisi", "corpid": "wwnope"})
    )
    assert resp.status_code == 404 and resp.get_json()["error"].startswith("no corp 'wwnope'")


def test_a_rotate_with_a_scope_of_the_wrong_type_is_a_400() -> None:
    resp = _client().post("/__admin/secrets/rotate", json={"scope": {"schedule": "x"}})
    assert resp.status_code == 400
    assert resp.get_json() == {"error": "scope must be a string (app, contacts, external...)"}


def test_a_crashing_response_hook_takes_the_one_error_path_over_http() -> None:
    """A bug in an ``on_response`` hook answers the real envelope (errcode -1, HTTP 200), is
    journaled, and the hooks after it still see the answer (not a WSGI 500)."""
    emu = Emulator()
    token = emu.token("contacts")
    seen: list[int | None] = []

    def broken(ctx: Any, resp: Any) -> None:
        raise RuntimeError("a bug in a response hook")

    def later(ctx: Any, resp: Any) -> None:
        seen.append(resp.errcode)

    # After the shipped hooks (the conformance check would report the crash as a violation).
    emu.hooks.on_response += [broken, later]
    client = create_app(emu).test_client()
    resp = client.get(f"/cgi-bin/user/get?access_token={token}&userid=zhangsan")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["errcode"] == -1
    assert body["errmsg"].startswith("system busy")
    assert resp.headers["Error-Code"] == "-1"
    assert seen == [-1]
    (entry,) = emu.journal.entries(path="user/get")
    assert entry["errcode"] == -1


def test_a_response_hook_raising_a_wecom_error_answers_that_errcode() -> None:
    from mock_server.core.errors import WeComError

    emu = Emulator()
    token = emu.token("contacts")

    def refuse(ctx: Any, resp: Any) -> None:
        raise WeComError(45009)

    emu.hooks.on_response.append(refuse)
    resp = (
        create_app(emu).test_client().get(f"/cgi-bin/user/get?access_token={token}&userid=zhangsan")
    )
    assert resp.status_code == 200
    assert resp.get_json()["errcode"] == 45009
