"""Tags (contacts.md §3): ownership, partial failures with mixed-type responses, errcodes."""

from __future__ import annotations

from mock_server import Emulator
from tests.conftest import Api


def members(api: Api, tagid: int) -> set[str]:
    return {u["userid"] for u in api.get("tag/get", tagid=tagid)["userlist"]}


def test_list_and_get(contacts_api: Api) -> None:
    tags = contacts_api.get("tag/list")["taglist"]
    assert {"tagid": 1, "tagname": "值班"} in tags
    body = contacts_api.get("tag/get", tagid=3)
    assert body["tagname"] == "销售团队" and body["partylist"] == [5] and body["userlist"] == []


def test_create_update_delete(contacts_api: Api) -> None:
    body = contacts_api.post("tag/create", {"tagname": "骑行俱乐部"})
    assert body["errcode"] == 0 and body["errmsg"] == "created"
    tagid = body["tagid"]
    assert (
        contacts_api.post("tag/update", {"tagid": tagid, "tagname": "骑行社"})["errmsg"]
        == "updated"
    )
    assert contacts_api.get("tag/get", tagid=tagid)["tagname"] == "骑行社"
    assert contacts_api.get("tag/delete", tagid=tagid)["errmsg"] == "deleted"
    assert contacts_api.get("tag/get", tagid=tagid)["errcode"] == 40068


def test_create_with_id_and_duplicate_id_40068(contacts_api: Api) -> None:
    assert contacts_api.post("tag/create", {"tagname": "A", "tagid": 50})["tagid"] == 50
    assert contacts_api.post("tag/create", {"tagname": "B", "tagid": 50})["errcode"] == 40068
    assert contacts_api.get("tag/get", tagid=50)["tagname"] == "A"


def test_duplicate_name_40071(contacts_api: Api) -> None:
    assert contacts_api.post("tag/create", {"tagname": "值班"})["errcode"] == 40071
    assert contacts_api.post("tag/update", {"tagid": 2, "tagname": "值班"})["errcode"] == 40071
    assert contacts_api.get("tag/get", tagid=2)["tagname"] == "管理层"


def test_name_missing_41018_and_too_long_40072(contacts_api: Api) -> None:
    assert contacts_api.post("tag/create", {})["errcode"] == 41018
    assert contacts_api.post("tag/create", {"tagname": "x" * 33})["errcode"] == 40072
    assert len(contacts_api.get("tag/list")["taglist"]) == 4


def test_tagid_missing_41017_unknown_40068(contacts_api: Api) -> None:
    assert contacts_api.get("tag/get")["errcode"] == 41017
    assert contacts_api.get("tag/get", tagid=999)["errcode"] == 40068
    assert contacts_api.get("tag/delete", tagid=999)["errcode"] == 40068


def test_add_and_remove_members(contacts_api: Api) -> None:
    body = contacts_api.post(
        "tag/addtagusers", {"tagid": 4, "userlist": ["lisi"], "partylist": [7]}
    )
    assert body == {"errcode": 0, "errmsg": "ok"}
    assert "lisi" in members(contacts_api, 4)
    assert contacts_api.get("tag/get", tagid=4)["partylist"] == [7]
    body = contacts_api.post("tag/deltagusers", {"tagid": 4, "userlist": ["lisi"]})
    assert body == {"errcode": 0, "errmsg": "deleted"}
    assert "lisi" not in members(contacts_api, 4)


def test_partial_invalid_mixed_types(contacts_api: Api) -> None:
    """invalidlist is a '|'-joined string, invalidparty a list of ints (as the real API)."""
    body = contacts_api.post(
        "tag/addtagusers",
        {"tagid": 1, "userlist": ["wuxia", "ghost1", "ghost2"], "partylist": [6, 999]},
    )
    assert body["errcode"] == 0
    assert body["invalidlist"] == "ghost1|ghost2"
    assert body["invalidparty"] == [999]
    assert "wuxia" in members(contacts_api, 1)


def test_add_all_invalid_40070(contacts_api: Api) -> None:
    body = contacts_api.post("tag/addtagusers", {"tagid": 1, "userlist": ["ghost"]})
    assert body["errcode"] == 40070
    assert body["errmsg"].startswith("all list invalid ")
    assert members(contacts_api, 1) == {"zhangwei", "lisi", "liuyang"}


def test_del_all_invalid_40031(contacts_api: Api) -> None:
    body = contacts_api.post("tag/deltagusers", {"tagid": 1, "userlist": ["ghost"]})
    assert body["errcode"] == 40031
    assert body["errmsg"].startswith("all list invalid")


def test_too_many_in_one_call_81014(contacts_api: Api) -> None:
    body = contacts_api.post("tag/addtagusers", {"tagid": 1, "partylist": list(range(101))})
    assert body["errcode"] == 81014


def test_app_tag_is_owned_81011(emu: Emulator) -> None:
    app = Api(emu, "app", 1000002)
    other = Api(emu, "app", 1000004)
    contacts = Api(emu, "contacts")
    tagid = app.post("tag/create", {"tagname": "告警值守"})["tagid"]
    assert app.post("tag/addtagusers", {"tagid": tagid, "userlist": ["lisi"]})["errcode"] == 0
    assert other.post("tag/update", {"tagid": tagid, "tagname": "抢走"})["errcode"] == 81011
    assert contacts.get("tag/delete", tagid=tagid)["errcode"] == 81011
    assert other.post("tag/deltagusers", {"tagid": tagid, "userlist": ["lisi"]})["errcode"] == 81011
    assert members(contacts, tagid) == {"lisi"}


def test_deleting_member_removes_from_tag(contacts_api: Api) -> None:
    assert contacts_api.get("user/delete", userid="dengyi")["errcode"] == 0
    assert members(contacts_api, 4) == {"linxin"}


def test_limited_app_sees_visible_members_only(emu: Emulator) -> None:
    sales = Api(emu, "app", 1000003)  # department 5 only
    assert members(sales, 2) == {"wuxia"}
    body = sales.post("tag/addtagusers", {"tagid": 1, "userlist": ["lisi", "xuqiang"]})
    assert body["invalidlist"] == "lisi"
