"""Schedules (日程): add/update/get/del, get_by_calendar, add_attendees/del_attendees.

Update overwrites the whole schedule; del only cancels (status 1, still returned by get);
an app sees only schedules it created (90466). Times are checked against the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.params import get_obj
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP
from mock_server.core.state import Corp
from mock_server.services.oa.approval_handlers import api
from mock_server.services.oa.calendars import find_calendar
from mock_server.services.oa.common import int_field, owner, text_field, userids
from mock_server.services.oa.store import Schedule, oa

MAX_ATTENDEES = 1000
MAX_ADMINS = 3
REMIND_BEFORE = (0, 300, 900, 3600, 86400)
REMIND_DIFFS = (0, -300, -900, -3600, -86400)
WHOLE_DAY_DIFFS = (32400, -172800, -604800)
REPEAT_TYPES = (0, 1, 2, 5, 7)


def find_schedule(
    corp: Corp, schedule_id: Any, agentid: int | None, *, live: bool = True
) -> Schedule:
    """90461 unknown, 90466 another app's, 90460 cancelled (when ``live``)."""
    sch = oa(corp).schedules.get(schedule_id) if isinstance(schedule_id, str) else None
    if sch is None:
        raise WeComError(90461)
    if sch.owner != agentid:
        raise WeComError(90466)
    if live and sch.status == 1:
        raise WeComError(90460)
    return sch


def _int_list(raw: Any, low: int, high: int, errcode: int) -> list[int]:
    if raw is None:
        return []
    if not isinstance(raw, list) or any(
        isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high for v in raw
    ):
        raise WeComError(errcode)
    return list(raw)


def _reminders(raw: Any, whole_day: bool) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise WeComError(40058, "reminders must be an object.")
    out: dict[str, Any] = {"is_remind": 1 if raw.get("is_remind") else 0}
    before = raw.get("remind_before_event_secs", 0)
    if before not in REMIND_BEFORE:
        raise WeComError(90471)
    out["remind_before_event_secs"] = before
    diffs = raw.get("remind_time_diffs")
    if diffs is not None:
        allowed = REMIND_DIFFS + (WHOLE_DAY_DIFFS if whole_day else ())
        if not isinstance(diffs, list) or any(d not in allowed for d in diffs):
            raise WeComError(90704)
        out["remind_time_diffs"] = list(diffs)
    else:
        out["remind_time_diffs"] = [-before] if out["is_remind"] else []
    out["is_repeat"] = 1 if raw.get("is_repeat") else 0
    repeat_type = raw.get("repeat_type", 0)
    if out["is_repeat"] and repeat_type not in REPEAT_TYPES:
        raise WeComError(90465)
    out["repeat_type"] = repeat_type if out["is_repeat"] else 0
    out["repeat_until"] = int_field(raw, "repeat_until", 40058, 0)
    out["is_custom_repeat"] = 1 if raw.get("is_custom_repeat") else 0
    if out["is_custom_repeat"]:
        if not raw.get("repeat_interval"):
            raise WeComError(90486)
        out["repeat_interval"] = int_field(raw, "repeat_interval", 90486)
        out["repeat_day_of_week"] = _int_list(raw.get("repeat_day_of_week"), 1, 7, 90467)
        out["repeat_day_of_month"] = _int_list(raw.get("repeat_day_of_month"), 1, 31, 90487)
    else:
        out["repeat_interval"] = 1 if out["is_repeat"] else 0
    tz = raw.get("timezone", 8)
    if isinstance(tz, bool) or not isinstance(tz, int) or not -12 <= tz <= 12:
        raise WeComError(90480)
    out["timezone"] = tz
    out["exclude_time_list"] = []
    return out


def _read(
    ctx: Context, s: dict[str, Any], existing: Schedule | None, skip_attendees: bool
) -> dict[str, Any]:
    corp = ctx.require_corp()
    start = int_field(s, "start_time", 40058)
    end = int_field(s, "end_time", 40058)
    if end <= start:
        raise WeComError(40058, "end_time must be after start_time.")
    whole_day = 1 if s.get("is_whole_day") else 0
    if skip_attendees and existing is not None:
        attendees = [a["userid"] for a in existing.data["attendees"]]
    else:
        raw = s.get("attendees", [])
        if not isinstance(raw, list):
            raise WeComError(40058, "attendees must be an array.")
        if len(raw) > MAX_ATTENDEES:
            raise WeComError(90464)
        # Attendees must be members (the real per-user code is unconfirmed; 40003 invalid userid).
        attendees = userids(
            corp, [a.get("userid") if isinstance(a, dict) else a for a in raw], "attendees", 40003
        )
    admins = userids(corp, s.get("admins"), "admins", 40003)
    if len(admins) > MAX_ADMINS:
        raise WeComError(40058, f"admins at most {MAX_ADMINS}.")
    if any(a not in attendees for a in admins):
        raise WeComError(90715)
    organizer = existing.data.get("organizer", "") if existing else ""
    if "organizer" in s:  # old shape
        if not s["organizer"]:
            raise WeComError(90456)
        org = userids(corp, [s["organizer"]], "organizer", 90456)[0]
        if existing is not None and organizer and org != organizer:
            raise WeComError(90463)
        if org in attendees:
            raise WeComError(90474)
        organizer = org
    if existing is not None:
        cal_id = existing.data["cal_id"]  # the calendar cannot be changed
    elif s.get("cal_id"):
        cal_id = find_calendar(corp, s["cal_id"], owner(ctx)).cal_id
    elif organizer:
        cal_id = ""  # old shape: the organizer's own default calendar
    else:
        default = next(
            (
                c
                for c in oa(corp).calendars.values()
                if c.owner == owner(ctx) and c.data.get("set_as_default") and not c.deleted
            ),
            None,
        )
        if default is None:
            raise WeComError(90708)
        cal_id = default.cal_id
    old_status = (
        {a["userid"]: a["response_status"] for a in existing.data["attendees"]} if existing else {}
    )
    data: dict[str, Any] = {
        "cal_id": cal_id,
        "admins": admins,
        "attendees": [{"userid": u, "response_status": old_status.get(u, 0)} for u in attendees],
        "summary": text_field(s, "summary", 128, default="新建事件") or "新建事件",
        "description": text_field(s, "description", 1000),
        "location": text_field(s, "location", 128),
        "start_time": start,
        "end_time": end,
        "is_whole_day": whole_day,
        "reminders": _reminders(s.get("reminders"), bool(whole_day)),
    }
    if organizer:
        data["organizer"] = organizer
    return data


