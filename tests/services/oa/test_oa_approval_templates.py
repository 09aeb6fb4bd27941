"""Approval templates by API (create/update) and the legacy corp/getapprovaldata export."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.oa.store import oa
from tests.conftest import Api
from tests.services.oa.test_oa_approvals import LEAVE, general_body, leave_body

DAY = 86400


@pytest.fixture
def oa_api(emu: Emulator) -> Api:
    return Api(emu, "app", 1000004)


def template(name: str = "设备申领", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "template_name": [{"text": name, "lang": "zh_CN"}],
        "template_content": {
            "controls": [
                {
                    "property": {"control": "Selector", "id": "Selector-01", "title": [{"text": "设备类型", "lang": "zh_CN"}], "require": 1},
                    "config": {"selector": {"type": "single", "options": [
                        {"key": "option-1", "value": {"text": "笔记本", "lang": "zh_CN"}},
                        {"key": "option-2", "value": {"text": "显示器", "lang": "zh_CN"}}]}},
                },
                {"property": {"control": "Textarea", "id": "Textarea-01", "title": [{"text": "用途说明", "lang": "zh_CN"}]}, "config": {}},
            ]
        },
    }  # fmt: skip
    body.update(over)
    return body


def test_created_template_shows_in_gettemplatedetail_and_takes_applications(oa_api: Api) -> None:
    res = oa_api.post("oa/approval/create_template", template())
    assert res["errcode"] == 0 and len(res["template_id"]) == 40
    detail = oa_api.post("oa/gettemplatedetail", {"template_id": res["template_id"]})
    assert detail["template_names"] == [{"text": "设备申领", "lang": "zh_CN"}]
    options = detail["template_content"]["controls"][0]["config"]["selector"]["options"]
    assert options[0] == {
        "key": "option-1",
        "value": [{"text": "笔记本", "lang": "zh_CN"}],
    }  # array out
    apply = {
        "creator_userid": "zhangsan", "template_id": res["template_id"], "use_template_approver": 0,
        "approver": [{"attr": 1, "userid": ["lisi"]}],
        "apply_data": {"contents": [{"control": "Selector", "id": "Selector-01",
                                     "value": {"selector": {"type": "single", "options": [{"key": "option-2"}]}}}]},
        "summary_list": [{"summary_info": [{"text": "显示器", "lang": "zh_CN"}]}],
    }  # fmt: skip
    assert oa_api.post("oa/applyevent", apply)["errcode"] == 0
    upd = template("设备申领（新）", template_id=res["template_id"])
    assert oa_api.post("oa/approval/update_template", upd)["errcode"] == 0
    detail = oa_api.post("oa/gettemplatedetail", {"template_id": res["template_id"]})
    assert detail["template_names"][0]["text"] == "设备申领（新）"


def test_template_errcodes(emu: Emulator, oa_api: Api) -> None:
    before = emu.state_fingerprint()
    controls = template()["template_content"]["controls"]
    vacation = {
        "property": {
            "control": "Vacation",
            "id": "Vacation-01",
            "title": [{"text": "假期", "lang": "zh_CN"}],
            "require": 1,
        }
    }
    attendance = {"property": {"control": "Attendance", "id": "Attendance-01", "title": [{"text": "外出", "lang": "zh_CN"}], "require": 1},
                  "config": {"attendance": {"type": 4, "date_range": {"type": "hour"}}}}  # fmt: skip
    for bad in (
        {"template_name": []},
        {"template_name": [{"text": "x" * 41, "lang": "zh_CN"}]},
        {"template_name": [{"text": "请假", "lang": "zh_CN"}]},  # name taken
        {"template_content": {"controls": []}},
        {"template_content": {"controls": [controls[0], controls[0]]}},  # repeated id
        {
            "template_content": {
                "controls": [
                    {**controls[1], "property": {**controls[1]["property"], "control": "Nope"}}
                ]
            }
        },
        {"template_content": {"controls": [vacation, attendance]}},  # one attendance-type control
        {
            "template_content": {
                "controls": [{**vacation, "property": {**vacation["property"], "require": 0}}]
            }
        },
        {
            "template_content": {
                "controls": [
                    {
                        "property": controls[0]["property"],
                        "config": {
                            "selector": {
                                "type": "single",
                                "options": [{"key": "a", "value": [{"text": "x"}]}],
                            }
                        },
                    }
                ]
            }
        },
    ):
        assert oa_api.post("oa/approval/create_template", template(**bad))["errcode"] == 301086, bad
    assert emu.state_fingerprint() == before
    assert (
        oa_api.post(
            "oa/approval/create_template", template(template_content={"controls": [vacation]})
        )["errcode"]
        == 0
    )
    # Fixture (console-made) templates and other apps' templates cannot be updated.
    assert (
        oa_api.post("oa/approval/update_template", template("X", template_id=LEAVE))["errcode"]
        == 301088
    )
    assert (
        oa_api.post("oa/approval/update_template", template("X", template_id="nope"))["errcode"]
        == 301025
    )
    mine = oa_api.post("oa/approval/create_template", template("领用"))["template_id"]
    assert (
        Api(emu, "approval").post("oa/approval/update_template", template("Y", template_id=mine))[
            "errcode"
        ]
        == 301088
    )
    oa(emu.corp()).templates[mine].custom_print = True
    assert (
        oa_api.post("oa/approval/update_template", template("Z", template_id=mine))["errcode"]
        == 301115
    )
    assert (
        Api(emu, "app", 1000002).post("oa/approval/create_template", template("W"))["errcode"]
        == 48002
    )


def test_template_limit(emu: Emulator, oa_api: Api) -> None:
    from mock_server.services.oa import approval_templates as at
    from mock_server.services.oa.store import Template

    store = oa(emu.corp())
    for i in range(at.MAX_TEMPLATES - len(store.templates)):
        store.templates[f"T{i}"] = Template(f"T{i}", f"模板{i}", [])
    assert oa_api.post("oa/approval/create_template", template())["errcode"] == 301087


def test_legacy_getapprovaldata_empty_window(emu: Emulator, oa_api: Api) -> None:
    """No approval in the window: an empty page and no next_spnum (the answer conforms to
    its schema, which the contract check at teardown verifies)."""
    body = oa_api.post("corp/getapprovaldata", {"starttime": 63, "endtime": 60950})
    assert body == {"errcode": 0, "errmsg": "ok", "count": 0, "total": 0, "data": []}


def test_legacy_getapprovaldata(emu: Emulator, oa_api: Api) -> None:
    now = emu.clock.time()
    sp_leave = oa_api.post("oa/applyevent", leave_body())["sp_no"]
    sp_general = oa_api.post("oa/applyevent", general_body())["sp_no"]
    emu.approve(sp_leave, "lisi")
    body = oa_api.post("corp/getapprovaldata", {"starttime": now - DAY, "endtime": now + 60})
    assert body["errcode"] == 0 and body["count"] == 2 and body["total"] == 2
    first, second = body["data"]
    assert first["sp_num"] == int(sp_leave) and isinstance(first["sp_num"], int)
    assert (
        first["spname"] == "请假"
        and first["apply_user_id"] == "zhangsan"
        and first["apply_name"] == "张三"
    )
    assert first["approval_name"] == ["李四", "陈静", "张伟"] and first["notify_name"] == ["罗清"]
    assert first["leave"]["leave_type"] == 1 and first["leave"]["duration"] == 72
    assert first["leave"]["reason"] == "回老家"
    data = json.loads(first["comm"]["apply_data"])
    assert data[0]["type"] == "Vacation" and data[1] == {
        "id": "Textarea-1563270927475",
        "type": "Textarea",
        "title": "请假事由",
        "value": "回老家",
    }
    assert "leave" not in second and second["sp_num"] == int(sp_general)
    paged = oa_api.post(
        "corp/getapprovaldata",
        {"starttime": now - DAY, "endtime": now + 60, "next_spnum": int(sp_general)},
    )
    assert [d["sp_num"] for d in paged["data"]] == [int(sp_general)] and paged["total"] == 2
    for bad in ({"endtime": now - DAY}, {"endtime": now + 31 * DAY}, {"starttime": "x"}):
        assert (
            oa_api.post("corp/getapprovaldata", {"starttime": now - DAY, "endtime": now, **bad})[
                "errcode"
            ]
            == 301025
        )
    assert Api(emu, "app", 1000002).post("corp/getapprovaldata", {})["errcode"] == 48002
