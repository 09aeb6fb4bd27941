"""The 2022 privacy rules per app, the contacts-sync new-IP rule, system secrets of new corps,
and the contacts input rules that go with them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.core.fixtures import load_yaml
from mock_server.core.resources import demo_fixture
from tests.conftest import Api

OPS, CRM = 1000002, 1000003  # legacy (created 2021), modern (created 2023)
SENSITIVE = (
    "mobile",
    "gender",
    "email",
    "avatar",
    "thumb_avatar",
    "qr_code",
    "biz_mail",
    "address",
)


def demo_doc(**apps: Any) -> dict[str, Any]:
    doc = copy.deepcopy(load_yaml(demo_fixture()))
    doc.setdefault("apps", {}).update(apps)
    return doc


def test_modern_app_gets_no_sensitive_fields_legacy_app_does(emu: Emulator) -> None:
    modern = Api(emu, "app", CRM).get("user/get", userid="wuxia")
    legacy = Api(emu, "app", OPS).get("user/get", userid="wuxia")
    assert modern["errcode"] == legacy["errcode"] == 0
    for key in SENSITIVE:
        assert key not in modern and key in legacy
    assert modern["name"] == legacy["name"] and modern["department"] == legacy["department"]
    listed = Api(emu, "app", CRM).get("user/list", department_id=5)["userlist"]
    assert listed and all("mobile" not in u for u in listed)


def test_privacy_switches_per_agent(emu: Emulator) -> None:
    emu.set_app_privacy(CRM, "legacy")
    assert "mobile" in Api(emu, "app", CRM).get("user/get", userid="wuxia")
    emu.set_app_privacy(OPS, "modern")
    assert "mobile" not in Api(emu, "app", OPS).get("user/get", userid="wuxia")
    with pytest.raises(ValueError):
        emu.set_app_privacy(OPS, "vintage")


def test_privacy_from_the_fixture() -> None:
    doc = demo_doc()
    doc["apps"]["agents"][1]["privacy"] = "legacy"  # 1000003 despite its 2023 date
    emu = Emulator([doc])
    assert "mobile" in Api(emu, "app", CRM).get("user/get", userid="wuxia")
    doc = demo_doc()
    del doc["apps"]  # no section: every app follows the modern rules
    emu = Emulator([doc])
    assert "mobile" not in Api(emu, "app", OPS).get("user/get", userid="wuxia")


def test_contacts_sync_keeps_every_field(emu: Emulator) -> None:
    body = Api(emu, "contacts").get("user/get", userid="wuxia")
    assert all(key in body for key in SENSITIVE)


@pytest.mark.parametrize("scope", ["external", "approval"])
def test_basic_apps_read_contacts_with_fewer_fields(emu: Emulator, scope: str) -> None:
    basic = Api(emu, scope)
    body = basic.get("user/get", userid="wuxia")
    assert body["errcode"] == 0 and body["name"]
    assert not any(key in body for key in SENSITIVE)
    assert basic.get("user/list", department_id=1, fetch_child=1)["errcode"] == 0
    assert basic.get("department/list")["errcode"] == 0
    # Still no writes.
    assert basic.post("user/update", {"userid": "wuxia", "position": "x"})["errcode"] == 48002


# -- contacts-sync from a new IP: 48009 ------------------------------------------------------------
NEW_IP, OLD_IP = "198.51.100.77", "203.0.113.5"


def call(emu: Emulator, token: str, path: str, ip: str, **params: Any) -> dict[str, Any]:
    return emu.call("GET", path, params={"access_token": token, **params}, client_ip=ip)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("user/get", {"userid": "wuxia"}),
        ("user/simplelist", {"department_id": 1}),
        ("user/list", {"department_id": 1}),
        ("department/list", {}),
        ("department/get", {"id": 2}),
    ],
)
def test_contacts_sync_detail_reads_from_new_ip_48009(path: str, params: dict[str, Any]) -> None:
    emu = Emulator([demo_doc(contacts_sync_ips=[OLD_IP, "10.0.0.0/8"])])
    token = emu.token("contacts")
    refused = call(emu, token, path, NEW_IP, **params)
    assert refused["errcode"] == 48009
    assert call(emu, token, path, OLD_IP, **params)["errcode"] == 0
    assert call(emu, token, path, "10.1.2.3", **params)["errcode"] == 0
    # Apps are not concerned by the rule.
    assert call(emu, emu.token("app", OPS), path, NEW_IP, **params)["errcode"] == 0


def test_id_lists_and_writes_stay_allowed_from_new_ip() -> None:
    emu = Emulator([demo_doc(contacts_sync_ips=[OLD_IP])])
    token = emu.token("contacts")
    assert call(emu, token, "department/simplelist", NEW_IP)["errcode"] == 0
    body = emu.call(
        "POST", "user/list_id", params={"access_token": token}, json={}, client_ip=NEW_IP
    )
    assert body["errcode"] == 0
    body = emu.call(
        "POST",
        "user/update",
        params={"access_token": token},
        json={"userid": "wuxia", "position": "新职位"},
        client_ip=NEW_IP,
    )
    assert body["errcode"] == 0


def test_rule_off_without_historical_ips(emu: Emulator) -> None:
    token = emu.token("contacts")
    assert call(emu, token, "user/get", NEW_IP, userid="wuxia")["errcode"] == 0


# -- system secrets of corps created from 2023-12-01 ----------------------------------------------
def test_new_corp_gets_no_system_secret_40001() -> None:
    emu = Emulator([demo_doc(corp_created_at="2024-01-10")])
    corp = emu.corp()
    for scope in ("external", "approval"):
        body = emu.call(
            "GET", "gettoken", params={"corpid": corp.corpid, "corpsecret": corp.secrets[scope]}
        )
        assert body["errcode"] == 40001
    assert emu.token("contacts") and emu.token("app", CRM)  # these still work
    old = Emulator([demo_doc(corp_created_at="2023-11-30T23:59:59+08:00")])
    assert old.token("external")


# -- contacts input rules -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mobile", "ok"),
    [
        ("13800001234", True),
        ("+86 13800001234", True),
        ("+8613800001234", True),
        ("+852 61234567", True),
        ("+1-4155550123", True),
        ("123", False),
        ("23800001234", False),
        ("1380000123", False),
        ("+86 1380000", False),
        ("+852", False),
        ("138-0000-1234x", False),
    ],
)
def test_mobile_rules_60103(contacts_api: Api, mobile: str, ok: bool) -> None:
    body = {"userid": "newbie", "name": "新人", "department": [1], "mobile": mobile}
    assert contacts_api.post("user/create", body)["errcode"] == (0 if ok else 60103)


def test_empty_name_en_on_department_create_40058(contacts_api: Api) -> None:
    body = {"name": "新部门", "name_en": "", "parentid": 1}
    out = contacts_api.post("department/create", body)
    assert out["errcode"] == 40058 and out["errmsg"].startswith("name_en exceed min utf8 words 1")
    del body["name_en"]
    assert contacts_api.post("department/create", body)["errcode"] == 0


def test_user_outside_visibility_60011_with_the_captured_errmsg(emu: Emulator) -> None:
    crm = Api(emu, "app", CRM)
    out = crm.get("user/get", userid="lisi")
    assert out["errcode"] == 60011
    assert out["errmsg"].startswith("no privilege to access/modify contact/party/agent, hint: [")
    assert crm.get("user/get", userid="nobody")["errcode"] == 60111


def test_fetch_child_still_honoured(contacts_api: Api) -> None:
    only = {u["userid"] for u in contacts_api.get("user/simplelist", department_id=1)["userlist"]}
    deep = {
        u["userid"]
        for u in contacts_api.get("user/simplelist", department_id=1, fetch_child=1)["userlist"]
    }
    assert only < deep


def test_privacy_admin_action(emu: Emulator) -> None:
    from mock_server.core.admin import AdminError

    out = emu.admin("POST", "/apps/1000003/privacy", {"mode": "legacy"})
    assert out == {"agentid": CRM, "privacy": "legacy"}
    assert "mobile" in Api(emu, "app", CRM).get("user/get", userid="wuxia")
    with pytest.raises(AdminError):
        emu.admin("POST", "/apps/1000003/privacy", {"mode": "retro"})
    with pytest.raises(AdminError):
        emu.admin("POST", "/apps/999/privacy", {"mode": "legacy"})


def test_privacy_for_no_such_app_changes_nothing(emu: Emulator) -> None:
    """A refused switch (no app 999) leaves no settings record for it behind."""
    from mock_server.core.admin import AdminError

    before = emu.state_fingerprint()
    with pytest.raises(AdminError) as err:
        emu.admin("POST", "/apps/999/privacy", {"mode": "legacy"})
    assert err.value.status == 400
    assert emu.state_fingerprint() == before
