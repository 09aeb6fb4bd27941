"""Vacation: leave types, balances in seconds, and an approved leave in quota and reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.clock import Clock
from mock_server.services.oa.vacation import models as vm
from tests.conftest import Api

DAY = 86400
CN = dt.timezone(dt.timedelta(hours=8))
LEAVE = "3WLJF6naF5jhnXvwisuPmE85wVMYcy2ghxLRr5Af"
HQ = {"wifiname": "DEMO-Office", "wifimac": "a4:5e:60:00:00:01"}


def at(y: int, mo: int, d: int, h: int = 0) -> int:
    return int(dt.datetime(y, mo, d, h, tzinfo=CN).timestamp())


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(start=at(2026, 3, 6, 10), frozen=True))  # Friday morning


@pytest.fixture
def hr(emu: Emulator) -> Api:
    return Api(emu, "app", 1000004)


def quota(api: Api, userid: str) -> dict[int, dict[str, Any]]:
    body = api.post("oa/vacation/getuservacationquota", {"userid": userid})
    assert body["errcode"] == 0, body
    return {row["id"]: row for row in body["lists"]}


def test_corp_conf_by_get_and_post(emu: Emulator, hr: Api) -> None:
    got = hr.get("oa/vacation/getcorpconf")
    assert got["errcode"] == 0 and hr.post("oa/vacation/getcorpconf") == got
    names = [(t["id"], t["name"], t["time_attr"]) for t in got["lists"]]
    assert names == [(1, "年假", 0), (2, "事假", 1), (3, "病假", 0), (4, "调休假", 1)]
    annual = got["lists"][0]
    assert (
        annual["quota_attr"]["autoreset_duration"] == 432000 and annual["perday_duration"] == 28800
    )
    assert Api(emu, "approval").get("oa/vacation/getcorpconf")["errcode"] == 0
    assert Api(emu, "app", 1000002).get("oa/vacation/getcorpconf")["errcode"] == 48002


def test_balances_and_overwrite(emu: Emulator, hr: Api) -> None:
    z = quota(hr, "zhangsan")
    assert z[1] == {
        "id": 1,
        "assignduration": 864000,
        "usedduration": 0,
        "leftduration": 864000,
        "vacationname": "年假",
        "real_assignduration": 864000,
    }
    assert quota(hr, "lisi")[1]["leftduration"] == 432000  # the yearly grant of the type
    before = emu.state_fingerprint()
    assert quota(hr, "wangfang")[2]["leftduration"] == 0
    assert emu.state_fingerprint() == before  # reading does not create balances
    body = {"userid": "lisi", "vacation_id": 1, "leftduration": 3 * DAY + 8640, "time_attr": 0}
    assert hr.post("oa/vacation/setoneuserquota", {**body, "remarks": "补发"})["errcode"] == 0
    assert quota(hr, "lisi")[1]["leftduration"] == 3 * DAY + 8640
    hours = {"userid": "lisi", "vacation_id": 2, "leftduration": 7200 + 360, "time_attr": 1}
    assert hr.post("oa/vacation/setoneuserquota", hours)["errcode"] == 0
    assert quota(hr, "lisi")[2]["leftduration"] == 7560


def test_vacation_errcodes(emu: Emulator, hr: Api) -> None:
    assert hr.post("oa/vacation/getuservacationquota", {"userid": "ghost"})["errcode"] == 301063
    assert hr.post("oa/vacation/getuservacationquota", {})["errcode"] == 301063
    ok = {"userid": "lisi", "vacation_id": 1, "leftduration": DAY, "time_attr": 0}
    fingerprint = emu.state_fingerprint()
    for bad in (
        {"time_attr": 1},  # not the type's granularity
        {"leftduration": DAY + 1},  # not a multiple of 0.1 day
        {"leftduration": 1001 * DAY},
        {"leftduration": -8640},
        {"vacation_id": 9},
        {"userid": "ghost"},
        {"remarks": "x" * 201},
    ):
        assert hr.post("oa/vacation/setoneuserquota", {**ok, **bad})["errcode"] == 301063, bad
    hourly = {"userid": "lisi", "vacation_id": 2, "leftduration": 3000, "time_attr": 1}
    assert hr.post("oa/vacation/setoneuserquota", hourly)["errcode"] == 301063  # 0.1 h = 360 s
    vm.vacation(emu.corp()).ranges[3] = ["zhangsan"]  # sick leave applies to zhangsan only
    sick = {"userid": "lisi", "vacation_id": 3, "leftduration": DAY, "time_attr": 0}
    assert hr.post("oa/vacation/setoneuserquota", sick)["errcode"] == 301098
    vm.vacation(emu.corp()).ranges.pop(3)
    assert emu.state_fingerprint() == fingerprint
    alerts = Api(emu, "app", 1000002)
    assert alerts.post("oa/vacation/getuservacationquota", {"userid": "lisi"})["errcode"] == 48002
    assert alerts.post("oa/vacation/setoneuserquota", ok)["errcode"] == 48002


def leave_body(begin: int, days: int, vacation_id: int = 1) -> dict[str, Any]:
    return {
        "creator_userid": "zhangsan",
        "template_id": LEAVE,
        "use_template_approver": 1,
        "apply_data": {
            "contents": [
                {
                    "control": "Vacation",
                    "id": "Vacation-1563270927474",
                    "value": {
                        "vacation": {
                            "selector": {"type": "single", "options": [{"key": str(vacation_id)}]},
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
                {
                    "control": "Textarea",
                    "id": "Textarea-1563270927475",
                    "value": {"text": "回老家"},
                },
            ]
        },
        "summary_list": [{"summary_info": [{"text": "年假2天", "lang": "zh_CN"}]}],
    }


def test_an_approved_two_day_leave_in_quota_day_and_month_reports(emu: Emulator, hr: Api) -> None:
    mon, _tue, wed = at(2026, 3, 9), at(2026, 3, 10), at(2026, 3, 11)
    sp_no = hr.post("oa/applyevent", leave_body(mon, 2))["sp_no"]
    assert quota(hr, "zhangsan")[1]["usedduration"] == 0  # pending: nothing deducted yet
    emu.approve(sp_no, "lisi")
    emu.approve(sp_no, "zhangwei")
    q = quota(hr, "zhangsan")[1]
    assert (q["usedduration"], q["leftduration"]) == (2 * DAY, 864000 - 2 * DAY)
    # The week goes by: zhangsan works Wednesday, on leave Monday and Tuesday.
    emu.advance(7 * DAY)
    emu.oa.punch("zhangsan", checkin_time=wed + 8 * 3600 + 50 * 60, **HQ)
    emu.oa.punch("zhangsan", checkin_time=wed + 18 * 3600 + 10 * 60, **HQ)
    hr = Api(emu, "app", 1000004)
    days = hr.post(
        "checkin/getcheckin_daydata", {"starttime": mon, "endtime": wed, "useridlist": ["zhangsan"]}
    )
    monday, tuesday, wednesday = days["datas"]
    for report in (monday, tuesday):
        assert report["exception_infos"] == []  # on leave, not absent
        leave = [i for i in report["sp_items"] if i["type"] == 1]
        assert leave == [
            {
                "type": 1,
                "vacation_id": 1,
                "count": 1,
                "duration": DAY,
                "time_type": 0,
                "name": "年假",
            }
        ]
        (info,) = report["holiday_infos"]
        assert info["sp_number"] == sp_no
        assert info["sp_title"]["data"][0]["text"] == "年假2天"
        assert info["sp_description"]["data"][0]["text"] == "03/09 00:00~03/11 00:00"
    assert wednesday["holiday_infos"] == [] and wednesday["exception_infos"] == []
    month = hr.post(
        "checkin/getcheckin_monthdata",
        {"starttime": at(2026, 3, 9), "endtime": at(2026, 3, 13), "useridlist": ["zhangsan"]},
    )["datas"][0]
    leave = [i for i in month["sp_items"] if i["type"] == 1]
    assert leave == [
        {
            "type": 1,
            "vacation_id": 1,
            "count": 2,
            "duration": 2 * DAY,
            "time_type": 0,
            "name": "年假",
        }
    ]
    # Thursday without punches is an absence; on Friday at 10:00 only the 09:00 clock-in
    # is missed so far. Monday and Tuesday (leave) are neither.
    assert [(e["exception"], e["count"]) for e in month["exception_infos"]] == [(3, 1), (4, 1)]
    assert month["summary_info"]["work_days"] == 5 and month["summary_info"]["regular_days"] == 1
    # Revoked after approval: the days come back.
    emu.revoke_approval(sp_no)
    assert quota(hr, "zhangsan")[1]["leftduration"] == 864000


def test_hourly_leave_counts_working_seconds(emu: Emulator, hr: Api) -> None:
    thu = at(2026, 3, 12)
    body = leave_body(thu + 14 * 3600, 0, vacation_id=2)
    dr = body["apply_data"]["contents"][0]["value"]["vacation"]["attendance"]["date_range"]
    dr.update(type="hour", new_end=thu + 16 * 3600, new_duration=7200)
    sp_no = hr.post("oa/applyevent", body)["sp_no"]
    emu.approve(sp_no, "chenjing")
    emu.approve(sp_no, "zhangwei")
    assert quota(hr, "zhangsan")[2]["usedduration"] == 7200
    report = hr.post(
        "checkin/getcheckin_daydata", {"starttime": thu, "endtime": thu, "useridlist": ["zhangsan"]}
    )["datas"][0]
    assert next(i for i in report["sp_items"] if i["type"] == 1)["duration"] == 7200
    assert next(i for i in report["sp_items"] if i["type"] == 1)["time_type"] == 1


def test_errmsg_headers_never_carry_line_breaks(emu: Emulator, hr: Api) -> None:
    from mock_server.web.app import create_app

    res = (
        create_app(emu)
        .test_client()
        .post(
            f"/cgi-bin/oa/vacation/getuservacationquota?access_token={hr.token}",
            json={"userid": "a\nb\r"},
        )
    )
    assert res.status_code == 200 and res.get_json()["errcode"] == 301063
    assert "\n" not in res.headers["Error-Msg"] and "\r" not in res.headers["Error-Msg"]
