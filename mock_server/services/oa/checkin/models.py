"""Check-in (打卡) state and rules: rules, shift assignments, punches, faces; no HTTP.

Times of day are seconds after local (China, UTC+8) midnight; a "day" is the unix time of
its local 00:00. Coordinates are integers (degrees x 1e6). Which slot a punch belongs to,
and when it is late, is an emulator choice (WeCom does not publish its algorithm): a punch
goes to the nearest clock-in/clock-out time of the member's plan for that day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm

CN_OFFSET = 8 * 3600
DAY = 86400
FIXED, SHIFT, FREE = 1, 2, 3
CLOCK_IN, CLOCK_OUT, FIELD = "上班打卡", "下班打卡", "外出打卡"
TIME_EXC, PLACE_EXC, MISSING = "时间异常", "地点异常", "未打卡"


@dataclass
class CheckinStore:
    """Per corp. Rules are kept in the ``getcorpcheckinoption`` shape (plain dicts)."""

    rules: dict[int, dict[str, Any]] = field(default_factory=dict)
    # userid key -> {"YYYYMMDD": schedule_id} (排班 of shift rules)
    schedules: dict[str, dict[str, int]] = field(default_factory=dict)
    # userid key -> punches sorted by checkin_time (raw, as submitted)
    punches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faces: dict[str, str] = field(default_factory=dict)  # userid key -> image digest


def checkin(corp: Corp) -> CheckinStore:
    return corp.store("checkin")


# -- days ----------------------------------------------------------------------------------
def day_of(ts: int) -> int:
    """Local 00:00 of the day holding ``ts``."""
    return (ts + CN_OFFSET) // DAY * DAY - CN_OFFSET


def day_key(day: int) -> str:
    return dt.datetime.fromtimestamp(day + CN_OFFSET, dt.UTC).strftime("%Y%m%d")


def day_from_key(key: str) -> int:
    d = dt.datetime.strptime(key, "%Y%m%d").replace(tzinfo=dt.UTC)
    return int(d.timestamp()) - CN_OFFSET


def weekday(day: int) -> int:
    """0 = Sunday ... 6 = Saturday, as the rules' ``workdays``."""
    return (dt.datetime.fromtimestamp(day + CN_OFFSET, dt.UTC).weekday() + 1) % 7


# -- rules -----------------------------------------------------------------------------------
def rule_members(corp: Corp, rule: dict[str, Any]) -> set[str]:
    """User keys a rule applies to: its range (departments with their subtrees) minus white_users."""
    store = cm.contacts(corp)
    rng = rule.get("range", {})
    out: set[str] = set()
    for u in rng.get("userid", []):
        user = store.find_user(u)
        if user is not None:
            out.add(user.key)
    depts: set[int] = set()
    for p in rng.get("party_id", []):
        if str(p).isdecimal() and int(p) in store.departments:
            depts.update(store.subtree(int(p)))
    if depts:
        out.update(u.key for u in store.users.values() if depts.intersection(u.department))
    for t in rng.get("tagid", []):
        tag = store.tags.get(int(t)) if str(t).isdecimal() else None
        if tag is None:
            continue
        out.update(tag.users)
        tag_depts = {d for p in tag.parties if p in store.departments for d in store.subtree(p)}
        out.update(u.key for u in store.users.values() if tag_depts.intersection(u.department))
    out.difference_update(u.lower() for u in rule.get("white_users", []))
    return out


def rule_map(corp: Corp) -> dict[str, int]:
    """User key -> groupid of the rule in force (a member is in at most one rule)."""
    out: dict[str, int] = {}
    for gid in sorted(checkin(corp).rules):
        for key in rule_members(corp, checkin(corp).rules[gid]):
            out.setdefault(key, gid)
    return out


@dataclass
class Plan:
    """What a member's rule asks of one day."""

    workday: bool
    # (time_id, work_sec, off_work_sec)
    sections: list[tuple[int, int, int]] = field(default_factory=list)
    schedule_id: int = 0
    schedule_name: str = ""

    @property
    def standard_sec(self) -> int:
        return sum(off - on for _, on, off in self.sections) if self.workday else 0


def plan_for(corp: Corp, rule: dict[str, Any], user_key: str, day: int) -> Plan:
    gtype = rule["grouptype"]
    if gtype == SHIFT:
        sid = checkin(corp).schedules.get(user_key, {}).get(day_key(day), 0)
        shift = next((s for s in rule.get("schedulelist", []) if s["schedule_id"] == sid), None)
        if not sid or shift is None:
            return Plan(False, schedule_id=0, schedule_name="休息")
        secs = [
            (s.get("time_id", i + 1), s["work_sec"], s["off_work_sec"])
            for i, s in enumerate(shift.get("time_section", []))
        ]
        return Plan(True, secs, sid, shift["schedule_name"])
    for spe in rule.get("spe_offdays", []):
        if day_of(spe["timestamp"]) == day:
            return Plan(False)
    for spe in rule.get("spe_workdays", []):
        if day_of(spe["timestamp"]) == day:
            return Plan(True, _sections(spe.get("checkintime", [])))
    for cd in rule.get("checkindate", []):
        if weekday(day) in cd.get("workdays", []):
            if gtype == FREE:
                return Plan(True)
            return Plan(True, _sections(cd.get("checkintime", [])))
    return Plan(False)


