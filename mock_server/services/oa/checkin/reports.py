"""Derived views of the punches: raw records, day reports, period (month) reports.

Everything here is a pure function of the rules, shift assignments, punches and approved
leave requests. Exception codes: 1 late, 2 early leave, 3 missing punch, 4 absent (a working
day without any punch and without leave), 5 location exception.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.checkin import models as m
from mock_server.services.oa.vacation import models as vm

LATE, EARLY, MISSING, ABSENT, PLACE = 1, 2, 3, 4, 5
RECORD_TYPE = {m.FIXED: 1, m.SHIFT: 3, m.FREE: 4}
NO_RULE = 7
FIELD_ITEM = {"type": 100, "vacation_id": 0, "time_type": 0, "name": "外出次数"}


@dataclass
class DayResult:
    """One member's day, computed once and shown by the records and both reports."""

    day: int
    rule: dict[str, Any] | None
    plan: m.Plan
    matched: list[m.Matched]
    missing: list[tuple[int, str, int]] = field(default_factory=list)  # (sch, type, time_id)
    exceptions: dict[int, list[int]] = field(default_factory=dict)  # code -> [count, duration]
    regular_sec: int = 0
    ot_sec: int = 0
    leaves: list[tuple[vm.Leave, int]] = field(default_factory=list)  # (leave, seconds)

    @property
    def workday(self) -> bool:
        return self.rule is not None and self.plan.workday


class Context:
    """Per-request caches: rule membership and approved leaves."""

    def __init__(self, corp: Corp) -> None:
        self.corp = corp
        self.rules = m.checkin(corp).rules
        self.rule_of = m.rule_map(corp)
        self.leaves = vm.approved_leaves(corp)
        self.now = corp.clock.time()

    def day(self, user_key: str, day: int) -> DayResult:
        gid = self.rule_of.get(user_key)
        rule = self.rules.get(gid) if gid is not None else None
        punches = m.punches_between(self.corp, user_key, day, day + m.DAY)
        if rule is None:
            plan = m.Plan(False)
            matched = [m.Matched(p, m.FIELD if p.get("field") else m.CLOCK_IN) for p in punches]
            return DayResult(day, None, plan, matched)
        plan = m.plan_for(self.corp, rule, user_key, day)
        res = DayResult(day, rule, plan, m.classify(rule, plan, day, punches))
        leaves = [
            lv for lv in self.leaves.get(user_key, []) if lv.begin < day + m.DAY and day < lv.end
        ]
        _leave_seconds(res, leaves)
        _exceptions(res, leaves, self.now)
        _overtime(res)
        return res


def _covered(t: int, leaves: list[vm.Leave]) -> bool:
    return any(lv.begin <= t <= lv.end for lv in leaves)


def _leave_seconds(res: DayResult, leaves: list[vm.Leave]) -> None:
    """Seconds of each leave on this day: days as 86400 x the share of the working time
    covered (half days count), hours as the covered working seconds."""
    if not res.workday:
        return
    day = res.day
    for lv in leaves:
        if res.plan.sections:
            covered = sum(
                max(0, min(lv.end, day + off) - max(lv.begin, day + on))
                for _, on, off in res.plan.sections
            )
            standard = res.plan.standard_sec
        else:
            covered = max(0, min(lv.end, day + m.DAY) - max(lv.begin, day))
            standard = m.DAY
        if covered <= 0:
            continue
        if lv.time_attr == vm.BY_DAY:
            share = covered / standard if standard else 1.0
            seconds = m.DAY if share > 0.5 else m.DAY // 2
        else:
            seconds = covered
        res.leaves.append((lv, seconds))


def _add(res: DayResult, code: int, duration: int = 0) -> None:
    row = res.exceptions.setdefault(code, [0, 0])
    row[0] += 1
    row[1] += duration


