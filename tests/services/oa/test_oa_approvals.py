"""Approvals: templates, applyevent validation, the state machine, list window, detail, events."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.messaging.media.models import add_media
from mock_server.services.oa.approvals import ApprovalActionError
from tests.conftest import Api

LEAVE = "3WLJF6naF5jhnXvwisuPmE85wVMYcy2ghxLRr5Af"
EXPENSE = "C4NwEqqnGJ2qLkKaWNxjHWJ1UYF1s8aXqCFpPEZ8"
PURCHASE = "BsAfmMGj8uvY5xXPjEuQ2dGrJpAPsBr1jbrN2xB2"
GENERAL = "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa"
SUMMARY = [{"summary_info": [{"text": "年假3天", "lang": "zh_CN"}]}]
DAY = 86400


@pytest.fixture
def oa_api(emu: Emulator) -> Api:
    """The demo approval app 1000004 (listed under 审批 -> 可调用接口的应用)."""
    return Api(emu, "app", 1000004)


def leave_contents(begin: int = 1_800_000_000, days: int = 3) -> list[dict[str, Any]]:
    return [
        {
            "control": "Vacation",
            "id": "Vacation-1563270927474",
            "value": {
                "vacation": {
                    "selector": {"type": "single", "options": [{"key": "1"}]},
                    "attendance": {
                        "date_range": {
                            "type": "halfday",
                            "new_begin": begin,
                            "new_end": begin + days * DAY,
                            "new_duration": days * DAY,
                        },
                        "type": 1,
                    },
                }
            },
        },
        {"control": "Textarea", "id": "Textarea-1563270927475", "value": {"text": "回老家"}},
        {
            "control": "Contact",
            "id": "Contact-1563270927476",
            "value": {"members": [{"userid": "wangfang", "name": "王芳"}]},
        },
    ]


def leave_body(**over: Any) -> dict[str, Any]:
    body = {
        "creator_userid": "zhangsan",
        "template_id": LEAVE,
        "use_template_approver": 1,
        "apply_data": {"contents": leave_contents()},
        "summary_list": SUMMARY,
    }
    body.update(over)
    return body


def general_body(text: Any = "申请外出", **over: Any) -> dict[str, Any]:
    body = {
        "creator_userid": "zhangsan",
        "template_id": GENERAL,
        "use_template_approver": 1,
        "apply_data": {
            "contents": [{"control": "Text", "id": "Text-1580000000001", "value": {"text": text}}]
        },
        "summary_list": SUMMARY,
    }
    body.update(over)
    return body


def count(emu: Emulator) -> int:
    return len(emu.approvals())


# -- access ---------------------------------------------------------------------------------
def test_template_detail_has_controls_of_every_type(oa_api: Api) -> None:
    body = oa_api.post("oa/gettemplatedetail", {"template_id": EXPENSE})
    assert body["errcode"] == 0
    assert body["template_names"] == [{"text": "报销", "lang": "zh_CN"}]
    controls = body["template_content"]["controls"]
    kinds = [c["property"]["control"] for c in controls]
    assert kinds == ["Selector", "Money", "Table", "File", "Textarea"]
    table = controls[2]["config"]["table"]["children"]
    assert table[0]["property"]["id"] == "Date-1569573760855"
    assert controls[0]["config"]["selector"]["options"][0]["key"] == "option-1569573760850"


def test_template_unknown_is_301025(oa_api: Api) -> None:
    assert oa_api.post("oa/gettemplatedetail", {"template_id": "nope"})["errcode"] == 301025
    assert oa_api.post("oa/gettemplatedetail", {})["errcode"] == 301025


def test_app_without_approval_permission_gets_48002(emu: Emulator) -> None:
    other = Api(emu, "app", 1000002)
    assert other.post("oa/gettemplatedetail", {"template_id": LEAVE})["errcode"] == 48002
    assert Api(emu, "contacts").post("oa/applyevent", leave_body())["errcode"] == 48002


def test_approval_system_secret_may_call(emu: Emulator) -> None:
    body = Api(emu, "approval").post("oa/gettemplatedetail", {"template_id": LEAVE})
    assert body["errcode"] == 0


# -- applyevent validation (each errcode) ---------------------------------------------------
def test_apply_returns_sp_no_in_real_format(emu: Emulator, oa_api: Api) -> None:
    first = oa_api.post("oa/applyevent", leave_body())
    second = oa_api.post("oa/applyevent", general_body())
    assert first["errcode"] == 0, first
    import datetime as dt

    day = dt.datetime.fromtimestamp(emu.clock.time(), dt.timezone(dt.timedelta(hours=8)))
    assert first["sp_no"] == day.strftime("%Y%m%d") + "0001"
    assert second["sp_no"] == day.strftime("%Y%m%d") + "0002"


@pytest.mark.parametrize(
    "change",
    [
        {"template_id": "unknown-template"},
        {"creator_userid": "nobody"},
        {"use_template_approver": 5},
        {"use_template_approver": 0},  # no approver / process
        {"summary_list": []},
        {"apply_data": {"contents": leave_contents()[1:]}},  # required Vacation missing
        {
            "apply_data": {
                "contents": [
                    *leave_contents(),
                    {"control": "Text", "id": "Text-1", "value": {"text": "x"}},
                ]
            }
        },
        {
            "apply_data": {
                "contents": [{**leave_contents()[1], "value": {"text": 3}}, leave_contents()[0]]
            }
        },
        {
            "apply_data": {
                "contents": [{**leave_contents()[1], "control": "Text"}, leave_contents()[0]]
            }
        },
        {"approver": [{"attr": 1, "userid": ["ghost"]}], "use_template_approver": 0},
        {
            "notifyer": ["ghost"],
            "use_template_approver": 0,
            "approver": [{"attr": 1, "userid": ["lisi"]}],
        },
        {
            "process": {"node_list": [{"type": 1, "apv_rel": 9, "userid": ["lisi"]}]},
            "use_template_approver": 0,
        },
    ],
    ids=[
        "unknown-template",
        "creator-not-a-user",
        "bad-approver-mode",
        "mode-0-without-approver",
        "empty-summary",
        "missing-required-control",
        "unknown-control-id",
        "wrong-value-shape",
        "wrong-control-type",
        "approver-not-a-user",
        "notifyer-not-a-user",
        "bad-apv-rel",
    ],
)
def test_apply_parameter_errors_are_301025(
    emu: Emulator, oa_api: Api, change: dict[str, Any]
) -> None:
    body = oa_api.post("oa/applyevent", leave_body(**change))
    assert body["errcode"] == 301025, body
    assert count(emu) == 0


def test_numeric_values_must_be_strings(emu: Emulator, oa_api: Api) -> None:
    contents = [
        {"control": "Text", "id": "Text-1572340001001", "value": {"text": "显示器"}},
        {"control": "Number", "id": "Number-1572340001002", "value": {"new_number": 2}},
        {"control": "Money", "id": "Money-1572340001003", "value": {"new_money": "3000.00"}},
    ]
    bad = oa_api.post(
        "oa/applyevent", leave_body(template_id=PURCHASE, apply_data={"contents": contents})
    )
    assert bad["errcode"] == 301025
    contents[1]["value"] = {"new_number": "2"}
    ok = oa_api.post(
        "oa/applyevent", leave_body(template_id=PURCHASE, apply_data={"contents": contents})
    )
    assert ok["errcode"] == 0, ok
    info = oa_api.post("oa/getapprovaldetail", {"sp_no": ok["sp_no"]})["info"]
    values = {c["id"]: c["value"] for c in info["apply_data"]["contents"]}
    assert values["Number-1572340001002"]["new_number"] == "2"
    assert values["Money-1572340001003"]["new_money"] == "3000.00"
    assert values["Text-1572340001001"]["files"] == []  # the detail's empty containers


def test_creator_outside_app_visibility_is_301055(emu: Emulator) -> None:
    emu.corp().agents[1000004].allow_party = [5]  # the app now sees the sales department only
    api = Api(emu, "app", 1000004)
    assert api.post("oa/applyevent", leave_body())["errcode"] == 301055
    assert count(emu) == 0


def test_file_control_needs_live_media_40007(emu: Emulator, oa_api: Api) -> None:
    contents = leave_contents()
    contents.append(
        {"control": "File", "id": "File-1563270927477", "value": {"files": [{"file_id": "3nope"}]}}
    )
    assert (
        oa_api.post("oa/applyevent", leave_body(apply_data={"contents": contents}))["errcode"]
        == 40007
    )
    media = add_media(emu.corp(), type="file", data=b"%PDF-1.4 demo")
    contents[-1]["value"] = {"files": [{"file_id": media.media_id}]}
    ok = oa_api.post("oa/applyevent", leave_body(apply_data={"contents": contents}))
    assert ok["errcode"] == 0, ok


def test_more_than_six_files_is_301025(emu: Emulator, oa_api: Api) -> None:
    ids = [add_media(emu.corp(), type="file", data=b"x").media_id for _ in range(7)]
    contents = [
        *leave_contents(),
        {
            "control": "File",
            "id": "File-1563270927477",
            "value": {"files": [{"file_id": i} for i in ids]},
        },
    ]
    assert (
        oa_api.post("oa/applyevent", leave_body(apply_data={"contents": contents}))["errcode"]
        == 301025
    )


def test_overlapping_leave_is_301079(emu: Emulator, oa_api: Api) -> None:
    assert oa_api.post("oa/applyevent", leave_body())["errcode"] == 0
    again = leave_body(apply_data={"contents": leave_contents(begin=1_800_000_000 + DAY)})
    assert oa_api.post("oa/applyevent", again)["errcode"] == 301079
    later = leave_body(apply_data={"contents": leave_contents(begin=1_800_000_000 + 10 * DAY)})
    assert oa_api.post("oa/applyevent", later)["errcode"] == 0
    assert count(emu) == 2


def test_expense_with_table_and_selector(emu: Emulator, oa_api: Api) -> None:
    media = add_media(emu.corp(), type="file", data=b"invoice")
    row = {
        "list": [
            {
                "control": "Date",
                "id": "Date-1569573760855",
                "value": {"date": {"type": "day", "s_timestamp": "1800000000"}},
            },
            {"control": "Text", "id": "Text-1569573760856", "value": {"text": "高铁票"}},
            {"control": "Money", "id": "Money-1569573760857", "value": {"new_money": "553.50"}},
        ]
    }
    contents = [
        {
            "control": "Selector",
            "id": "Selector-1569573760849",
            "value": {"selector": {"type": "single", "options": [{"key": "option-1569573760850"}]}},
        },
        {"control": "Money", "id": "Money-1569573760853", "value": {"new_money": "553.50"}},
        {"control": "Table", "id": "Table-1569573760854", "value": {"children": [row]}},
        {
            "control": "File",
            "id": "File-1569573760858",
            "value": {"files": [{"file_id": media.media_id}]},
        },
    ]
    body = leave_body(
        template_id=EXPENSE, creator_userid="xuqiang", apply_data={"contents": contents}
    )
    ok = oa_api.post("oa/applyevent", body)
    assert ok["errcode"] == 0, ok
    info = oa_api.post("oa/getapprovaldetail", {"sp_no": ok["sp_no"]})["info"]
    sel = info["apply_data"]["contents"][0]["value"]["selector"]
    assert sel["options"][0]["value"] == [{"text": "差旅费", "lang": "zh_CN"}]
    assert info["applyer"] == {"userid": "xuqiang", "partyid": "5"}
    assert [r["approverattr"] for r in info["sp_record"]] == [1, 2]
    # A row missing a sub-control is rejected.
    row["list"].pop()
    assert oa_api.post("oa/applyevent", body)["errcode"] == 301025


def test_legacy_approver_and_process_shapes(emu: Emulator, oa_api: Api) -> None:
    legacy = general_body(
        use_template_approver=0,
        approver=[{"attr": 2, "userid": ["lisi", "zhangwei"]}],
        notifyer=["luoqing"],
        notify_type=1,
    )
    sp1 = oa_api.post("oa/applyevent", legacy)["sp_no"]
    info = emu.approval(sp1)
    assert info["sp_record"][0]["approverattr"] == 2  # legacy attr 2 = countersign
    assert info["notifyer"] == [{"userid": "luoqing"}]
    process = general_body(
        use_template_approver=0,
        process={
            "node_list": [
                {"type": 1, "apv_rel": 2, "userid": ["lisi", "zhangwei"]},
                {"type": 2, "userid": ["hanxue"]},
            ]
        },
    )
    sp2 = oa_api.post("oa/applyevent", process)["sp_no"]
    info2 = emu.approval(sp2)
    assert info2["sp_record"][0]["approverattr"] == 1  # new apv_rel 2 = or-sign
    assert info2["process_list"]["node_list"][0]["apv_rel"] == 2
    assert info2["notifyer"] == [{"userid": "hanxue"}]


# -- the state machine ----------------------------------------------------------------------
def test_full_round_apply_two_levels_detail_list_and_event(wecom: Emulator) -> None:
    """A wechatpy client submits; lisi then zhangwei approve in the sandbox."""
    from wechatpy.enterprise import WeChatClient

    corp = wecom.corp()
    client = WeChatClient(corp.corpid, corp.agents[1000004].secret)
    start = wecom.clock.time()
    res = client.OA.apply_event("zhangsan", LEAVE, 1, None, {"contents": leave_contents()}, SUMMARY)
    sp_no = res["sp_no"]
    assert wecom.approval(sp_no)["sp_status"] == 1
    wecom.advance(60)
    wecom.approve(sp_no, "lisi", speech="同意")
    mid = client.OA.get_approval_detail(sp_no)["info"]
    assert mid["sp_status"] == 1
    assert mid["sp_record"][0]["sp_status"] == 2
    assert mid["sp_record"][0]["details"][0]["speech"] == "同意"
    assert mid["sp_record"][1]["sp_status"] == 1
    with pytest.raises(ApprovalActionError):
        wecom.approve(sp_no, "chenjing")  # level 1 is done (或签)
    wecom.advance(60)
    wecom.approve(sp_no, "zhangwei")
    info = client.OA.get_approval_detail(sp_no)["info"]
    assert info["sp_status"] == 2
    assert [r["sp_status"] for r in info["sp_record"]] == [2, 2]
    assert info["sp_record"][1]["details"][0]["sptime"] == start + 120
    assert info["applyer"] == {"userid": "zhangsan", "partyid": "3"}
    assert info["notifyer"] == [{"userid": "luoqing"}]
    listed = client.OA.get_approval_info(start - 10, start + 3600, 0)
    assert listed["sp_no_list"] == [sp_no]
    assert "next_cursor" not in listed
    events = wecom.events.history("sys_approval_change")
    assert [e.data["ApprovalInfo"]["StatuChangeEvent"] for e in events] == [1, 2, 2]
    last = events[-1].data
    assert last["AgentID"] == 3010040
    ai = last["ApprovalInfo"]
    assert ai["SpNoStr"] == sp_no and ai["SpNo"] == int(sp_no)
    assert ai["SpStatus"] == 2 and ai["TemplateId"] == LEAVE and ai["SpName"] == "请假"
    assert ai["Applyer"] == {"UserId": "zhangsan", "Party": "3"}
    assert ai["SpRecord"][1]["Details"][0]["Approver"] == {"UserId": "zhangwei"}
    assert ai["Notifyer"] == [{"UserId": "luoqing"}]
    assert events[0].source == "api" and events[0].actor_agentid == 1000004
    assert events[-1].source == "sandbox"


def test_countersign_needs_everyone(emu: Emulator, oa_api: Api) -> None:
    body = general_body(
        use_template_approver=0, approver=[{"attr": 2, "userid": ["lisi", "zhangwei"]}]
    )
    sp = oa_api.post("oa/applyevent", body)["sp_no"]
    emu.approve(sp, "zhangwei")
    assert emu.approval(sp)["sp_status"] == 1
    emu.approve(sp, "lisi")
    assert emu.approval(sp)["sp_status"] == 2


def test_reject_revoke_and_comment(emu: Emulator, oa_api: Api) -> None:
    sp = oa_api.post("oa/applyevent", general_body())["sp_no"]
    emu.comment_approval(sp, "hanxue", "请补充说明")
    emu.reject(sp, "fengtao", speech="不批")
    info = oa_api.post("oa/getapprovaldetail", {"sp_no": sp})["info"]
    assert info["sp_status"] == 3
    assert info["comments"][0]["commentUserInfo"] == {"userid": "hanxue"}
    assert isinstance(info["comments"][0]["commentid"], str)
    with pytest.raises(ApprovalActionError):
        emu.revoke_approval(sp)
    sp2 = oa_api.post("oa/applyevent", general_body("另一件事"))["sp_no"]
    with pytest.raises(ApprovalActionError):
        emu.revoke_approval(sp2, userid="lisi")  # only the applicant
    assert emu.revoke_approval(sp2, userid="zhangsan")["sp_status"] == 4
    sp3 = oa_api.post("oa/applyevent", general_body("第三件"))["sp_no"]
    emu.approve(sp3, "fengtao")
    assert emu.revoke_approval(sp3)["sp_status"] == 6
    changes = [
        e.data["ApprovalInfo"]["StatuChangeEvent"]
        for e in emu.events.history("sys_approval_change")
    ]
    assert changes == [1, 10, 3, 1, 6, 1, 2, 8]


def test_sandbox_over_admin_api(emu: Emulator, oa_api: Api) -> None:
    from mock_server.web.app import create_app

    sp = oa_api.post("oa/applyevent", general_body())["sp_no"]
    client = create_app(emu).test_client()
    bad = client.post(f"/__admin/oa/approvals/{sp}/approve", json={"userid": "lisi"})
    assert bad.status_code == 400 and "not a pending approver" in bad.get_json()["error"]
    ok = client.post(
        f"/__admin/oa/approvals/{sp}/approve", json={"userid": "fengtao", "speech": "ok"}
    )
    assert ok.status_code == 200 and ok.get_json()["info"]["sp_status"] == 2
    assert client.get(f"/__admin/oa/approvals/{sp}").get_json()["info"]["sp_status"] == 2
    listed = client.get("/__admin/oa/approvals?sp_status=2").get_json()["approvals"]
    assert [a["sp_no"] for a in listed] == [sp]
    assert client.get("/__admin/oa/approvals?sp_status=1").get_json()["approvals"] == []
    assert client.get("/__admin/oa/approvals/1").status_code == 404
    assert client.post("/__admin/oa/approvals/1/approve", json={"userid": "x"}).status_code == 400


# -- getapprovalinfo / getapprovaldetail ------------------------------------------------------
def test_list_window_rules(oa_api: Api, emu: Emulator) -> None:
    now = emu.clock.time()
    assert (
        oa_api.post(
            "oa/getapprovalinfo", {"starttime": now, "endtime": now, "new_cursor": "", "size": 10}
        )["errcode"]
        == 301025
    )
    too_wide = {"starttime": str(now), "endtime": str(now + 32 * DAY), "new_cursor": "", "size": 10}
    assert oa_api.post("oa/getapprovalinfo", too_wide)["errcode"] == 301112
    assert oa_api.post("oa/getapprovalinfo", {"endtime": now})["errcode"] == 301025
    bad_cursor = {"starttime": now - 10, "endtime": now + 10, "new_cursor": "garbage!", "size": 10}
    assert oa_api.post("oa/getapprovalinfo", bad_cursor)["errcode"] == 301025


def test_list_paging_new_and_legacy_cursor_and_filters(emu: Emulator, oa_api: Api) -> None:
    now = emu.clock.time()
    sps = []
    for i in range(5):
        emu.advance(1)
        sps.append(oa_api.post("oa/applyevent", general_body(f"事项{i}"))["sp_no"])
    emu.approve(sps[0], "fengtao")
    window = {"starttime": str(now - 5), "endtime": str(now + 100)}
    page1 = oa_api.post("oa/getapprovalinfo", {**window, "new_cursor": "", "size": 2})
    assert page1["sp_no_list"] == sps[:2] and page1["new_next_cursor"]
    page2 = oa_api.post(
        "oa/getapprovalinfo", {**window, "new_cursor": page1["new_next_cursor"], "size": 2}
    )
    page3 = oa_api.post(
        "oa/getapprovalinfo", {**window, "new_cursor": page2["new_next_cursor"], "size": 2}
    )
    assert page2["sp_no_list"] == sps[2:4] and page3["sp_no_list"] == sps[4:]
    assert "new_next_cursor" not in page3
    legacy = oa_api.post("oa/getapprovalinfo", {**window, "cursor": 0, "size": 3})
    assert legacy["next_cursor"] == 3 and "new_next_cursor" not in legacy
    big = oa_api.post("oa/getapprovalinfo", {**window, "new_cursor": "", "size": 500})
    assert big["errcode"] == 0 and len(big["sp_no_list"]) == 5
    approved = oa_api.post(
        "oa/getapprovalinfo",
        {**window, "new_cursor": "", "size": 100, "filters": [{"key": "sp_status", "value": "2"}]},
    )
    assert approved["sp_no_list"] == [sps[0]]
    by_dept = {
        **window,
        "new_cursor": "",
        "size": 100,
        "filters": [{"key": "department", "value": "5"}],
    }
    assert oa_api.post("oa/getapprovalinfo", by_dept)["sp_no_list"] == []
    by_type = {
        **window,
        "new_cursor": "",
        "size": 100,
        "filters": [{"key": "record_type", "value": "1"}],
    }
    assert oa_api.post("oa/getapprovalinfo", by_type)["sp_no_list"] == []
    by_creator = {
        **window,
        "new_cursor": "",
        "filters": [
            {"key": "creator", "value": "zhangsan"},
            {"key": "template_id", "value": GENERAL},
        ],
    }
    assert oa_api.post("oa/getapprovalinfo", by_creator)["sp_no_list"] == sps
    bad_key = {**window, "new_cursor": "", "filters": [{"key": "color", "value": "x"}]}
    assert oa_api.post("oa/getapprovalinfo", bad_key)["errcode"] == 301025


def test_detail_unknown_and_invisible(emu: Emulator, oa_api: Api) -> None:
    assert oa_api.post("oa/getapprovaldetail", {"sp_no": "202001010001"})["errcode"] == 301025
    sp = oa_api.post("oa/applyevent", general_body())["sp_no"]
    assert oa_api.post("oa/getapprovaldetail", {"sp_no": int(sp)})["errcode"] == 0
    emu.corp().agents[1000004].allow_party = [5]
    narrow = Api(emu, "app", 1000004)
    assert narrow.post("oa/getapprovaldetail", {"sp_no": sp})["errcode"] == 301055


def test_integer_filter_value_is_301025_with_the_json_warning(oa_api: Api) -> None:
    now = 1_800_000_000
    window = {"starttime": now - DAY, "endtime": now, "new_cursor": ""}
    body = oa_api.post(
        "oa/getapprovalinfo", {**window, "filters": [{"key": "sp_status", "value": 2}]}
    )
    assert body["errcode"] == 301025
    assert body["errmsg"].startswith("Warning: wrong json format. get approval param error")
    ok = oa_api.post(
        "oa/getapprovalinfo", {**window, "filters": [{"key": "sp_status", "value": "2"}]}
    )
    assert ok["errcode"] == 0


def test_approval_errmsgs_are_the_real_texts(emu: Emulator, oa_api: Api) -> None:
    unknown = oa_api.post("oa/gettemplatedetail", {"template_id": "nope"})
    assert unknown["errmsg"].startswith("get approval param error:")
    sp = oa_api.post("oa/applyevent", general_body())["sp_no"]
    emu.corp().agents[1000004].allow_party = [5]
    narrow = Api(emu, "app", 1000004)
    denied = narrow.post("oa/getapprovaldetail", {"sp_no": sp})
    assert denied["errcode"] == 301055
    assert denied["errmsg"].startswith("no approval auth, hint: [")
    assert narrow.post("oa/applyevent", leave_body())["errmsg"].startswith("no approval auth, ")
