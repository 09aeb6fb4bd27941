"""Customer-group join ways (own app only, 5 groups, state on joined members) and opengid."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.external_contact import join_ways as jw
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def chats_of(api: Api, owner: str = "wuxia") -> list[str]:
    r = api.post(
        "externalcontact/groupchat/list", {"limit": 100, "owner_filter": {"userid_list": [owner]}}
    )
    return [c["chat_id"] for c in r["group_chat_list"]]


def test_add_get_update_del(crm: Api) -> None:
    chat = chats_of(crm)[0]
    body = {
        "scene": 2,
        "remark": "门" * 35,
        "room_base_name": "销售客服群",
        "room_base_id": 10,
        "chat_id_list": [chat],
        "state": "store_07",
    }
    r = crm.post("externalcontact/groupchat/add_join_way", body)
    assert r["errcode"] == 0 and len(r["config_id"]) == 32 and "qr_code" not in r
    way = crm.post("externalcontact/groupchat/get_join_way", {"config_id": r["config_id"]})[
        "join_way"
    ]
    assert way["remark"] == "门" * 30  # truncated, not rejected
    assert (way["auto_create_room"], way["state"], way["chat_id_list"]) == (1, "store_07", [chat])
    assert way["qr_code"].startswith("https://p.qpic.cn/wwhead/") and way["mark_source"] is True
    upd = {"config_id": r["config_id"], "scene": 1, "chat_id_list": [chat]}
    assert crm.post("externalcontact/groupchat/update_join_way", upd)["errcode"] == 0
    way = crm.post("externalcontact/groupchat/get_join_way", {"config_id": r["config_id"]})[
        "join_way"
    ]
    assert (way["scene"], way["state"], way["room_base_name"]) == (1, "", "")  # full overwrite
    assert (
        crm.post("externalcontact/groupchat/del_join_way", {"config_id": r["config_id"]})["errcode"]
        == 0
    )
    assert (
        crm.post("externalcontact/groupchat/get_join_way", {"config_id": r["config_id"]})["errcode"]
        == 41044
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"chat_id_list": ["wrA"]}, 40058),
        ({"scene": 3, "chat_id_list": ["wrA"]}, 40058),
        ({"scene": 2}, 40058),
        ({"scene": 2, "chat_id_list": ["a", "b", "c", "d", "e", "f"]}, 41091),
        ({"scene": 2, "chat_id_list": ["wrNOPE"]}, 86001),
        ({"scene": 2, "chat_id_list": ["CHAT"], "state": "s" * 31}, 40058),
        ({"scene": 2, "chat_id_list": ["CHAT"], "room_base_name": "n" * 41}, 40058),
    ],
)
def test_add_join_way_errors(emu: Emulator, crm: Api, body: dict[str, Any], code: int) -> None:
    chat = chats_of(crm)[0]
    body = {k: ([chat] if v == ["CHAT"] else v) for k, v in body.items()}
    before = emu.state_fingerprint()
    assert crm.post("externalcontact/groupchat/add_join_way", body)["errcode"] == code
    assert emu.state_fingerprint() == before


def test_join_way_errors_other_app_and_quota(
    emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = chats_of(crm)[0]
    cid = crm.post("externalcontact/groupchat/add_join_way", {"scene": 2, "chat_id_list": [chat]})[
        "config_id"
    ]
    ext = Api(emu, "external")
    for path in ("get_join_way", "del_join_way"):
        assert ext.post(f"externalcontact/groupchat/{path}", {"config_id": cid})["errcode"] == 41044
        assert crm.post(f"externalcontact/groupchat/{path}", {})["errcode"] == 41043
    upd = "externalcontact/groupchat/update_join_way"
    assert crm.post(upd, {"scene": 2, "chat_id_list": [chat]})["errcode"] == 41043
    assert (
        crm.post(upd, {"config_id": cid, "scene": 2, "chat_id_list": ["wrNOPE"]})["errcode"]
        == 86001
    )
    assert (
        crm.post(upd, {"config_id": cid, "scene": 2, "chat_id_list": ["x"] * 6})["errcode"] == 41091
    )
    assert crm.post(upd, {"config_id": cid, "scene": 2})["errcode"] == 40058
    monkeypatch.setattr(jw.cw, "API_WAYS_MAX", 1)
    assert (
        crm.post("externalcontact/groupchat/add_join_way", {"scene": 2, "chat_id_list": [chat]})[
            "errcode"
        ]
        == 41045
    )


def test_join_way_outside_visibility_60011(emu: Emulator) -> None:
    ext = Api(emu, "external")
    group = emu.create_customer_group("zhangsan", name="内部")
    crm = Api(emu, "app", 1000003)
    r = crm.post(
        "externalcontact/groupchat/add_join_way", {"scene": 2, "chat_id_list": [group["chat_id"]]}
    )
    assert r["errcode"] == 60011
    assert (
        ext.post(
            "externalcontact/groupchat/add_join_way",
            {"scene": 2, "chat_id_list": [group["chat_id"]]},
        )["errcode"]
        == 0
    )


def test_customer_joins_with_state_and_new_rooms(
    emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = chats_of(crm)[0]
    body = {
        "scene": 2,
        "chat_id_list": [chat],
        "state": "store_07",
        "room_base_name": "客服群",
        "room_base_id": 10,
    }
    cid = crm.post("externalcontact/groupchat/add_join_way", body)["config_id"]
    eid = crm.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    emu.scrm_action("join_way/join", {"config_id": cid, "external_userid": eid})
    members = crm.post("externalcontact/groupchat/get", {"chat_id": chat})["group_chat"][
        "member_list"
    ]
    joined = next(x for x in members if x["userid"] == eid)
    assert joined["state"] == "store_07" and joined["join_scene"] == 3
    monkeypatch.setattr(jw, "QR_JOIN_MAX", 1)  # every group full: a new one is created
    other = crm.get("externalcontact/list", userid="xuqiang")["external_userid"][1]
    r = emu.scrm_action("join_way/join", {"config_id": cid, "external_userid": other})
    assert r["chat_id"] != chat
    new = crm.post("externalcontact/groupchat/get", {"chat_id": r["chat_id"]})["group_chat"]
    assert new["name"] == "客服群11" and new["owner"] == "wuxia"


def test_opengid_to_chatid(emu: Emulator, crm: Api) -> None:
    chat = chats_of(crm)[0]
    opengid = jw.opengid_of(emu.corp(), chat)
    assert crm.post("externalcontact/opengid_to_chatid", {"opengid": opengid}) == {
        "errcode": 0,
        "errmsg": "ok",
        "chat_id": chat,
    }
    for bad in ({"opengid": "oAnope"}, {}):
        assert crm.post("externalcontact/opengid_to_chatid", bad)["errcode"] == 90511