def schedule_dict(sch: Schedule) -> dict[str, Any]:
    d = sch.data
    out: dict[str, Any] = {"schedule_id": sch.schedule_id}
    if d.get("organizer"):
        out["organizer"] = d["organizer"]
    out.update({k: v for k, v in d.items() if k != "organizer"})
    out["status"] = sch.status
    out["sequence"] = sch.sequence
    return out


def _is_occurrence(d: dict[str, Any], at: int) -> bool:
    """Whether ``at`` is the start of one occurrence of a repeating schedule."""
    rem = d["reminders"]
    start = d["start_time"]
    until = rem.get("repeat_until") or 0
    if at < start or (until and at > until):
        return False
    tz = dt.timezone(dt.timedelta(hours=rem.get("timezone", 8)))
    a, b = dt.datetime.fromtimestamp(start, tz), dt.datetime.fromtimestamp(at, tz)
    if a.time() != b.time():
        return False
    rtype = rem["repeat_type"]
    if rtype == 1:
        return a.weekday() == b.weekday() or (
            bool(rem.get("repeat_day_of_week")) and b.isoweekday() in rem["repeat_day_of_week"]
        )
    if rtype == 2:
        return a.day == b.day or b.day in rem.get("repeat_day_of_month", [])
    if rtype == 5:
        return (a.month, a.day) == (b.month, b.day)
    if rtype == 7:
        return b.isoweekday() <= 5
    return True


def _op_mode(ctx: Context, body: dict[str, Any], sch: Schedule) -> tuple[int, int]:
    mode = body.get("op_mode", 0)
    if mode not in (0, 1, 2):
        raise WeComError(90485)
    at = 0
    if mode:
        if not sch.data["reminders"]["is_repeat"]:
            raise WeComError(90484)
        raw = body.get("op_start_time")
        if isinstance(raw, bool) or not isinstance(raw, int) or not _is_occurrence(sch.data, raw):
            raise WeComError(90482)
        at = raw
    return mode, at


def _new_id(corp: Corp) -> str:
    return corp.ids.hex(29) + "AAA"


@api.endpoint(
    "POST",
    "oa/schedule/add",
    scopes=(APP,),
    doc="93648",
    errcodes=(
        40003,
        40058,
        90456,
        90457,
        90459,
        90464,
        90465,
        90466,
        90467,
        90471,
        90474,
        90480,
        90486,
        90487,
        90704,
        90708,
        90715,
        48002,
    ),
)
def schedule_add(ctx: Context) -> dict[str, Any]:
    """Create a schedule (in the app's calendar given by cal_id, or its default one)."""
    s = get_obj(ctx.json(), "schedule", missing=40058)
    assert s is not None
    data = _read(ctx, s, None, False)
    corp = ctx.require_corp()
    sid = _new_id(corp)
    oa(corp).schedules[sid] = Schedule(sid, owner(ctx), data, ctx.now)
    return {"schedule_id": sid}


