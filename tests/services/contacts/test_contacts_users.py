"""Members (contacts.md §2): each errcode with state checked through later calls."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api


def new_user(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "userid": "xiaoming",
        "name": "小明",
        "mobile": "13912345678",
        "department": [3],
        "email": "xiaoming@demo-corp.example.com",
    }
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def assert_absent(api: Api, userid: str) -> None:
    assert api.get("user/get", userid=userid)["errcode"] == 60111


def test_create_then_get_and_list(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", new_user(position="工程师", is_leader_in_dept=[1]))
    assert body == {"errcode": 0, "errmsg": "created"}
    user = contacts_api.get("user/get", userid="xiaoming")
    assert user["name"] == "小明" and user["department"] == [3]
    assert user["main_department"] == 3 and user["is_leader_in_dept"] == [1]
    assert user["status"] == 4  # not activated yet
    listed = contacts_api.get("user/simplelist", department_id=3)["userlist"]
    assert "xiaoming" in [u["userid"] for u in listed]
    assert "xiaoming" in contacts_api.get("department/get", id=3)["department"]["department_leader"]


def test_userid_is_case_insensitive(contacts_api: Api) -> None:
    assert contacts_api.get("user/get", userid="LiSi")["userid"] == "lisi"
    assert contacts_api.post("user/create", new_user(userid="LISI"))["errcode"] == 60102


def test_duplicate_userid_60102(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", new_user(userid="lisi"))
    assert body["errcode"] == 60102
    assert body["errmsg"].startswith("userid existed")
    assert contacts_api.get("user/get", userid="lisi")["name"] == "李四"


@pytest.mark.parametrize("userid", ["bad id", "中文", "a" * 65, "-lead", "x!y"])
def test_invalid_userid_40003(contacts_api: Api, userid: str) -> None:
    assert contacts_api.post("user/create", new_user(userid=userid))["errcode"] == 40003


def test_missing_userid_41009(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(userid=None))["errcode"] == 41009


def test_name_too_long_60112(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(name="名" * 65))["errcode"] == 60112
    assert_absent(contacts_api, "xiaoming")


def test_empty_name_60112(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(name=""))["errcode"] == 60112


def test_duplicate_mobile_60104(contacts_api: Api) -> None:
    lisi = contacts_api.get("user/get", userid="lisi")
    body = contacts_api.post("user/create", new_user(mobile=lisi["mobile"]))
    assert body["errcode"] == 60104
    assert body["errmsg"].startswith("mobile existed:lisi")
    assert_absent(contacts_api, "xiaoming")


def test_invalid_mobile_60103(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(mobile="abc"))["errcode"] == 60103


def test_duplicate_email_60106(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", new_user(email="lisi@demo-corp.example.com"))
    assert body["errcode"] == 60106
    assert_absent(contacts_api, "xiaoming")


def test_invalid_email_60105(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(email="not-an-email"))["errcode"] == 60105


def test_mobile_and_email_both_missing_60129(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", new_user(mobile=None, email=None))
    assert body["errcode"] == 60129


def test_unknown_department_60123(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(department=[999]))["errcode"] == 60123
    assert_absent(contacts_api, "xiaoming")
    assert contacts_api.get("department/get", id=999)["errcode"] == 60003


def test_department_as_string_40066_with_json_warning(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", new_user(department="[1, 2]"))
    assert body["errcode"] == 40066
    assert body["errmsg"].startswith("Warning: wrong json format. invalid party list")


def test_too_many_departments_60110(contacts_api: Api) -> None:
    depts = list(range(1000, 1101))
    assert contacts_api.post("user/create", new_user(department=depts))["errcode"] == 60110


def test_leader_count_mismatch_60132(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", new_user(department=[3, 4], is_leader_in_dept=[1]))
    assert body["errcode"] == 60132
    assert_absent(contacts_api, "xiaoming")


def test_auto_create_departments_setting(emu: Emulator) -> None:
    doc = {
        "corpid": "wwautocreate0001",
        "secrets": {"contacts": "AUTO-contacts-not-real"},
        "contacts": {"auto_create_departments": True},
    }
    emu2 = Emulator([doc])
    api = Api(emu2, "contacts")
    body = api.post("user/create", new_user(department=[77]))
    assert body["errcode"] == 0
    created = body["created_department_list"]["department_info"]
    assert created == [{"name": "77", "id": 77}]
    assert api.get("department/get", id=77)["errcode"] == 0
    assert api.get("user/get", userid="xiaoming")["department"] == [77]


def test_order_and_main_department(contacts_api: Api) -> None:
    body = new_user(department=[3, 4], order=[5, 10], main_department=4, is_leader_in_dept=[0, 1])
    assert contacts_api.post("user/create", body)["errcode"] == 0
    user = contacts_api.get("user/get", userid="xiaoming")
    assert user["order"] == [5, 10]
    assert user["main_department"] == 4
    assert user["is_leader_in_dept"] == [0, 1]
    # In 前端组 (4) the new member has order 10, above everybody else (order 0).
    members = contacts_api.get("user/simplelist", department_id=4)["userlist"]
    assert members[0]["userid"] == "xiaoming"
    assert "xiaoming" in contacts_api.get("department/get", id=4)["department"]["department_leader"]
    assert (
        "xiaoming"
        not in contacts_api.get("department/get", id=3)["department"]["department_leader"]
    )


def test_main_department_not_in_list_40058(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", new_user(main_department=5))
    assert body["errcode"] == 40058
    assert_absent(contacts_api, "xiaoming")


def test_fetch_child(contacts_api: Api) -> None:
    direct = {u["userid"] for u in contacts_api.get("user/simplelist", department_id=2)["userlist"]}
    deep = {
        u["userid"]
        for u in contacts_api.get("user/list", department_id=2, fetch_child=1)["userlist"]
    }
    assert "zhangwei" in direct and "lisi" not in direct
    assert {"zhangwei", "lisi", "chenjing"} <= deep
    assert direct < deep


def test_list_unknown_department_60003(contacts_api: Api) -> None:
    assert contacts_api.get("user/list", department_id=999)["errcode"] == 60003
    assert contacts_api.get("user/simplelist", department_id=999)["errcode"] == 60003


def test_update_changes_fields(contacts_api: Api) -> None:
    body = contacts_api.post(
        "user/update", {"userid": "lisi", "position": "架构师", "department": [4]}
    )
    assert body == {"errcode": 0, "errmsg": "updated"}
    user = contacts_api.get("user/get", userid="lisi")
    assert user["position"] == "架构师" and user["department"] == [4]
    assert user["main_department"] == 4
    assert user["name"] == "李四"  # omitted fields unchanged


def test_update_unknown_60111(contacts_api: Api) -> None:
    assert contacts_api.post("user/update", {"userid": "ghost", "name": "x"})["errcode"] == 60111


def test_update_mobile_ignored_for_activated_member(contacts_api: Api) -> None:
    before = contacts_api.get("user/get", userid="lisi")
    assert before["status"] == 1
    body = contacts_api.post("user/update", {"userid": "lisi", "mobile": "13900001111"})
    assert body["errcode"] == 0
    assert contacts_api.get("user/get", userid="lisi")["mobile"] == before["mobile"]
    # A member who has not activated (status 4) gets the new mobile.
    assert (
        contacts_api.post("user/update", {"userid": "dengyi", "mobile": "13900001111"})["errcode"]
        == 0
    )
    assert contacts_api.get("user/get", userid="dengyi")["mobile"] == "13900001111"


def test_update_duplicate_mobile_60104(contacts_api: Api) -> None:
    lisi = contacts_api.get("user/get", userid="lisi")["mobile"]
    body = contacts_api.post("user/update", {"userid": "dengyi", "mobile": lisi, "name": "改名"})
    assert body["errcode"] == 60104
    assert contacts_api.get("user/get", userid="dengyi")["name"] == "邓毅"


def test_delete_and_batchdelete(contacts_api: Api) -> None:
    liuyang_mobile = contacts_api.get("user/get", userid="liuyang")["mobile"]
    assert contacts_api.get("user/delete", userid="dengyi") == {"errcode": 0, "errmsg": "deleted"}
    assert_absent(contacts_api, "dengyi")
    body = contacts_api.post("user/batchdelete", {"useridlist": ["liuyang", "wangfang"]})
    assert body["errcode"] == 0
    assert_absent(contacts_api, "liuyang")
    assert_absent(contacts_api, "wangfang")
    # The mobile is free again: no longer found, and usable by a new member.
    assert contacts_api.post("user/getuserid", {"mobile": liuyang_mobile})["errcode"] == 46004
    assert contacts_api.post("user/create", new_user(mobile=liuyang_mobile))["errcode"] == 0


def test_delete_unknown_60111(contacts_api: Api) -> None:
    assert contacts_api.get("user/delete", userid="ghost")["errcode"] == 60111


def test_batchdelete_all_or_nothing_60111(contacts_api: Api) -> None:
    body = contacts_api.post("user/batchdelete", {"useridlist": ["lisi", "ghost"]})
    assert body["errcode"] == 60111
    assert contacts_api.get("user/get", userid="lisi")["errcode"] == 0


def test_batchdelete_too_many_40032(contacts_api: Api) -> None:
    body = contacts_api.post("user/batchdelete", {"useridlist": [f"u{i}" for i in range(201)]})
    assert body["errcode"] == 40032


def test_delete_creator_301005(contacts_api: Api) -> None:
    assert contacts_api.get("user/delete", userid="fengtao")["errcode"] == 301005
    assert contacts_api.get("user/get", userid="fengtao")["errcode"] == 0


def test_get_missing_userid_41009(contacts_api: Api) -> None:
    assert contacts_api.get("user/get")["errcode"] == 41009


def test_getuserid_by_mobile(contacts_api: Api) -> None:
    mobile = contacts_api.get("user/get", userid="lisi")["mobile"]
    assert contacts_api.post("user/getuserid", {"mobile": mobile})["userid"] == "lisi"
    assert contacts_api.post("user/getuserid", {"mobile": "13000000000"})["errcode"] == 46004


def test_openid_round_trip(contacts_api: Api) -> None:
    openid = contacts_api.post("user/convert_to_openid", {"userid": "lisi"})["openid"]
    assert contacts_api.post("user/convert_to_userid", {"openid": openid})["userid"] == "lisi"
    # Not activated: no openid.
    assert contacts_api.post("user/convert_to_openid", {"userid": "dengyi"})["errcode"] == 43004
    assert contacts_api.post("user/convert_to_userid", {"openid": "oNOPE"})["errcode"] == 40073


def test_list_id_paging(contacts_api: Api) -> None:
    rows: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(20):  # bounded
        body = contacts_api.post("user/list_id", {"cursor": cursor, "limit": 7})
        assert body["errcode"] == 0
        rows.extend(body["dept_user"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert cursor == ""
    assert len(rows) == 30
    assert len({r["userid"] for r in rows}) == 30
    assert {"userid": "lisi", "department": 3} in rows


def test_list_id_bad_cursor_60268(contacts_api: Api) -> None:
    assert contacts_api.post("user/list_id", {"cursor": "!!notacursor"})["errcode"] == 60268


def test_list_id_bad_limit_40058(contacts_api: Api) -> None:
    assert contacts_api.post("user/list_id", {"limit": 10001})["errcode"] == 40058


def test_list_id_contacts_secret_only_48002(app_api: Api) -> None:
    assert app_api.post("user/list_id", {})["errcode"] == 48002


def test_app_visibility_limits_users(emu: Emulator) -> None:
    sales = Api(emu, "app", 1000003)  # visible: department 5 only
    assert sales.get("user/get", userid="wuxia")["errcode"] == 0
    assert sales.get("user/get", userid="lisi")["errcode"] == 60111
    assert sales.get("user/simplelist", department_id=3)["errcode"] == 60011
    members = {u["userid"] for u in sales.get("user/list", department_id=5)["userlist"]}
    assert "wuxia" in members and "lisi" not in members
    mobile = Api(emu, "contacts").get("user/get", userid="lisi")["mobile"]
    assert sales.post("user/getuserid", {"mobile": mobile})["errcode"] == 46004


def test_visibility_follows_changes(emu: Emulator) -> None:
    """A member moved into the app's range becomes visible at once."""
    sales = Api(emu, "app", 1000003)
    contacts = Api(emu, "contacts")
    assert sales.get("user/get", userid="lisi")["errcode"] == 60111
    assert contacts.post("user/update", {"userid": "lisi", "department": [5]})["errcode"] == 0
    assert sales.get("user/get", userid="lisi")["errcode"] == 0