def _sections(times: list[dict[str, Any]]) -> list[tuple[int, int, int]]:
    return [
        (t.get("time_id", i + 1), t["work_sec"], t["off_work_sec"]) for i, t in enumerate(times)
    ]


def flex(rule: dict[str, Any]) -> tuple[int, int]:
    """(late allowance after clock-in time, early allowance before clock-out time), seconds."""
    cd = (rule.get("checkindate") or [{}])[0]
    on, off = cd.get("flex_on_duty_time", 0), cd.get("flex_off_duty_time", 0)
    if on == -1 or off == -1:  # -1: use flex_time (milliseconds) for both
        ms = cd.get("flex_time", 0) // 1000
        on, off = (ms if on == -1 else on), (ms if off == -1 else off)
    return max(on, 0), max(off, 0)


def place_ok(rule: dict[str, Any], punch: dict[str, Any]) -> bool:
    """A listed Wi-Fi MAC, or a position within a listed location's distance."""
    wifis = rule.get("wifimac_infos", [])
    locs = rule.get("loc_infos", [])
    if not wifis and not locs:
        return True
    mac = str(punch.get("wifimac", "")).lower()
    if mac and any(mac == str(w.get("wifimac", "")).lower() for w in wifis):
        return True
    lat, lng = punch.get("lat", 0), punch.get("lng", 0)
    if not lat and not lng:
        return False
    return any(distance_m(lat, lng, loc["lat"], loc["lng"]) <= loc["distance"] for loc in locs)


def distance_m(lat1: int, lng1: int, lat2: int, lng2: int) -> float:
    """Great-circle distance in metres between two x1e6 coordinates."""
    p1, p2 = math.radians(lat1 / 1e6), math.radians(lat2 / 1e6)
    dp, dl = p2 - p1, math.radians((lng2 - lng1) / 1e6)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(min(1.0, math.sqrt(a)))


# -- punches ---------------------------------------------------------------------------------
def add_punch(corp: Corp, user_key: str, punch: dict[str, Any]) -> None:
    """Insert keeping the member's punches sorted by time (equal times keep arrival order)."""
    rows = checkin(corp).punches.setdefault(user_key, [])
    t = punch["checkin_time"]
    i = len(rows)
    while i and rows[i - 1]["checkin_time"] > t:
        i -= 1
    rows.insert(i, punch)


def punches_between(corp: Corp, user_key: str, start: int, end: int) -> list[dict[str, Any]]:
    """The member's punches with ``start <= checkin_time < end``."""
    import bisect

    rows = checkin(corp).punches.get(user_key, [])
    times = [p["checkin_time"] for p in rows]
    return rows[bisect.bisect_left(times, start) : bisect.bisect_left(times, end)]


@dataclass
class Matched:
    """One punch as the records show it."""

    punch: dict[str, Any]
    checkin_type: str
    sch: int = 0  # standard time (unix) it was matched to, 0 when none
    time_id: int = 0
    exceptions: list[str] = field(default_factory=list)


def classify(
    rule: dict[str, Any], plan: Plan, day: int, punches: list[dict[str, Any]]
) -> list[Matched]:
    """Match a day's punches to the plan's clock-in/clock-out times."""
    flex_on, flex_off = flex(rule)
    bounds = [
        (day + sec, kind, tid)
        for tid, on, off in plan.sections
        for sec, kind in ((on, CLOCK_IN), (off, CLOCK_OUT))
    ]
    out: list[Matched] = []
    alternate = 0
    for p in punches:
        if p.get("field"):
            m = Matched(p, FIELD)
        elif bounds and plan.workday:
            t = p["checkin_time"]
            sch, kind, tid = min(bounds, key=lambda b: abs(t - b[0]))
            m = Matched(p, kind, sch, tid)
            if (kind == CLOCK_IN and t > sch + flex_on) or (
                kind == CLOCK_OUT and t < sch - flex_off
            ):
                m.exceptions.append(TIME_EXC)
        else:  # free rules, days off: clock-in and clock-out alternate
            m = Matched(p, CLOCK_IN if alternate % 2 == 0 else CLOCK_OUT)
            alternate += 1
        if not m.punch.get("field") and not place_ok(rule, p):
            m.exceptions.append(PLACE_EXC)
        out.append(m)
    return out


def user_of(corp: Corp, userid: Any) -> cm.User | None:
    return cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