@api.endpoint(
    "POST",
    "oa/schedule/update",
    scopes=(APP,),
    doc="97720",
    errcodes=(
        40003,
        40058,
        90460,
        90461,
        90463,
        90464,
        90465,
        90466,
        90467,
        90471,
        90474,
        90480,
        90482,
        90484,
        90485,
        90486,
        90487,
        90704,
        90706,
        90715,
        48002,
    ),
)
def schedule_update(ctx: Context) -> dict[str, Any]:
    """Overwrite a schedule; op_mode 1/2 splits one occurrence (or the rest) off a series."""
    body = ctx.json()
    s = get_obj(body, "schedule", missing=40058)
    assert s is not None
    corp = ctx.require_corp()
    sch = find_schedule(corp, s.get("schedule_id"), owner(ctx))
    mode, at = _op_mode(ctx, body, sch)
    data = _read(ctx, s, sch, bool(body.get("skip_attendees")))
    moved = data["start_time"] != (at if mode else sch.data["start_time"])
    if moved and not data["reminders"]["is_repeat"] and data["start_time"] < ctx.now:
        raise WeComError(90706)
    if mode == 0:
        sch.data = data
        sch.sequence += 1
        return {"schedule_id": sch.schedule_id}
    rem = sch.data["reminders"]
    if mode == 1:
        rem["exclude_time_list"].append({"start_time": at})
        data["reminders"].update(is_repeat=0, repeat_type=0, repeat_until=0)
    else:
        rem["repeat_until"] = at - 1
    sch.sequence += 1
    sid = _new_id(corp)
    oa(corp).schedules[sid] = Schedule(sid, owner(ctx), data, ctx.now)
    return {"schedule_id": sid}


@api.endpoint(
    "POST",
    "oa/schedule/get",
    scopes=(APP,),
    doc="97724",
    errcodes=(40058, 90461, 90462, 90466, 48002),
)
def schedule_get(ctx: Context) -> dict[str, Any]:
    """Schedules by id, cancelled ones included (status 1)."""
    ids = ctx.json().get("schedule_id_list")
    if not isinstance(ids, list) or not ids:
        raise WeComError(90462)
    if len(ids) > 1000:
        raise WeComError(40058, "schedule_id_list at most 1000.")
    corp = ctx.require_corp()
    return {
        "schedule_list": [
            schedule_dict(find_schedule(corp, i, owner(ctx), live=False)) for i in ids
        ]
    }


@api.endpoint(
    "POST",
    "oa/schedule/del",
    scopes=(APP,),
    doc="97725",
    errcodes=(90460, 90461, 90466, 90482, 90484, 90485, 48002),
)
def schedule_del(ctx: Context) -> None:
    """Cancel a schedule (status 1), one occurrence (op_mode 1) or the rest (op_mode 2)."""
    body = ctx.json()
    sch = find_schedule(ctx.require_corp(), body.get("schedule_id"), owner(ctx))
    mode, at = _op_mode(ctx, body, sch)
    if mode == 0:
        sch.status = 1
    elif mode == 1:
        sch.data["reminders"]["exclude_time_list"].append({"start_time": at})
    else:
        sch.data["reminders"]["repeat_until"] = at - 1
    sch.sequence += 1


@api.endpoint(
    "POST",
    "oa/schedule/get_by_calendar",
    scopes=(APP,),
    doc="97723",
    errcodes=(90457, 90459, 90466, 90469, 90470, 48002),
)
def schedule_get_by_calendar(ctx: Context) -> dict[str, Any]:
    """Schedules of one of the app's calendars, paged by offset/limit (limit <= 1000)."""
    body = ctx.json()
    corp = ctx.require_corp()
    cal = find_calendar(corp, body.get("cal_id"), owner(ctx))
    offset = body.get("offset", 0)
    limit = body.get("limit", 500)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise WeComError(90470)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1 or limit > 1000:
        raise WeComError(90469)
    items = [
        s
        for s in oa(corp).schedules.values()
        if s.data["cal_id"] == cal.cal_id and s.owner == owner(ctx)
    ]
    items.sort(key=lambda s: (s.data["start_time"], s.schedule_id))
    return {"schedule_list": [schedule_dict(s) for s in items[offset : offset + limit]]}


def _attendee_change(ctx: Context, add: bool) -> None:
    body = ctx.json()
    corp = ctx.require_corp()
    sch = find_schedule(corp, body.get("schedule_id"), owner(ctx))
    raw = body.get("attendees")
    if not isinstance(raw, list) or not raw:
        raise WeComError(90713)
    users = userids(
        corp, [a.get("userid") if isinstance(a, dict) else a for a in raw], "attendees", 40003
    )
    current = sch.data["attendees"]
    have = {a["userid"] for a in current}
    if add:
        new = [u for u in users if u not in have]
        if len(current) + len(new) > MAX_ATTENDEES:
            raise WeComError(90464)
        current.extend({"userid": u, "response_status": 0} for u in new)
    else:
        if any(a in users for a in sch.data["admins"]):
            raise WeComError(90715)
        sch.data["attendees"] = [a for a in current if a["userid"] not in users]
    sch.sequence += 1


@api.endpoint(
    "POST",
    "oa/schedule/add_attendees",
    scopes=(APP,),
    doc="97721",
    errcodes=(40003, 90460, 90461, 90464, 90466, 90713, 48002),
)
def schedule_add_attendees(ctx: Context) -> None:
    """Add attendees to a schedule (incremental)."""
    _attendee_change(ctx, True)


@api.endpoint(
    "POST",
    "oa/schedule/del_attendees",
    scopes=(APP,),
    doc="97722",
    errcodes=(40003, 90460, 90461, 90466, 90713, 90715, 48002),
)
def schedule_del_attendees(ctx: Context) -> None:
    """Remove attendees from a schedule (incremental; admins must stay attendees)."""
    _attendee_change(ctx, False)
