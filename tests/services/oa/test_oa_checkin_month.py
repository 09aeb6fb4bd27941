"""A generated month for 300 members: the reports' totals, recomputed from the raw records.

The recomputation below only reads ``getcheckindata`` rows (types, times, standard times) and
the rule's published numbers; it shares no code with the emulator's report builder.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.clock import Clock
from mock_server.services.contacts.generate import generate
from mock_server.services.oa.checkin.fixture import generated_rules
from tests.conftest import Api

DAY = 86400
CN = dt.timezone(dt.timedelta(hours=8))
MARCH = int(dt.datetime(2026, 3, 1, tzinfo=CN).timestamp())
APRIL = int(dt.datetime(2026, 4, 1, tzinfo=CN).timestamp())
WORK, OFF, GRACE = 9 * 3600, 18 * 3600, 300
OT_START, OT_MIN, OT_MAX = 1800, 1800, 14400


@pytest.fixture(scope="module")
def month() -> tuple[Emulator, list[str]]:
    doc = generate(300, 10, seed=7)
    generated_rules(doc)
    emu = Emulator([doc], clock=Clock(start=APRIL + 10 * 3600, frozen=True))
    out = emu.oa.generate_checkin_month(2026, 3, seed=11)
    assert out["members"] == 300 and out["punches"] > 300 * 22 * 2 * 0.9
    users = [u["userid"] for u in doc["contacts"]["users"]]
    return emu, users


def batches(users: list[str]) -> list[list[str]]:
    return [users[i : i + 100] for i in range(0, len(users), 100)]


def raw_records(api: Api, users: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for batch in batches(users):
        for start, end in ((MARCH, MARCH + 16 * DAY), (MARCH + 16 * DAY, APRIL - 1)):
            body = api.post(
                "checkin/getcheckindata",
                {"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": batch},
            )
            assert body["errcode"] == 0, body
            rows.extend(body["checkindata"])
    return rows


def recompute(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per member: exceptions, work seconds and overtime from the raw records alone."""
    by_day: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        day = (r["checkin_time"] + 8 * 3600) // DAY * DAY - 8 * 3600
        by_day[(r["userid"], day)].append(r)
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "exc": defaultdict(lambda: [0, 0]),
            "regular": 0,
            "ot": 0,
            "field": 0,
            "days": set(),
        }
    )
    for (userid, day), recs in by_day.items():
        acc = out[userid]
        acc["field"] += sum(1 for r in recs if r["checkin_type"] == "外出打卡")
        clock = [r for r in recs if r["checkin_type"] != "外出打卡"]
        missed = [r for r in clock if "未打卡" in r["exception_type"]]
        if clock and len(missed) == len(clock):
            acc["exc"][4][0] += 1
            acc["exc"][4][1] += OFF - WORK
            acc["days"].add(day)
            continue
        acc["exc"][3][0] += len(missed)
        ins = [
            r["checkin_time"] for r in clock if r["checkin_type"] == "上班打卡" and r not in missed
        ]
        outs = [
            r["checkin_time"] for r in clock if r["checkin_type"] == "下班打卡" and r not in missed
        ]
        if ins and min(ins) > day + WORK + GRACE:
            acc["exc"][1][0] += 1
            acc["exc"][1][1] += min(ins) - (day + WORK)
        if outs and max(outs) < day + OFF:
            acc["exc"][2][0] += 1
            acc["exc"][2][1] += day + OFF - max(outs)
        if ins and outs:
            acc["regular"] += max(0, min(max(outs), day + OFF) - max(min(ins), day + WORK))
        last = max(r["checkin_time"] for r in clock if r not in missed)
        extra = last - (day + OFF + OT_START)
        if extra >= OT_MIN:
            acc["ot"] += min(extra, OT_MAX)
        if any(r["exception_type"] for r in clock) or not ins or not outs:
            acc["days"].add(day)
    return out


def test_month_reports_match_a_recomputation_from_raw_records(
    month: tuple[Emulator, list[str]],
) -> None:
    emu, users = month
    api = Api(emu, "app", 1000002)
    expected = recompute(raw_records(api, users))
    workdays = sum(1 for d in range(31) if dt.date(2026, 3, d + 1).weekday() < 5)
    totals = defaultdict(int)
    for batch in batches(users):
        body = api.post(
            "checkin/getcheckin_monthdata",
            {"starttime": MARCH, "endtime": APRIL - DAY, "useridlist": batch},
        )
        assert body["errcode"] == 0, body
        assert [d["base_info"]["acctid"] for d in body["datas"]] == batch
        for data in body["datas"]:
            want = expected[data["base_info"]["acctid"]]
            got = {e["exception"]: [e["count"], e["duration"]] for e in data["exception_infos"]}
            assert got == {k: v for k, v in want["exc"].items() if v[0]}, data["base_info"]
            summary = data["summary_info"]
            assert summary["work_days"] == workdays and summary["rest_days"] == 31 - workdays
            assert summary["standard_work_sec"] == workdays * (OFF - WORK)
            assert summary["regular_work_sec"] == want["regular"]
            assert summary["except_days"] == len(want["days"])
            assert data["overwork_info"]["workday_over_sec"] == want["ot"]
            field = next(i for i in data["sp_items"] if i["type"] == 100)
            assert field["count"] == want["field"]
            for code, (count, _) in got.items():
                totals[code] += count
    # The generator's mix shows up: every kind of exception happened somewhere.
    assert all(totals[code] > 0 for code in (1, 2, 3, 4)), dict(totals)


def test_day_reports_add_up_to_the_month_report(month: tuple[Emulator, list[str]]) -> None:
    emu, users = month
    api = Api(emu, "app", 1000002)
    batch = users[:100]
    days = api.post(
        "checkin/getcheckin_daydata",
        {"starttime": MARCH, "endtime": APRIL - DAY, "useridlist": batch},
    )["datas"]
    assert len(days) == 100 * 31
    months = api.post(
        "checkin/getcheckin_monthdata",
        {"starttime": MARCH, "endtime": APRIL - DAY, "useridlist": batch},
    )["datas"]
    summed: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    work: dict[str, int] = defaultdict(int)
    for d in days:
        acct = d["base_info"]["acctid"]
        work[acct] += d["summary_info"]["regular_work_sec"]
        for e in d["exception_infos"]:
            summed[acct][e["exception"]][0] += e["count"]
            summed[acct][e["exception"]][1] += e["duration"]
    for m in months:
        acct = m["base_info"]["acctid"]
        got = {e["exception"]: [e["count"], e["duration"]] for e in m["exception_infos"]}
        assert got == dict(summed[acct])
        assert m["summary_info"]["regular_work_sec"] == work[acct]
