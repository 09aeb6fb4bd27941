"""Departments (contacts.md §1): tree rules, each errcode, state seen through later calls."""

from __future__ import annotations

from typing import Any

from mock_server import Emulator
from tests.conftest import Api


def ids(body: dict[str, Any]) -> list[int]:
    return [d["id"] for d in body["department"]]


def test_root_department_is_1(contacts_api: Api) -> None:
    body = contacts_api.get("department/get", id=1)
    assert body["errcode"] == 0
    assert body["department"]["id"] == 1
    assert body["department"]["parentid"] == 0
    assert body["department"]["name"] == "演示科技有限公司"


def test_list_is_depth_first_by_order(contacts_api: Api) -> None:
    body = contacts_api.get("department/list")
    # Siblings by descending order: 研发中心(100) 销售部(70) 人事(60) 财务(50); 后端(90) 前端(80).
    assert ids(body) == [1, 2, 3, 4, 5, 6, 7]
    sub = contacts_api.get("department/list", id=2)
    assert ids(sub) == [2, 3, 4]
    simple = contacts_api.get("department/simplelist", id=2)
    assert simple["department_id"][1] == {"id": 3, "parentid": 2, "order": 90}


def test_department_leader_listed(contacts_api: Api) -> None:
    dept = contacts_api.get("department/get", id=2)["department"]
    assert dept["department_leader"] == ["zhangwei"]
    assert dept["name_en"] == "R&D"


def test_create_shows_in_list_and_order(contacts_api: Api) -> None:
    body = contacts_api.post("department/create", {"name": "测试组", "parentid": 2, "order": 95})
    assert body["errcode"] == 0 and body["errmsg"] == "created"
    new_id = body["id"]
    # order 95 sorts before 后端组 (90) and 前端组 (80): higher order first.
    assert ids(contacts_api.get("department/list", id=2)) == [2, new_id, 3, 4]


def test_create_with_explicit_id(contacts_api: Api) -> None:
    body = contacts_api.post("department/create", {"name": "法务部", "parentid": 1, "id": 40})
    assert body["id"] == 40
    assert contacts_api.get("department/get", id=40)["department"]["name"] == "法务部"


def test_create_duplicate_id_60008(contacts_api: Api) -> None:
    body = contacts_api.post("department/create", {"name": "新部门", "parentid": 1, "id": 5})
    assert body["errcode"] == 60008
    assert contacts_api.get("department/get", id=5)["department"]["name"] == "销售部"


def test_create_duplicate_sibling_name_60008(contacts_api: Api) -> None:
    assert (
        contacts_api.post("department/create", {"name": "后端组", "parentid": 2})["errcode"]
        == 60008
    )
    # Same name under another parent is fine.
    assert contacts_api.post("department/create", {"name": "后端组", "parentid": 5})["errcode"] == 0


def test_create_missing_parent_60004(contacts_api: Api) -> None:
    body = contacts_api.post("department/create", {"name": "孤儿", "parentid": 999})
    assert body["errcode"] == 60004
    assert "孤儿" not in [d["name"] for d in contacts_api.get("department/list")["department"]]


def test_create_empty_name_40058(contacts_api: Api) -> None:
    body = contacts_api.post("department/create", {"name": "", "parentid": 1})
    assert body["errcode"] == 40058
    assert body["errmsg"].startswith("name exceed min utf8 words 1. invalid Request Parameter")


def test_create_name_too_long_60001(contacts_api: Api) -> None:
    body = contacts_api.post("department/create", {"name": "部" * 65, "parentid": 1})
    assert body["errcode"] == 60001
    assert body["errmsg"].startswith("department invalid length")


def test_create_name_en_too_long_40058(contacts_api: Api) -> None:
    body = contacts_api.post("department/create", {"name": "x", "name_en": "a" * 33, "parentid": 1})
    assert body["errcode"] == 40058
    assert body["errmsg"].startswith("name_en exceed max length 32.")


def test_create_illegal_chars_60009(contacts_api: Api) -> None:
    assert (
        contacts_api.post("department/create", {"name": "a:b", "parentid": 1})["errcode"] == 60009
    )


def test_create_too_deep_81002(contacts_api: Api) -> None:
    parent = 1
    for i in range(14):  # root + 14 levels = depth 15, the maximum
        body = contacts_api.post("department/create", {"name": f"L{i}", "parentid": parent})
        assert body["errcode"] == 0, body
        parent = body["id"]
    assert (
        contacts_api.post("department/create", {"name": "too deep", "parentid": parent})["errcode"]
        == 81002
    )


def test_update_changes_name_and_parent(contacts_api: Api) -> None:
    body = contacts_api.post("department/update", {"id": 4, "name": "大前端", "parentid": 1})
    assert body == {"errcode": 0, "errmsg": "updated"}
    dept = contacts_api.get("department/get", id=4)["department"]
    assert dept["name"] == "大前端" and dept["parentid"] == 1
    assert 4 not in ids(contacts_api.get("department/list", id=2))


def test_update_unknown_60003(contacts_api: Api) -> None:
    assert contacts_api.post("department/update", {"id": 999, "name": "x"})["errcode"] == 60003


def test_update_cycle_60010(contacts_api: Api) -> None:
    assert contacts_api.post("department/update", {"id": 2, "parentid": 3})["errcode"] == 60010
    assert contacts_api.get("department/get", id=2)["department"]["parentid"] == 1


def test_update_parent_missing_60004(contacts_api: Api) -> None:
    assert contacts_api.post("department/update", {"id": 3, "parentid": 999})["errcode"] == 60004


def test_delete_with_members_60005(contacts_api: Api) -> None:
    body = contacts_api.get("department/delete", id=3)
    assert body["errcode"] == 60005
    assert contacts_api.get("department/get", id=3)["errcode"] == 0


def test_delete_with_children_60006(contacts_api: Api) -> None:
    assert contacts_api.get("department/delete", id=2)["errcode"] == 60006
    assert contacts_api.get("department/get", id=2)["errcode"] == 0


def test_delete_root_60007(contacts_api: Api) -> None:
    assert contacts_api.get("department/delete", id=1)["errcode"] == 60007


def test_delete_unknown_60003(contacts_api: Api) -> None:
    assert contacts_api.get("department/delete", id=999)["errcode"] == 60003
    assert contacts_api.get("department/get", id=999)["errcode"] == 60003


def test_delete_empty_department(contacts_api: Api) -> None:
    new_id = contacts_api.post("department/create", {"name": "临时", "parentid": 1})["id"]
    assert contacts_api.get("department/delete", id=new_id) == {"errcode": 0, "errmsg": "deleted"}
    assert contacts_api.get("department/get", id=new_id)["errcode"] == 60003


def test_app_secret_cannot_write_departments_48002(app_api: Api) -> None:
    assert app_api.post("department/create", {"name": "x", "parentid": 1})["errcode"] == 48002


def test_limited_app_sees_only_its_range(emu: Emulator) -> None:
    sales = Api(emu, "app", 1000003)  # visible: department 5 only
    assert ids(sales.get("department/list")) == [5]
    assert sales.get("department/get", id=2)["errcode"] == 60011
    assert sales.get("department/list", id=1)["errcode"] == 60011
    assert sales.get("department/get", id=5)["errcode"] == 0
