"""Check-in endpoints (打卡): rules, records, day and period reports, shifts, faces.

Callers: a self-built app listed under 打卡 -> 可调用接口的应用 (fixture permission
``checkin``); only members in the app's visibility can be read (others are 301021, like
userids that do not exist: the real split between 301021 and 60030 is undocumented).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import Family
from mock_server.services.contacts import models as cm
from mock_server.services.oa.checkin import models as m
from mock_server.services.oa.checkin import reports as rp

api = Family("oa")
PERM = "checkin"
MAX_USERS = 100
RECORD_SPAN = 30 * m.DAY  # getcheckindata (doc 90262)
REPORT_SPAN = 31 * m.DAY  # reports and shift lists: "one month" (unconfirmed exact cap)
MAX_FACE = 1024 * 1024
# Per-member view of a rule (getcheckinoption): the corp-wide fields are left out.
MEMBER_FIELDS = (
    "grouptype", "groupid", "groupname", "checkindate", "spe_workdays", "spe_offdays",
    "sync_holidays", "need_photo", "note_can_use_local_pic", "allow_checkin_offworkday",
    "allow_apply_offworkday", "wifimac_infos", "loc_infos", "schedulelist",
    "offwork_interval_time", "open_sp_checkin", "buka_restriction", "span_day_time",
    "standard_work_duration", "checkin_method_type",
)  # fmt: skip


def _int(body: dict[str, Any], key: str, errcode: int) -> int:
    raw = body.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 0xFFFFFFFF:  # uint32
        raise WeComError(errcode, f"{key} invalid.")
    return raw


def _users(ctx: Context, body: dict[str, Any]) -> list[cm.User]:
    raw = body.get("useridlist")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_USERS:
        raise WeComError(301023)
    corp = ctx.corp
    out: list[cm.User] = []
    for u in raw:
        user = m.user_of(corp, u)
        if user is None or not cm.is_user_visible(corp, ctx.agent, user):
            raise WeComError(301021, f"userid {u} invalid.")
        if user not in out:
            out.append(user)
    return out


def _days(body: dict[str, Any], errcode: int, *, allow_equal: bool) -> list[int]:
    """Local days from starttime's day to endtime's day (both given as day 00:00)."""
    start, end = _int(body, "starttime", errcode), _int(body, "endtime", errcode)
    if not start or end < start or (end == start and not allow_equal):
        raise WeComError(errcode, "endtime must be after starttime.")
    if end - start > REPORT_SPAN:
        raise WeComError(errcode, "time span over one month.")
    first, last = m.day_of(start), m.day_of(end)
    return list(range(first, last + 1, m.DAY))


@api.endpoint(
    "POST", "checkin/getcorpcheckinoption", app_permission=PERM, doc="93384", errcodes=(48002,)
)
def getcorpcheckinoption(ctx: Context) -> dict[str, Any]:
    """All check-in rules of the corp (groups, times, Wi-Fi, locations, ranges)."""
    rules = m.checkin(ctx.corp).rules
    return {"group": [rules[g] for g in sorted(rules)]}


@api.endpoint(
    "POST", "checkin/getcheckinoption", app_permission=PERM, doc="90263",
    errcodes=(301021, 301023, 301024, 48002),
)  # fmt: skip
def getcheckinoption(ctx: Context) -> dict[str, Any]:
    """The rule in force for each member on a day (members without a rule are left out)."""
    body = ctx.json()
    _int(body, "datetime", 301024)
    users = _users(ctx, body)
    corp = ctx.corp
    rule_of, rules = m.rule_map(corp), m.checkin(corp).rules
    info = []
    for user in users:
        gid = rule_of.get(user.key)
        if gid is None:
            continue
        rule = rules[gid]
        group = {k: rule[k] for k in MEMBER_FIELDS if k in rule}
        group["checkindate"] = [
            {**cd, "flex_time": cd.get("flex_time", 0)} for cd in rule.get("checkindate", [])
        ]
        info.append({"userid": user.userid, "group": group})
    return {"info": info}


@api.endpoint(
    "POST", "checkin/getcheckindata", app_permission=PERM, doc="90262",
    errcodes=(301021, 301023, 301024, 40058, 48002),
)  # fmt: skip
def getcheckindata(ctx: Context) -> dict[str, Any]:
    """Punch records in a window (<= 30 days), with 未打卡 rows for missed times."""
    body = ctx.json()
    kind = body.get("opencheckindatatype")
    if kind not in (1, 2, 3):
        raise WeComError(40058, "opencheckindatatype must be 1, 2 or 3.")
    start, end = _int(body, "starttime", 301024), _int(body, "endtime", 301024)
    if not start or end <= start or end - start > RECORD_SPAN:
        raise WeComError(301024)
    users = _users(ctx, body)
    view = rp.Context(ctx.corp)
    wanted = {1: (m.CLOCK_IN, m.CLOCK_OUT), 2: (m.FIELD,), 3: (m.CLOCK_IN, m.CLOCK_OUT, m.FIELD)}[
        kind
    ]
    out: list[dict[str, Any]] = []
    for user in users:
        for day in range(m.day_of(start), end, m.DAY):
            for r in rp.records(view.day(user.key, day), user.userid):
                if start <= r["checkin_time"] <= end and r["checkin_type"] in wanted:
                    out.append(r)
    return {"checkindata": out}


@api.endpoint(
    "POST", "checkin/getcheckin_daydata", app_permission=PERM, doc="93374",
    errcodes=(301021, 301023, 301024, 48002),
)  # fmt: skip
def getcheckin_daydata(ctx: Context) -> dict[str, Any]:
    """Day reports per member and day: punches, late/early/missing/absent, leave, overtime."""
    body = ctx.json()
    days = _days(body, 301024, allow_equal=True)
    users = _users(ctx, body)
    corp = ctx.corp
    view = rp.Context(corp)
    return {"datas": [rp.day_report(corp, u, view.day(u.key, d)) for u in users for d in days]}


@api.endpoint(
    "POST", "checkin/getcheckin_monthdata", app_permission=PERM, doc="93387",
    errcodes=(301021, 301023, 301024, 48002),
)  # fmt: skip
def getcheckin_monthdata(ctx: Context) -> dict[str, Any]:
    """Period reports per member: sums of the day reports over the asked days."""
    body = ctx.json()
    days = _days(body, 301024, allow_equal=True)
    users = _users(ctx, body)
    corp = ctx.corp
    view = rp.Context(corp)
    return {"datas": [rp.month_report(corp, u, [view.day(u.key, d) for d in days]) for u in users]}


@api.endpoint(
    "POST", "checkin/getcheckinschedulist", app_permission=PERM, doc="93380",
    errcodes=(301021, 301023, 301075, 48002),
)  # fmt: skip
def getcheckinschedulist(ctx: Context) -> dict[str, Any]:
    """Shift assignments (排班) of members under shift rules, per month."""
    body = ctx.json()
    days = _days(body, 301075, allow_equal=False)
    users = _users(ctx, body)
    corp = ctx.corp
    rule_of, store = m.rule_map(corp), m.checkin(corp)
    out = []
    for user in users:
        rule = store.rules.get(rule_of.get(user.key, -1))
        if rule is None or rule["grouptype"] != m.SHIFT:
            continue
        months: dict[int, list[dict[str, Any]]] = {}
        assigned = store.schedules.get(user.key, {})
        for day in days:
            key = m.day_key(day)
            if key not in assigned:
                continue
            shift = next(
                (s for s in rule["schedulelist"] if s["schedule_id"] == assigned[key]), None
            )
            if shift is None:
                continue
            sections = [
                {"id": s.get("time_id", i + 1), **{k: s[k] for k in ("work_sec", "off_work_sec", "remind_work_sec", "remind_off_work_sec") if k in s}}
                for i, s in enumerate(shift.get("time_section", []))
            ]  # fmt: skip
            months.setdefault(int(key[:6]), []).append(
                {"day": int(key[6:]), "schedule_info": {"schedule_id": shift["schedule_id"], "schedule_name": shift["schedule_name"], "time_section": sections}}
            )  # fmt: skip
        for ym, rows in sorted(months.items()):
            out.append({"userid": user.userid, "yearmonth": ym, "groupid": rule["groupid"],
                        "groupname": rule["groupname"], "schedule": {"scheduleList": rows}})  # fmt: skip
    return {"schedule_list": out}


@api.endpoint(
    "POST", "checkin/setcheckinschedulist", app_permission=PERM, doc="93385",
    errcodes=(301021, 301073, 301075, 301089, 48002),
)  # fmt: skip
def setcheckinschedulist(ctx: Context) -> None:
    """Assign shifts of a shift rule to members on future days (schedule_id 0 = rest)."""
    body = ctx.json()
    corp = ctx.corp
    store = m.checkin(corp)
    gid = body.get("groupid")
    rule = store.rules.get(gid) if isinstance(gid, int) and not isinstance(gid, bool) else None
    if rule is None or rule["grouptype"] != m.SHIFT:
        raise WeComError(301089, "groupid is not a shift rule.")
    ym = body.get("yearmonth")
    if isinstance(ym, bool) or not isinstance(ym, int) or not 1 <= ym % 100 <= 12 or ym < 197001:
        raise WeComError(301075, "yearmonth invalid.")
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise WeComError(301075, "items required.")
    members = m.rule_members(corp, rule)
    shifts = {s["schedule_id"] for s in rule.get("schedulelist", [])} | {0}
    ndays = calendar.monthrange(ym // 100, ym % 100)[1]
    today = m.day_of(ctx.now)
    plan: list[tuple[str, str, int]] = []
    for it in items:
        user = m.user_of(corp, it.get("userid")) if isinstance(it, dict) else None
        if user is None or user.key not in members or not cm.is_user_visible(corp, ctx.agent, user):
            raise WeComError(
                301021, f"userid {it.get('userid') if isinstance(it, dict) else it} invalid."
            )
        day, sid = it.get("day"), it.get("schedule_id")
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= ndays:
            raise WeComError(301075, "day invalid.")
        if isinstance(sid, bool) or sid not in shifts:
            raise WeComError(301075, "schedule_id invalid.")
        key = f"{ym}{day:02d}"
        if m.day_from_key(key) <= today:
            raise WeComError(301073)
        plan.append((user.key, key, sid))
    for user_key, key, sid in plan:
        store.schedules.setdefault(user_key, {})[key] = sid


@api.endpoint(
    "POST", "checkin/addcheckinuserface", app_permission=PERM, doc="93378",
    errcodes=(301069, 301071, 301072, 48002),
)  # fmt: skip
def addcheckinuserface(ctx: Context) -> None:
    """Enrol a member's face photo (base64 JPEG/PNG <= 1 MB); replaces the previous one."""
    body = ctx.json()
    corp = ctx.corp
    user = m.user_of(corp, body.get("userid"))
    if user is None or not cm.is_user_visible(corp, ctx.agent, user):
        raise WeComError(301069)
    raw = body.get("userface")
    try:
        image = base64.b64decode(raw, validate=True) if isinstance(raw, str) else b""
    except (binascii.Error, ValueError):
        image = b""
    if not image or len(image) > MAX_FACE or not image.startswith((b"\xff\xd8\xff", b"\x89PNG")):
        raise WeComError(301072)
    digest = hashlib.sha256(image).hexdigest()
    faces = m.checkin(corp).faces
    faces[user.key] = digest
    # The same picture enrolled for another member stands for "a similar face": saved anyway.
    if any(k != user.key and v == digest for k, v in faces.items()):
        raise WeComError(301071)