def _exceptions(res: DayResult, leaves: list[vm.Leave], now: int) -> None:
    plan, day = res.plan, res.day
    normal = [x for x in res.matched if x.checkin_type in (m.CLOCK_IN, m.CLOCK_OUT)]
    for x in res.matched:
        if m.PLACE_EXC in x.exceptions:
            _add(res, PLACE)
    if not res.workday or not plan.sections:
        if len(normal) >= 2:
            res.regular_sec = normal[-1].punch["checkin_time"] - normal[0].punch["checkin_time"]
        return
    flex_on, flex_off = m.flex(res.rule or {})
    closed = [
        (day + sec, kind, tid)
        for tid, on, off in plan.sections
        for sec, kind in ((on, m.CLOCK_IN), (off, m.CLOCK_OUT))
        if day + sec <= now and not _covered(day + sec, leaves)
    ]
    if not normal and closed and len(closed) == 2 * len(plan.sections):
        _add(res, ABSENT, plan.standard_sec)
        res.missing = closed
        return
    for tid, on, off in plan.sections:
        ins = [
            x.punch["checkin_time"]
            for x in normal
            if x.time_id == tid and x.checkin_type == m.CLOCK_IN
        ]
        outs = [
            x.punch["checkin_time"]
            for x in normal
            if x.time_id == tid and x.checkin_type == m.CLOCK_OUT
        ]
        t_in, t_out = (min(ins) if ins else None), (max(outs) if outs else None)
        for sch, kind, t in ((day + on, m.CLOCK_IN, t_in), (day + off, m.CLOCK_OUT, t_out)):
            if t is None:
                if (sch, kind, tid) in closed:
                    _add(res, MISSING)
                    res.missing.append((sch, kind, tid))
            elif kind == m.CLOCK_IN and t > sch + flex_on:
                _add(res, LATE, t - sch)
            elif kind == m.CLOCK_OUT and t < sch - flex_off:
                _add(res, EARLY, sch - t)
        if t_in is not None and t_out is not None:
            res.regular_sec += max(0, min(t_out, day + off) - max(t_in, day + on))


def _overtime(res: DayResult) -> None:
    """Punch-based overtime (ot_info.type 1 semantics): after clock-out time + start on
    working days, first to last punch on days off; counted when >= min, capped at max."""
    ot = (res.rule or {}).get("ot_info", {})
    chk = ot.get("otcheckinfo", {})
    times = [x.punch["checkin_time"] for x in res.matched if x.checkin_type != m.FIELD]
    if not times:
        return
    if res.workday and res.plan.sections and ot.get("allow_ot_workingday"):
        last_off = res.day + max(off for _, _, off in res.plan.sections)
        start = last_off + chk.get("ot_workingday_time_start", 0)
        sec = max(times) - start if max(times) > start else 0
        lo, hi = chk.get("ot_workingday_time_min", 0), chk.get("ot_workingday_time_max", 86400)
    elif not res.workday and ot.get("allow_ot_nonworkingday") and len(times) >= 2:
        sec = max(times) - min(times)
        lo, hi = (
            chk.get("ot_nonworkingday_time_min", 0),
            chk.get("ot_nonworkingday_time_max", 86400),
        )
    else:
        return
    res.ot_sec = min(sec, hi) if sec >= lo and sec > 0 else 0


# -- views -------------------------------------------------------------------------------------
def record(userid: str, rule: dict[str, Any] | None, x: m.Matched) -> dict[str, Any]:
    p = x.punch
    return {
        "userid": userid,
        "groupname": rule["groupname"] if rule else "",
        "checkin_type": x.checkin_type,
        "exception_type": ";".join(x.exceptions),
        "checkin_time": p["checkin_time"],
        "location_title": p.get("location_title", ""),
        "location_detail": p.get("location_detail", ""),
        "wifiname": p.get("wifiname", ""),
        "notes": p.get("notes", ""),
        "wifimac": p.get("wifimac", ""),
        "mediaids": list(p.get("mediaids", [])),
        "lat": p.get("lat", 0),
        "lng": p.get("lng", 0),
        "deviceid": p.get("deviceid", ""),
        "sch_checkin_time": x.sch,
        "groupid": rule["groupid"] if rule else 0,
        "schedule_id": 0,
        "timeline_id": x.time_id,
    }


def records(res: DayResult, userid: str) -> list[dict[str, Any]]:
    """Raw punches plus a 未打卡 record for every missed clock-in/out time (standard time)."""
    out = [record(userid, res.rule, x) for x in res.matched]
    for sch, kind, tid in res.missing:
        out.append(
            record(userid, res.rule, m.Matched({"checkin_time": sch}, kind, sch, tid, [m.MISSING]))
        )
    for r in out:
        r["schedule_id"] = res.plan.schedule_id
    out.sort(key=lambda r: r["checkin_time"])
    return out


def departs_name(corp: Corp, user: cm.User) -> str:
    store = cm.contacts(corp)
    paths = []
    for d in user.department:
        names = []
        dep = store.departments.get(d)
        while dep is not None:
            names.append(dep.name)
            dep = store.departments.get(dep.parentid) if dep.parentid else None
        paths.append("/".join(reversed(names)))
    return ";".join(paths)


def _base(corp: Corp, user: cm.User, rule: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "record_type": RECORD_TYPE[rule["grouptype"]] if rule else NO_RULE,
        "name": user.name,
        "name_ex": user.alias,
        "departs_name": departs_name(corp, user),
        "acctid": user.userid,
    }


