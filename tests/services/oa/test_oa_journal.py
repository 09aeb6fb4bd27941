"""Journals: reports submitted in the sandbox, listed, read and counted per cycle."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mock_server import Emulator
from mock_server.clock import Clock
from tests.conftest import Api

CN = dt.timezone(dt.timedelta(hours=8))
DAILY = "8Kq3vZt1NwPbR7xYcD2mLs5HjF9gUe4aT6nBk3Qy"  # 研发日报: department 3, to zhangwei
WEEKLY = "3TfP9xLm2QsVw7KzR4bN8cYd6HjE1uGa5oWi9eZr"
MON = int(dt.datetime(2026, 3, 2, tzinfo=CN).timestamp())
DAY = 86400


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(start=MON + 2 * DAY + 10 * 3600, frozen=True))  # Wed 10:00


@pytest.fixture
def hr(emu: Emulator) -> Api:
    return Api(emu, "app", 1000004)


def report(emu: Emulator, userid: str, at: int, text: str = "完成接口联调") -> str:
    info = emu.oa.submit_journal(
        userid, DAILY, [{"title": "今日工作", "text": text}], report_time=at
    )
    return str(info["journal_uuid"])


def test_submit_list_and_detail(emu: Emulator, hr: Api) -> None:
    a = report(emu, "zhangsan", MON + 18 * 3600)
    b = report(emu, "lisi", MON + 19 * 3600)
    c = report(emu, "zhangsan", MON + DAY + 18 * 3600)
    window = {"starttime": MON, "endtime": MON + 3 * DAY, "cursor": 0, "limit": 2}
    page = hr.post("oa/journal/get_record_list", window)
    assert page["journaluuid_list"] == [a, b] and page["next_cursor"] == 2 and page["endflag"] == 0
    rest = hr.post("oa/journal/get_record_list", {**window, "cursor": 2})
    assert rest["journaluuid_list"] == [c] and rest["endflag"] == 1
    mine = {**window, "limit": 100, "filters": [{"key": "creator", "value": "zhangsan"}]}
    assert hr.post("oa/journal/get_record_list", mine)["journaluuid_list"] == [a, c]
    by_dept = {**window, "limit": 100, "filters": [{"key": "department", "value": "2"}]}
    assert hr.post("oa/journal/get_record_list", by_dept)["journaluuid_list"] == [a, b, c]
    other = {**window, "limit": 100, "filters": [{"key": "template_id", "value": WEEKLY}]}
    assert hr.post("oa/journal/get_record_list", other)["journaluuid_list"] == []
    emu.oa.comment_journal(a, "zhangwei", "收到")
    info = hr.post("oa/journal/get_record_detail", {"journaluuid": a})["info"]
    assert info["journal_uuid"] == a and info["template_name"] == "研发日报"
    assert info["submitter"] == {"userid": "zhangsan"} and info["receivers"] == [
        {"userid": "zhangwei"}
    ]
    assert info["readed_receivers"] == [{"userid": "zhangwei"}]
    content = info["apply_data"]["contents"][0]
    assert content["control"] == "Text" and content["value"]["text"] == "完成接口联调"
    (comment,) = info["comments"]
    assert comment["comment_userinfo"] == {"userid": "zhangwei"}
    assert isinstance(comment["commentid"], int) and comment["commentid"] > 2**53


def test_comment_ids_are_raw_64_bit_numbers_on_the_wire(emu: Emulator, hr: Api) -> None:
    from mock_server.web.app import create_app

    a = report(emu, "zhangsan", MON + 18 * 3600)
    emu.oa.comment_journal(a, "zhangwei", "好")
    res = (
        create_app(emu)
        .test_client()
        .post(
            f"/cgi-bin/oa/journal/get_record_detail?access_token={hr.token}",
            json={"journaluuid": a},
        )
    )
    raw = res.get_data(as_text=True)
    commentid = json.loads(raw)["info"]["comments"][0]["commentid"]
    assert f'"commentid":{commentid}' in raw  # an integer, not a float or a string


def test_journal_errcodes(emu: Emulator, hr: Api) -> None:
    ok = {"starttime": MON, "endtime": MON + DAY, "cursor": 0, "limit": 10}
    for bad in (
        {"endtime": MON},
        {"endtime": MON + 32 * DAY},
        {"limit": 101},
        {"limit": 0},
        {"cursor": -1},
        {"starttime": "x"},
        {"filters": [{"key": "color", "value": "x"}]},
        {"filters": [{"key": "creator", "value": 1}]},
        {"filters": [{"key": "creator", "value": "x" * 257}]},
    ):
        assert hr.post("oa/journal/get_record_list", {**ok, **bad})["errcode"] == 301066, bad
    assert hr.post("oa/journal/get_record_detail", {})["errcode"] == 301066
    assert hr.post("oa/journal/get_record_detail", {"journaluuid": "nope"})["errcode"] == 301084
    stat = {"template_id": DAILY, "starttime": MON, "endtime": MON + DAY}
    assert hr.post("oa/journal/get_stat_list", {**stat, "template_id": "nope"})["errcode"] == 301066
    assert (
        hr.post("oa/journal/get_stat_list", {**stat, "endtime": MON + 367 * DAY})["errcode"]
        == 301066
    )
    assert Api(emu, "app", 1000002).post("oa/journal/get_record_list", ok)["errcode"] == 48002


def test_stat_list_counts_completed_cycles(emu: Emulator, hr: Api) -> None:
    a = report(emu, "zhangsan", MON + 18 * 3600)
    report(emu, "zhangsan", MON + 2 * DAY + 9 * 3600)  # today: the cycle is not over
    body = hr.post(
        "oa/journal/get_stat_list",
        {"template_id": DAILY, "starttime": MON, "endtime": MON + 3 * DAY},
    )
    stats = body["stat_list"]
    assert [(s["cycle_begin_time"], s["cycle_end_time"]) for s in stats] == [
        (MON, MON + DAY),
        (MON + DAY, MON + 2 * DAY),
    ]
    monday = stats[0]
    assert monday["report_type"] == 2 and monday["template_name"] == "研发日报"
    assert monday["report_list"] == [
        {
            "user": {"userid": "zhangsan"},
            "itemlist": [{"journaluuid": a, "reporttime": MON + 18 * 3600, "flag": 0}],
        }
    ]
    missing = [u["user"]["userid"] for u in monday["unreport_list"]]
    assert "lisi" in missing and "zhangsan" not in missing
    assert monday["report_range"]["party_list"] == [{"open_partyid": "3"}]
    assert stats[1]["report_list"] == []


def test_admin_submit(emu: Emulator) -> None:
    from mock_server.web.app import create_app

    client = create_app(emu).test_client()
    ok = client.post(
        "/__admin/oa/journals",
        json={
            "userid": "zhangsan",
            "template_id": DAILY,
            "contents": [{"title": "今日", "text": "x"}],
        },
    )
    assert ok.status_code == 200 and len(ok.get_json()["info"]["journal_uuid"]) == 64
    assert (
        client.post(
            "/__admin/oa/journals", json={"userid": "zhangsan", "template_id": DAILY}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/__admin/oa/journals",
            json={"userid": "ghost", "template_id": DAILY, "contents": [{"text": "x"}]},
        ).status_code
        == 400
    )
