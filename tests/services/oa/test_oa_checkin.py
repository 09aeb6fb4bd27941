"""Check-in: rules, punches and their records, day and period reports, shifts, faces."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.clock import Clock
from tests.conftest import Api

DAY = 86400
CN = dt.timezone(dt.timedelta(hours=8))
HQ = {"wifiname": "DEMO-Office", "wifimac": "a4:5e:60:00:00:01"}
FAR = {"lat": 23000000, "lng": 114000000, "location_title": "家"}
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"face-one" * 10).decode()


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> int:
    return int(dt.datetime(y, mo, d, h, mi, tzinfo=CN).timestamp())


WED = at(2026, 3, 4)  # a working day of the fixed rule (Mon-Fri 09:00-18:00, 5 min grace)


@pytest.fixture
def emu() -> Emulator:
    """The demo corp on Wednesday 2026-03-04 at 20:00 (after the working day)."""
    return Emulator(clock=Clock(start=WED + 20 * 3600, frozen=True))


@pytest.fixture
def hr(emu: Emulator) -> Api:
    """The demo app 1000004, listed under 打卡 and 审批 (permissions checkin, approval)."""
    return Api(emu, "app", 1000004)


def span(start: int, end: int, *users: str) -> dict[str, Any]:
    return {"starttime": start, "endtime": end, "useridlist": list(users)}


def day_report(hr: Api, day: int, userid: str) -> dict[str, Any]:
    body = hr.post("checkin/getcheckin_daydata", span(day, day, userid))
    assert body["errcode"] == 0, body
    (data,) = body["datas"]
    return data  # type: ignore[no-any-return]


def exceptions(report: dict[str, Any]) -> dict[int, tuple[int, int]]:
    return {e["exception"]: (e["count"], e["duration"]) for e in report["exception_infos"]}


# -- rules ------------------------------------------------------------------------------------
def test_corp_rules_and_the_rule_of_each_member(hr: Api) -> None:
    groups = hr.post("checkin/getcorpcheckinoption")["group"]
    assert [(g["groupid"], g["groupname"], g["grouptype"]) for g in groups] == [
        (1, "总部固定班", 1),
        (2, "销售排班", 2),
    ]
    fixed = groups[0]
    assert fixed["checkindate"][0]["workdays"] == [1, 2, 3, 4, 5]
    assert fixed["checkindate"][0]["checkintime"][0]["work_sec"] == 32400
    assert fixed["wifimac_infos"] == [HQ] and fixed["range"]["party_id"] == ["2", "6", "7"]
    assert groups[1]["schedulelist"][0] == {
        "schedule_id": 0,
        "schedule_name": "休息",
        "time_section": [],
    }
    body = hr.post(
        "checkin/getcheckinoption",
        {"datetime": WED, "useridlist": ["zhangsan", "wuxia", "fengtao"]},
    )
    # fengtao sits in the root department only: no rule, left out.
    assert [(i["userid"], i["group"]["groupid"]) for i in body["info"]] == [
        ("zhangsan", 1),
        ("wuxia", 2),
    ]
    member_view = body["info"][0]["group"]
    assert "range" not in member_view and member_view["checkindate"][0]["flex_time"] == 0


def test_apps_not_listed_under_checkin_get_48002(emu: Emulator) -> None:
    alerts = Api(emu, "app", 1000002)
    assert alerts.post("checkin/getcorpcheckinoption")["errcode"] == 48002
    assert alerts.post("checkin/getcheckindata", {})["errcode"] == 48002
    assert Api(emu, "contacts").post("checkin/getcheckin_daydata", {})["errcode"] == 48002


LIST_ENDPOINTS = [
    "checkin/getcheckinoption",
    "checkin/getcheckindata",
    "checkin/getcheckin_daydata",
    "checkin/getcheckin_monthdata",
    "checkin/getcheckinschedulist",
]


def _valid(name: str, users: list[str]) -> dict[str, Any]:
    if name == "checkin/getcheckinoption":
        return {"datetime": WED, "useridlist": users}
    body = span(WED - 7 * DAY, WED, *users)
    if name == "checkin/getcheckindata":
        body["opencheckindatatype"] = 3
    return body


@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_user_lists_are_1_to_100_known_members(hr: Api, name: str) -> None:
    assert hr.post(name, _valid(name, ["zhangsan"]))["errcode"] == 0
    assert hr.post(name, _valid(name, []))["errcode"] == 301023
    assert hr.post(name, _valid(name, ["zhangsan"] * 101))["errcode"] == 301023
    assert (
        hr.post(name, {**_valid(name, ["zhangsan"]), "useridlist": "zhangsan"})["errcode"] == 301023
    )
    assert hr.post(name, _valid(name, ["zhangsan", "ghost"]))["errcode"] == 301021


def test_members_outside_the_app_visibility_are_301021(emu: Emulator) -> None:
    emu.corp().agents[1000004].allow_party = [5]  # sales only
    narrow = Api(emu, "app", 1000004)
    assert (
        narrow.post("checkin/getcheckindata", _valid("checkin/getcheckindata", ["wuxia"]))[
            "errcode"
        ]
        == 0
    )
    bad = _valid("checkin/getcheckindata", ["zhangsan"])
    assert narrow.post("checkin/getcheckindata", bad)["errcode"] == 301021


def test_time_range_errors(hr: Api) -> None:
    rec = _valid("checkin/getcheckindata", ["zhangsan"])
    assert (
        hr.post("checkin/getcheckindata", {**rec, "endtime": rec["starttime"]})["errcode"] == 301024
    )
    month = {**rec, "starttime": WED - 31 * DAY}
    assert hr.post("checkin/getcheckindata", month)["errcode"] == 301024  # over 30 days
    assert hr.post("checkin/getcheckindata", {**rec, "starttime": "x"})["errcode"] == 301024
    assert hr.post("checkin/getcheckindata", {**rec, "opencheckindatatype": 4})["errcode"] == 40058
    for name in ("checkin/getcheckin_daydata", "checkin/getcheckin_monthdata"):
        assert hr.post(name, span(WED, WED - DAY, "zhangsan"))["errcode"] == 301024
        assert hr.post(name, span(WED - 32 * DAY, WED, "zhangsan"))["errcode"] == 301024
        assert hr.post(name, span(WED, WED, "zhangsan"))["errcode"] == 0  # one day: start == end
    assert hr.post("checkin/getcheckinoption", {"useridlist": ["zhangsan"]})["errcode"] == 301024
    sched = span(WED, WED, "wuxia")  # the shift list needs end after start
    assert hr.post("checkin/getcheckinschedulist", sched)["errcode"] == 301075


# -- punches and records ---------------------------------------------------------------------
def test_punches_become_records_with_types_and_exceptions(emu: Emulator, hr: Api) -> None:
    late = emu.oa.punch("zhangsan", checkin_time=WED + 9 * 3600 + 12 * 60, **HQ)
    assert late["checkin_type"] == "上班打卡" and late["exception_type"] == "时间异常"
    assert late["sch_checkin_time"] == WED + 9 * 3600 and late["groupid"] == 1
    assert late["timeline_id"] == 1 and late["groupname"] == "总部固定班"
    emu.oa.punch("zhangsan", checkin_time=WED + 18 * 3600 + 5 * 60, **HQ)
    emu.oa.punch("zhangsan", checkin_time=WED + 14 * 3600, field=True, location_title="客户现场")
    away = emu.oa.punch("lisi", checkin_time=WED + 8 * 3600 + 50 * 60, **FAR)
    assert away["exception_type"] == "地点异常"
    inside = emu.oa.punch("wangfang", checkin_time=WED + 8 * 3600, lat=22540600, lng=113934600)
    assert inside["exception_type"] == ""  # within the location's 300 m
    body = hr.post(
        "checkin/getcheckindata",
        {**span(WED, WED + DAY, "zhangsan", "lisi"), "opencheckindatatype": 3},
    )
    rows = [(r["userid"], r["checkin_type"], r["exception_type"]) for r in body["checkindata"]]
    assert rows == [
        ("zhangsan", "上班打卡", "时间异常"),
        ("zhangsan", "外出打卡", ""),
        ("zhangsan", "下班打卡", ""),
        ("lisi", "上班打卡", "地点异常"),
        ("lisi", "下班打卡", "未打卡"),  # the 18:00 clock-out never happened
    ]
    missed = body["checkindata"][-1]
    assert missed["checkin_time"] == missed["sch_checkin_time"] == WED + 18 * 3600
    assert missed["wifiname"] == "" and missed["lat"] == 0
    only_field = hr.post(
        "checkin/getcheckindata", {**span(WED, WED + DAY, "zhangsan"), "opencheckindatatype": 2}
    )
    assert [r["checkin_type"] for r in only_field["checkindata"]] == ["外出打卡"]
    clock = hr.post(
        "checkin/getcheckindata", {**span(WED, WED + DAY, "zhangsan"), "opencheckindatatype": 1}
    )
    assert len(clock["checkindata"]) == 2


def test_a_day_not_over_has_no_missing_rows_yet(emu: Emulator) -> None:
    morning = Emulator(clock=Clock(start=WED + 10 * 3600, frozen=True))
    morning.oa.punch("lisi", checkin_time=WED + 8 * 3600 + 55 * 60, **HQ)
    api = Api(morning, "app", 1000004)
    body = api.post(
        "checkin/getcheckindata", {**span(WED, WED + DAY, "lisi"), "opencheckindatatype": 3}
    )
    assert [r["exception_type"] for r in body["checkindata"]] == [""]
    assert exceptions(day_report(api, WED, "lisi")) == {}


def test_day_report_counts_late_early_missing_absent_and_overtime(emu: Emulator, hr: Api) -> None:
    emu.oa.punch("zhangsan", checkin_time=WED + 9 * 3600 + 12 * 60, **HQ)  # 12 minutes late
    emu.oa.punch("zhangsan", checkin_time=WED + 17 * 3600 + 30 * 60, **HQ)  # 30 minutes early
    emu.oa.punch("lisi", checkin_time=WED + 8 * 3600 + 58 * 60, **FAR)  # no clock-out
    emu.oa.punch("chenjing", checkin_time=WED + 8 * 3600 + 40 * 60, **HQ)
    emu.oa.punch("chenjing", checkin_time=WED + 20 * 3600, **HQ)  # two hours after 18:00
    z = day_report(hr, WED, "zhangsan")
    assert exceptions(z) == {1: (1, 720), 2: (1, 1800)}
    assert z["summary_info"] == {
        "checkin_count": 2,
        "regular_work_sec": 32400 - 720 - 1800,
        "standard_work_sec": 32400,
        "earliest_time": 9 * 3600 + 12 * 60,
        "lastest_time": 17 * 3600 + 30 * 60,
    }
    assert z["base_info"]["rule_info"]["checkintime"] == [
        {"work_sec": 32400, "off_work_sec": 64800}
    ]
    assert z["base_info"]["day_type"] == 0 and z["base_info"]["record_type"] == 1
    assert z["base_info"]["departs_name"] == "演示科技有限公司/研发中心/后端组"
    assert exceptions(day_report(hr, WED, "lisi")) == {3: (1, 0), 5: (1, 0)}
    assert exceptions(day_report(hr, WED, "wangfang")) == {4: (1, 32400)}  # no punch at all
    c = day_report(hr, WED, "chenjing")
    assert exceptions(c) == {} and c["ot_info"]["ot_duration"] == 5400  # from 18:30
    assert c["ot_info"]["ot_status"] == 1
    saturday = day_report(hr, at(2026, 3, 7), "wangfang")
    assert saturday["base_info"]["day_type"] == 1 and exceptions(saturday) == {}
    assert saturday["summary_info"]["standard_work_sec"] == 0
    nobody = day_report(hr, WED, "fengtao")
    assert nobody["base_info"]["record_type"] == 7 and exceptions(nobody) == {}


def test_month_report_sums_the_days(emu: Emulator, hr: Api) -> None:
    mon = at(2026, 3, 2)
    for d in range(3):  # Mon-Wed: one late arrival each, of 10, 20, 30 minutes
        emu.oa.punch("zhangsan", checkin_time=mon + d * DAY + 9 * 3600 + (d + 1) * 600, **HQ)
        emu.oa.punch("zhangsan", checkin_time=mon + d * DAY + 18 * 3600, **HQ)
    body = hr.post("checkin/getcheckin_monthdata", span(at(2026, 3, 1), WED, "zhangsan"))
    (month,) = body["datas"]
    assert month["summary_info"] == {
        "work_days": 3,
        "regular_days": 0,
        "rest_days": 1,
        "except_days": 3,
        "regular_work_sec": 3 * 32400 - 600 - 1200 - 1800,
        "standard_work_sec": 3 * 32400,
    }
    assert exceptions(month) == {1: (3, 3600)}
    assert month["base_info"]["rule_info"] == {"groupid": 1, "groupname": "总部固定班"}
    assert "date" not in month["base_info"] and "holidays_over_sec" in month["overwork_info"]


# -- shifts ------------------------------------------------------------------------------------
def test_shift_assignments_future_only_and_used_by_reports(emu: Emulator, hr: Api) -> None:
    body = {
        "groupid": 2,
        "yearmonth": 202603,
        "items": [{"userid": "wuxia", "day": 5, "schedule_id": 2}],
    }
    assert hr.post("checkin/setcheckinschedulist", body)["errcode"] == 0
    got = hr.post("checkin/getcheckinschedulist", span(WED, WED + 2 * DAY, "wuxia", "zhangsan"))
    assert got["schedule_list"] == [
        {
            "userid": "wuxia",
            "yearmonth": 202603,
            "groupid": 2,
            "groupname": "销售排班",
            "schedule": {
                "scheduleList": [
                    {
                        "day": 5,
                        "schedule_info": {
                            "schedule_id": 2,
                            "schedule_name": "晚班",
                            "time_section": [{"id": 1, "work_sec": 46800, "off_work_sec": 79200}],
                        },
                    }
                ]
            },
        }
    ]
    thu = WED + DAY
    emu.advance(DAY)  # Thursday 20:00; the late shift started at 13:00
    rec = emu.oa.punch("wuxia", checkin_time=thu + 13 * 3600 + 20 * 60, lat=22540503, lng=113934528)
    assert rec["sch_checkin_time"] == thu + 13 * 3600 and rec["exception_type"] == "时间异常"
    report = day_report(Api(emu, "app", 1000004), thu, "wuxia")
    assert report["base_info"]["record_type"] == 3
    assert report["base_info"]["rule_info"]["scheduleid"] == 2
    assert report["base_info"]["rule_info"]["schedulename"] == "晚班"
    assert exceptions(report)[1] == (1, 1200)


def test_shift_assignment_errors(hr: Api) -> None:
    ok = {
        "groupid": 2,
        "yearmonth": 202603,
        "items": [{"userid": "wuxia", "day": 6, "schedule_id": 1}],
    }
    assert hr.post("checkin/setcheckinschedulist", {**ok, "groupid": 1})["errcode"] == 301089
    assert hr.post("checkin/setcheckinschedulist", {**ok, "groupid": 99})["errcode"] == 301089
    assert hr.post("checkin/setcheckinschedulist", {**ok, "yearmonth": 202613})["errcode"] == 301075
    bad_day = {**ok, "items": [{"userid": "wuxia", "day": 32, "schedule_id": 1}]}
    assert hr.post("checkin/setcheckinschedulist", bad_day)["errcode"] == 301075
    bad_shift = {**ok, "items": [{"userid": "wuxia", "day": 6, "schedule_id": 7}]}
    assert hr.post("checkin/setcheckinschedulist", bad_shift)["errcode"] == 301075
    assert hr.post("checkin/setcheckinschedulist", {**ok, "items": []})["errcode"] == 301075
    today = {**ok, "items": [{"userid": "wuxia", "day": 4, "schedule_id": 1}]}
    assert hr.post("checkin/setcheckinschedulist", today)["errcode"] == 301073
    other_rule = {**ok, "items": [{"userid": "zhangsan", "day": 6, "schedule_id": 1}]}
    assert hr.post("checkin/setcheckinschedulist", other_rule)["errcode"] == 301021
    # A rejected batch changes nothing, even its valid items.
    mixed = {**ok, "items": [*ok["items"], {"userid": "wuxia", "day": 3, "schedule_id": 1}]}
    assert hr.post("checkin/setcheckinschedulist", mixed)["errcode"] == 301073
    got = hr.post("checkin/getcheckinschedulist", span(WED, WED + 5 * DAY, "wuxia"))
    assert got["schedule_list"] == []


# -- faces -------------------------------------------------------------------------------------
def test_face_enrolment(emu: Emulator, hr: Api) -> None:
    assert (
        hr.post("checkin/addcheckinuserface", {"userid": "zhangsan", "userface": JPEG})["errcode"]
        == 0
    )
    assert (
        hr.post("checkin/addcheckinuserface", {"userid": "ghost", "userface": JPEG})["errcode"]
        == 301069
    )
    for bad in ("", "not base64!", base64.b64encode(b"GIF89a....").decode(), None):
        assert (
            hr.post("checkin/addcheckinuserface", {"userid": "lisi", "userface": bad})["errcode"]
            == 301072
        )
    big = base64.b64encode(b"\xff\xd8\xff" + b"0" * (1024 * 1024)).decode()
    assert (
        hr.post("checkin/addcheckinuserface", {"userid": "lisi", "userface": big})["errcode"]
        == 301072
    )
    same = hr.post("checkin/addcheckinuserface", {"userid": "lisi", "userface": JPEG})
    assert same["errcode"] == 301071
    from mock_server.services.oa.checkin.models import checkin

    faces = checkin(emu.corp()).faces
    assert faces["lisi"] == faces["zhangsan"]  # saved all the same


def test_checkin_rate_limits(emu: Emulator, hr: Api) -> None:
    emu.set_rate_limits(True)
    body = {"userid": "zhangsan", "userface": JPEG}
    codes = [hr.post("checkin/addcheckinuserface", body)["errcode"] for _ in range(11)]
    assert codes == [0] * 10 + [45009]
    daily = span(WED, WED, "zhangsan")
    codes = [hr.post("checkin/getcheckin_daydata", daily)["errcode"] for _ in range(101)]
    assert codes.count(0) == 100 and codes[-1] == 45009
    emu.advance(61)
    hr = Api(emu, "app", 1000004)
    assert hr.post("checkin/getcheckin_daydata", daily)["errcode"] == 0


# -- sandbox over HTTP -----------------------------------------------------------------------
def test_admin_punch_and_generate(emu: Emulator) -> None:
    from mock_server.web.app import create_app

    client = create_app(emu).test_client()
    res = client.post(
        "/__admin/oa/checkin/punch",
        json={"userid": "zhangsan", "checkin_time": WED + 8 * 3600, **HQ},
    )
    assert res.status_code == 200 and res.get_json()["record"]["checkin_type"] == "上班打卡"
    bad = client.post("/__admin/oa/checkin/punch", json={"userid": "ghost"})
    assert bad.status_code == 400
    gen = client.post("/__admin/oa/checkin/generate", json={"year": 2026, "month": 2, "seed": 3})
    assert gen.status_code == 200 and gen.get_json()["punches"] > 500
    assert client.post("/__admin/oa/checkin/generate", json={"year": 2026}).status_code == 400