def _sp_items(res_list: list[DayResult]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sp_items, holiday_infos) summed over days."""
    by_type: dict[int, dict[str, Any]] = {}
    infos: dict[str, dict[str, Any]] = {}
    fields = 0
    for res in res_list:
        fields += sum(1 for x in res.matched if x.checkin_type == m.FIELD)
        for lv, seconds in res.leaves:
            row = by_type.setdefault(
                lv.vac_id,
                {"type": 1, "vacation_id": lv.vac_id, "count": 0, "duration": 0,
                 "time_type": lv.time_attr, "name": lv.name},
            )  # fmt: skip
            row["count"] += 1
            row["duration"] += seconds
            infos.setdefault(lv.sp_no, _holiday_info(lv))
    items = [by_type[k] for k in sorted(by_type)]
    items.append({**FIELD_ITEM, "count": fields, "duration": 0})
    return items, list(infos.values())


def _fmt(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts + m.CN_OFFSET, dt.UTC).strftime("%m/%d %H:%M")


def _holiday_info(lv: vm.Leave) -> dict[str, Any]:
    if lv.time_attr == vm.BY_DAY:
        amount = f"{lv.duration / m.DAY:g}天"
    else:
        amount = f"{lv.duration / 3600:g}小时"
    return {
        "sp_number": lv.sp_no,
        "sp_title": {"data": [{"lang": "zh_CN", "text": f"{lv.name or '请假'}{amount}"}]},
        "sp_description": {"data": [{"lang": "zh_CN", "text": f"{_fmt(lv.begin)}~{_fmt(lv.end)}"}]},
    }


def _exception_infos(res_list: list[DayResult]) -> list[dict[str, Any]]:
    total: dict[int, list[int]] = {}
    for res in res_list:
        for code, (count, duration) in res.exceptions.items():
            row = total.setdefault(code, [0, 0])
            row[0] += count
            row[1] += duration
    return [{"exception": c, "count": n, "duration": d} for c, (n, d) in sorted(total.items())]


def day_report(corp: Corp, user: cm.User, res: DayResult) -> dict[str, Any]:
    rule = res.rule
    times = [x.punch["checkin_time"] - res.day for x in res.matched]
    rule_info: dict[str, Any] = {
        "groupid": 0,
        "groupname": "",
        "scheduleid": 0,
        "schedulename": "",
        "checkintime": [],
    }
    if rule:
        rule_info.update(groupid=rule["groupid"], groupname=rule["groupname"])
        rule_info.update(scheduleid=res.plan.schedule_id, schedulename=res.plan.schedule_name)
        if res.workday:
            rule_info["checkintime"] = [
                {"work_sec": on, "off_work_sec": off} for _, on, off in res.plan.sections
            ]
    items, infos = _sp_items([res])
    return {
        "base_info": {
            "date": res.day,
            **_base(corp, user, rule),
            "rule_info": rule_info,
            "day_type": 0 if res.workday else 1,
        },
        "summary_info": {
            "checkin_count": len(res.matched),
            "regular_work_sec": res.regular_sec,
            "standard_work_sec": res.plan.standard_sec if res.workday else 0,
            "earliest_time": min(times) if times else 0,
            "lastest_time": max(times) if times else 0,
        },
        "holiday_infos": infos,
        "exception_infos": _exception_infos([res]),
        "ot_info": {"ot_status": 1 if res.ot_sec else 0, "ot_duration": res.ot_sec, "exception_duration": []},
        "sp_items": items,
    }  # fmt: skip


def month_report(corp: Corp, user: cm.User, days: list[DayResult]) -> dict[str, Any]:
    rule = next((d.rule for d in days if d.rule), None)
    work = [d for d in days if d.workday]
    excepted = [d for d in work if d.exceptions]
    regular = [d for d in work if not d.exceptions and d.matched]
    items, _ = _sp_items(days)
    wk_ot = sum(d.ot_sec for d in work)
    rest_ot = sum(d.ot_sec for d in days if not d.workday)
    return {
        "base_info": {
            **_base(corp, user, rule),
            "rule_info": {"groupid": rule["groupid"], "groupname": rule["groupname"]} if rule else {"groupid": 0, "groupname": ""},
        },
        "summary_info": {
            "work_days": len(work),
            "regular_days": len(regular),
            "rest_days": len(days) - len(work),
            "except_days": len(excepted),
            "regular_work_sec": sum(d.regular_sec for d in days),
            "standard_work_sec": sum(d.plan.standard_sec for d in work),
        },
        "exception_infos": _exception_infos(days),
        "sp_items": items,
        "overwork_info": {
            "workday_over_sec": wk_ot, "holidays_over_sec": 0, "restdays_over_sec": rest_ot,
            "workdays_over_as_vacation": 0, "workdays_over_as_money": wk_ot,
            "restdays_over_as_vacation": 0, "restdays_over_as_money": rest_ot,
            "holidays_over_as_vacation": 0, "holidays_over_as_money": 0,
        },
    }  # fmt: skip