def test_new_userid_only_when_generated_301036(emu: Emulator) -> None:
    api = Api(emu, "contacts")
    body = api.post("user/update", {"userid": "lisi", "new_userid": "lisi2"})
    assert body["errcode"] == 301036
    assert api.get("user/get", userid="lisi2")["errcode"] == 60111
    emu.corp().store("contacts").find_user("lisi").userid_generated = True
    assert api.post("user/update", {"userid": "lisi", "new_userid": "lisi2"})["errcode"] == 0
    assert api.get("user/get", userid="lisi2")["name"] == "李四"
    assert_absent(api, "lisi")
    assert "lisi2" in members_of_tag(api, 1)  # tags follow the rename


def members_of_tag(api: Api, tagid: int) -> set[str]:
    return {u["userid"] for u in api.get("tag/get", tagid=tagid)["userlist"]}


def test_too_many_direct_leaders_60257(contacts_api: Api) -> None:
    leaders = ["zhangwei", "lisi", "wuxia", "luoqing", "songjuan", "fengtao"]
    body = contacts_api.post("user/create", new_user(direct_leader=leaders))
    assert body["errcode"] == 60257
    assert_absent(contacts_api, "xiaoming")


def test_direct_leader_set(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(direct_leader=["lisi"]))["errcode"] == 0
    assert contacts_api.get("user/get", userid="xiaoming")["direct_leader"] == ["lisi"]


