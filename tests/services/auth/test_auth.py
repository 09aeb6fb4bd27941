"""gettoken and the token/scope checks every endpoint goes through (auth.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.core.registry import APP, CONTACTS, EXTERNAL

CORPID = "wwdemo0000000000001"
CONTACTS_SECRET = "DEMO-contacts-secret-not-real"
APP_SECRET = "DEMO-app-1000002-secret-not-real"
ERRMSG = re.compile(
    r"^(?P<text>.+), hint: \[\d{25}\], from ip: 127\.0\.0\.1, "
    r"more info at https://open\.work\.weixin\.qq\.com/devtool/query\?e=(?P<code>-?\d+)$"
)


def gettoken(emu: Emulator, **params: Any) -> dict[str, Any]:
    return emu.call("GET", "gettoken", params=params)


def assert_error(body: dict[str, Any], errcode: int, text: str | None = None) -> None:
    assert body["errcode"] == errcode, body
    m = ERRMSG.match(body["errmsg"])
    assert m, body["errmsg"]
    assert int(m["code"]) == errcode
    if text is not None:
        assert m["text"] == text


# -- gettoken -------------------------------------------------------------------------------
def test_gettoken_ok(emu: Emulator) -> None:
    body = gettoken(emu, corpid=CORPID, corpsecret=CONTACTS_SECRET)
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    assert body["expires_in"] == 7200
    assert isinstance(body["access_token"], str) and len(body["access_token"]) >= 32


def test_gettoken_missing_corpid_41002(emu: Emulator) -> None:
    assert_error(gettoken(emu, corpsecret=CONTACTS_SECRET), 41002)
    assert_error(gettoken(emu, corpid="", corpsecret=CONTACTS_SECRET), 41002)


def test_gettoken_missing_secret_41004(emu: Emulator) -> None:
    assert_error(gettoken(emu, corpid=CORPID), 41004, "corpsecret missing")


def test_gettoken_unknown_corpid_40013(emu: Emulator) -> None:
    assert_error(gettoken(emu, corpid="wwnotacorp0001", corpsecret="x"), 40013, "invalid corpid")


def test_gettoken_wrong_secret_40001(emu: Emulator) -> None:
    assert_error(gettoken(emu, corpid=CORPID, corpsecret="wrong"), 40001, "invalid credential")


def test_gettoken_error_headers_and_status(emu: Emulator) -> None:
    from mock_server.core.pipeline import ApiRequest

    resp = emu.handle(ApiRequest("GET", "/cgi-bin/gettoken", {"corpid": CORPID}, b""))
    assert resp.status == 200
    assert resp.headers["Error-Code"] == "41004"
    assert resp.headers["Error-Msg"] == resp.body["errmsg"]


def test_same_token_within_validity(emu: Emulator) -> None:
    first = gettoken(emu, corpid=CORPID, corpsecret=CONTACTS_SECRET)
    emu.advance(1000)
    again = gettoken(emu, corpid=CORPID, corpsecret=CONTACTS_SECRET)
    assert again["access_token"] == first["access_token"]
    assert again["expires_in"] == 6200  # the remaining lifetime, not extended


def test_each_secret_has_its_own_token(emu: Emulator) -> None:
    a = gettoken(emu, corpid=CORPID, corpsecret=CONTACTS_SECRET)["access_token"]
    b = gettoken(emu, corpid=CORPID, corpsecret=APP_SECRET)["access_token"]
    assert a != b


def test_new_token_after_expiry(emu: Emulator) -> None:
    first = gettoken(emu, corpid=CORPID, corpsecret=CONTACTS_SECRET)["access_token"]
    emu.advance(7200)
    second = gettoken(emu, corpid=CORPID, corpsecret=CONTACTS_SECRET)
    assert second["access_token"] != first
    assert second["expires_in"] == 7200
    # The old token is expired, the new one works.
    assert_error(
        emu.call("GET", "user/get", params={"access_token": first, "userid": "lisi"}), 42001
    )
    ok = emu.call(
        "GET", "user/get", params={"access_token": second["access_token"], "userid": "lisi"}
    )
    assert ok["errcode"] == 0


# -- token checks on other endpoints ---------------------------------------------------------
def test_missing_token_41001(emu: Emulator) -> None:
    assert_error(
        emu.call("GET", "user/get", params={"userid": "lisi"}), 41001, "access_token missing"
    )


def test_token_in_body_is_not_a_token_41001(emu: Emulator) -> None:
    token = emu.token(CONTACTS)
    body = emu.call("POST", "user/list_id", json={"access_token": token})
    assert_error(body, 41001)


def test_invalid_token_40014(emu: Emulator) -> None:
    body = emu.call("GET", "user/get", params={"access_token": "garbage", "userid": "lisi"})
    assert_error(body, 40014, "invalid access_token")


def test_expired_token_42001(emu: Emulator) -> None:
    token = emu.token(CONTACTS)
    emu.advance(7199)
    assert (
        emu.call("GET", "user/get", params={"access_token": token, "userid": "lisi"})["errcode"]
        == 0
    )
    emu.advance(1)
    body = emu.call("GET", "user/get", params={"access_token": token, "userid": "lisi"})
    assert_error(body, 42001, "access_token expired")


def test_reset_forgets_tokens_40014(emu: Emulator) -> None:
    token = emu.token(CONTACTS)
    emu.reset()
    body = emu.call("GET", "user/get", params={"access_token": token, "userid": "lisi"})
    assert_error(body, 40014)


def test_revoked_token_40014(emu: Emulator) -> None:
    token = emu.token(CONTACTS)
    assert emu.tokens.revoke(corpid=CORPID, secret=CONTACTS_SECRET) == 1
    body = emu.call("GET", "user/get", params={"access_token": token, "userid": "lisi"})
    assert_error(body, 40014)


# -- secret scopes (48002) -------------------------------------------------------------------
def test_app_secret_cannot_create_user_48002(emu: Emulator) -> None:
    token = emu.token(APP, 1000002)
    body = emu.call(
        "POST",
        "user/create",
        params={"access_token": token},
        json={"userid": "newbie", "name": "新人", "mobile": "13900000001", "department": [1]},
    )
    assert_error(body, 48002, "api forbidden")
    check = emu.call(
        "GET", "user/get", params={"access_token": emu.token(CONTACTS), "userid": "newbie"}
    )
    assert check["errcode"] == 60111


@pytest.fixture
def external_endpoint() -> str:
    """An externalcontact endpoint (external secret or an app with that permission)."""
    return "externalcontact/get_follow_user_list"


def test_contacts_secret_cannot_call_externalcontact_48002(
    emu: Emulator, external_endpoint: str
) -> None:
    body = emu.call("GET", external_endpoint, params={"access_token": emu.token(CONTACTS)})
    assert_error(body, 48002)


def test_app_without_permission_cannot_call_externalcontact_48002(
    emu: Emulator, external_endpoint: str
) -> None:
    body = emu.call("GET", external_endpoint, params={"access_token": emu.token(APP, 1000002)})
    assert_error(body, 48002)


def test_external_secret_and_permitted_app_may_call_externalcontact(
    emu: Emulator, external_endpoint: str
) -> None:
    for token in (emu.token(EXTERNAL), emu.token(APP, 1000003)):
        body = emu.call("GET", external_endpoint, params={"access_token": token})
        assert body["errcode"] == 0, body


def test_contacts_secret_cannot_send_messages_48002(emu: Emulator) -> None:
    body = emu.call(
        "POST",
        "message/send",
        params={"access_token": emu.token(CONTACTS)},
        json={"touser": "lisi", "msgtype": "text", "agentid": 1000002, "text": {"content": "hi"}},
    )
    assert_error(body, 48002)


# -- unknown paths and methods ---------------------------------------------------------------
def test_unknown_path_48001(emu: Emulator) -> None:
    body = emu.call("GET", "no/such/api", params={"access_token": emu.token(CONTACTS)})
    assert_error(body, 48001, "api not found")


def test_wrong_method_48001(emu: Emulator) -> None:
    body = emu.call("PUT", "user/get", params={"access_token": emu.token(CONTACTS)})
    assert_error(body, 48001)


def test_getcallbackip_any_scope(emu: Emulator) -> None:
    body = emu.call("GET", "getcallbackip", params={"access_token": emu.token(APP, 1000002)})
    assert body["errcode"] == 0 and body["ip_list"]
