"""Sandbox actions: a member punches in the WeCom app; a month of realistic punches.

Plain functions ``(corp, payload) -> dict`` (no HTTP): the Python API and the admin routes
both call them. Invalid payloads raise ``SandboxError`` (an admin 400).
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from typing import Any

from mock_server.core.state import Corp
from mock_server.services.oa.checkin import models as m
from mock_server.services.oa.checkin import reports as rp

TEXT_FIELDS = ("location_title", "location_detail", "wifiname", "wifimac", "notes", "deviceid")


class SandboxError(ValueError):
    """A punch the app would not accept (unknown member, refused place, bad values)."""


def punch(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """``userid`` punches at ``checkin_time`` (default now) at a place: ``wifimac``/
    ``wifiname`` and/or ``lat``/``lng`` (x1e6), ``location_title``; ``field`` true for a
    field punch (外出打卡). Returns the record as ``getcheckindata`` shows it."""
    user = m.user_of(corp, payload.get("userid"))
    if user is None:
        raise SandboxError(f"no member {payload.get('userid')!r}")
    t = payload.get("checkin_time", corp.clock.time())
    if isinstance(t, bool) or not isinstance(t, int) or not 0 < t <= 0xFFFFFFFF:
        raise SandboxError("checkin_time must be a unix timestamp")
    row: dict[str, Any] = {"checkin_time": t, "field": bool(payload.get("field", False))}
    for key in TEXT_FIELDS:
        value = payload.get(key, "")
        if not isinstance(value, str):
            raise SandboxError(f"{key} must be a string")
        row[key] = value
    for key in ("lat", "lng"):
        value = payload.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SandboxError(f"{key} must be an integer (degrees x 1e6)")
        row[key] = value
    mediaids = payload.get("mediaids", [])
    if not isinstance(mediaids, list) or not all(isinstance(x, str) for x in mediaids):
        raise SandboxError("mediaids must be a list of media ids")
    row["mediaids"] = list(mediaids)
    view = rp.Context(corp)
    gid = view.rule_of.get(user.key)
    rule = view.rules.get(gid) if gid is not None else None
    if rule is not None and not row["field"] and rule.get("option_out_range") == 2:
        if not m.place_ok(rule, row):
            raise SandboxError("outside the rule's Wi-Fi and locations: the app refuses the punch")
    if rule is not None and not row["field"] and rule.get("option_out_range") == 1:
        row["field"] = not m.place_ok(rule, row)
    m.add_punch(corp, user.key, row)
    day = view.day(user.key, m.day_of(t))
    shown = next(
        r
        for r in rp.records(day, user.userid)
        if r["checkin_time"] == t and "未打卡" not in r["exception_type"]
    )
    return shown


def generate_month(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """Realistic punches for ``year``/``month`` for every member under a rule (or
    ``userids``), seeded (``seed``): mostly on time, some late, early, a missed punch,
    an absent day, a field punch. Days before ``until`` (default: now) only."""
    year, month = payload.get("year"), payload.get("month")
    if not isinstance(year, int) or not isinstance(month, int) or not 1 <= month <= 12:
        raise SandboxError("year and month (1-12) required")
    rng = random.Random(payload.get("seed", 0))
    until = payload.get("until", corp.clock.time())
    view = rp.Context(corp)
    wanted = payload.get("userids")
    keys = sorted(view.rule_of)
    if wanted is not None:
        keys = [u.key for u in (m.user_of(corp, x) for x in wanted) if u is not None]
    first = int(dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp()) - m.CN_OFFSET
    ndays = calendar.monthrange(year, month)[1]
    count = 0
    for key in keys:
        rule = view.rules.get(view.rule_of.get(key, -1))
        if rule is None:
            continue
        wifi = (rule.get("wifimac_infos") or [{}])[0]
        loc = (rule.get("loc_infos") or [{}])[0]
        place = {
            "wifiname": wifi.get("wifiname", ""), "wifimac": wifi.get("wifimac", ""),
            "lat": loc.get("lat", 0), "lng": loc.get("lng", 0),
            "location_title": loc.get("loc_title", ""), "location_detail": loc.get("loc_detail", ""),
        }  # fmt: skip
        shifts = [x["schedule_id"] for x in rule.get("schedulelist", []) if x["schedule_id"]]
        for i in range(ndays):
            day = first + i * m.DAY
            if shifts and m.weekday(day) != 0:  # shift rules: a rota, Sundays off
                assigned = m.checkin(corp).schedules.setdefault(key, {})
                assigned.setdefault(m.day_key(day), shifts[(i // 7 + len(key)) % len(shifts)])
            plan = m.plan_for(corp, rule, key, day)
            if not plan.workday or day + m.DAY > until:
                continue
            roll = rng.random()
            if roll < 0.01:  # absent
                continue
            for _tid, on, off in plan.sections:
                t_in = day + on - rng.randint(60, 1500)
                t_out = day + off + rng.randint(0, 2400)
                r = rng.random()
                if r < 0.05:
                    t_in = day + on + rng.randint(6, 60) * 60  # late
                elif r < 0.08:
                    t_out = day + off - rng.randint(5, 90) * 60  # early leave
                elif r < 0.11:
                    t_out = day + off + rng.randint(40, 240) * 60  # overtime
                skip_out = r > 0.985  # forgot to clock out
                m.add_punch(corp, key, {"checkin_time": t_in, "field": False, **_blank(), **place})
                count += 1
                if not skip_out:
                    m.add_punch(
                        corp, key, {"checkin_time": t_out, "field": False, **_blank(), **place}
                    )
                    count += 1
            if rng.random() < 0.02 and plan.sections:
                mid = day + (plan.sections[0][1] + plan.sections[-1][2]) // 2
                m.add_punch(corp, key, {"checkin_time": mid, "field": True, **_blank(),
                                        "location_title": "客户现场", "lat": 22547000, "lng": 113940000})  # fmt: skip
                count += 1
    return {"punches": count, "members": len(keys)}


def _blank() -> dict[str, Any]:
    return {k: "" for k in TEXT_FIELDS} | {"lat": 0, "lng": 0, "mediaids": []}