def test_biz_mail_invalid_60143_and_duplicate_60145(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(biz_mail="bad"))["errcode"] == 60143
    ok = new_user(
        userid="a1", mobile="13900000011", email=None, biz_mail="a1@demo-corp.example.com"
    )
    assert contacts_api.post("user/create", ok)["errcode"] == 0
    dup = new_user(biz_mail="a1@demo-corp.example.com")
    assert contacts_api.post("user/create", dup)["errcode"] == 60145
    assert_absent(contacts_api, "xiaoming")


def test_position_too_long_301012(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(position="职" * 129))["errcode"] == 301012


def test_telephone_invalid_301013(contacts_api: Api) -> None:
    assert contacts_api.post("user/create", new_user(telephone="call me"))["errcode"] == 301013
    assert_absent(contacts_api, "xiaoming")


def test_admin_console_adds_a_member_seen_by_user_get(emu: Emulator) -> None:
    added = emu.admin(
        "POST",
        "/contacts/users",
        {"userid": "console01", "name": "控制台", "department": [1], "mobile": "13900001234"},
    )
    assert added["userid"] == "console01"
    token = emu.token("contacts")
    got = emu.call("GET", "user/get", params={"access_token": token, "userid": "console01"})
    assert got["errcode"] == 0 and got["name"] == "控制台"
    assert emu.admin("GET", "/contacts/users/console01")["mobile"] == "13900001234"


def test_admin_console_rejects_a_duplicate_member(emu: Emulator) -> None:
    from mock_server.core.admin import AdminError

    body = {"userid": "console02", "name": "重复", "department": [1], "mobile": "13900001235"}
    emu.admin("POST", "/contacts/users", body)
    with pytest.raises(AdminError) as exc:
        emu.admin("POST", "/contacts/users", body)
    assert exc.value.status == 400 and "60102" in exc.value.message
