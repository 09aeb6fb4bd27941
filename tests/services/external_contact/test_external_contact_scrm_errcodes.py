"""Declared errcodes the scenario tests do not reach on their own: one assertion each, with
the state unchanged after the refusal."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def customers(api: Api, userid: str) -> list[str]:
    return list(api.get("externalcontact/list", userid=userid)["external_userid"])


def refused(emu: Emulator, api: Api, path: str, body: dict[str, Any]) -> int:
    before = emu.state_fingerprint()
    code = int(api.post(f"externalcontact/{path}", body)["errcode"])
    assert emu.state_fingerprint() == before, (path, body)
    return code


def test_update_contact_way_member_not_activated_41054(emu: Emulator, crm: Api) -> None:
    ext = Api(emu, "external")
    way = crm.post("externalcontact/add_contact_way", {"type": 2, "scene": 2, "user": ["xuqiang"]})
    body = {"config_id": way["config_id"], "user": ["xuqiang", "dengyi"]}
    assert refused(emu, ext, "update_contact_way", body) == 41054


def test_edit_corp_tag_wrong_types_40058(emu: Emulator) -> None:
    ext = Api(emu, "external")
    tid = ext.post("externalcontact/get_corp_tag_list", {})["tag_group"][0]["tag"][0]["id"]
    assert refused(emu, ext, "edit_corp_tag", {"id": tid, "order": "first"}) == 40058
    assert refused(emu, ext, "edit_corp_tag", {"id": tid, "name": 5}) == 40058


def test_update_join_way_other_apps_way_41044_and_hidden_group_60011(
    emu: Emulator, crm: Api
) -> None:
    ext = Api(emu, "external")
    chat = ext.post("externalcontact/groupchat/list", {"limit": 1})["group_chat_list"][0]["chat_id"]
    theirs = ext.post(
        "externalcontact/groupchat/add_join_way", {"scene": 2, "chat_id_list": [chat]}
    )["config_id"]
    body = {"config_id": theirs, "scene": 2, "chat_id_list": [chat]}
    assert refused(emu, crm, "groupchat/update_join_way", body) == 41044
    mine = crm.post("externalcontact/groupchat/add_join_way", {"scene": 2, "chat_id_list": [chat]})
    hidden = emu.create_customer_group("zhangsan", name="内部")["chat_id"]  # outside the app
    body = {"config_id": mine["config_id"], "scene": 2, "chat_id_list": [hidden]}
    assert refused(emu, crm, "groupchat/update_join_way", body) == 60011


def test_mark_tag_member_outside_the_app_60011(emu: Emulator, crm: Api) -> None:
    ext = Api(emu, "external")
    new = emu.customer_add_follow("zhangsan", customer={"name": "甲", "type": 1})
    eid = new["external_userid"]
    tag = ext.post("externalcontact/get_corp_tag_list", {})["tag_group"][0]["tag"][0]["id"]
    body = {"userid": "zhangsan", "external_userid": eid, "add_tag": [tag]}
    assert refused(emu, crm, "mark_tag", body) == 60011
    assert ext.post("externalcontact/mark_tag", body)["errcode"] == 0  # the system secret may


def test_resigned_transfers_takeover_not_activated_41054(emu: Emulator, crm: Api) -> None:
    ext = Api(emu, "external")
    eid = customers(ext, "xuqiang")[0]
    emu.member_resigns("xuqiang")
    body = {"handover_userid": "xuqiang", "takeover_userid": "dengyi", "external_userid": [eid]}
    assert refused(emu, ext, "resigned/transfer_customer", body) == 41054


def test_resigned_transfer_result_errors(emu: Emulator, crm: Api) -> None:
    emu.member_resigns("xuqiang")
    base = {"handover_userid": "xuqiang", "takeover_userid": "sunli"}
    path = "resigned/transfer_result"
    assert refused(emu, crm, path, {**base, "takeover_userid": "zhangsan"}) == 60011
    assert refused(emu, crm, path, {**base, "cursor": "c" * 43}) == 50100
    assert crm.post(f"externalcontact/{path}", base)["errcode"] == 0


def test_legacy_transfer_takeover_not_activated_41054_and_same_member_40130(
    emu: Emulator,
) -> None:
    ext = Api(emu, "external")
    eid = customers(ext, "xuqiang")[0]
    body = {"handover_userid": "xuqiang", "takeover_userid": "dengyi", "external_userid": eid}
    assert refused(emu, ext, "transfer", body) == 41054
    assert refused(emu, ext, "transfer", {**body, "takeover_userid": "XuQiang"}) == 40130
