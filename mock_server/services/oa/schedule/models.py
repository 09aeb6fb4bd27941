"""Schedules (日程) and their rules; no HTTP.

Update overwrites the whole schedule; del only cancels (status 1, still returned by get);
an app sees only schedules it created (90466). Times are checked against the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp
from mock_server.services.oa.calendar.models import default_calendar, find_calendar
from mock_server.services.oa.common import int_field, text_field, userids
from mock_server.services.oa.store import Schedule, oa

MAX_ATTENDEES = 1000
MAX_ADMINS = 3
MAX_IDS = 1000  # schedule/get's schedule_id_list
MAX_PAGE = 1000  # get_by_calendar's limit
REMIND_BEFORE = (0, 300, 900, 3600, 86400)
REMIND_DIFFS = (0, -300, -900, -3600, -86400)
WHOLE_DAY_DIFFS = (32400, -172800, -604800)
REPEAT_TYPES = (0, 1, 2, 5, 7)
CANCELLED = 1


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


def reminders(raw: Any, whole_day: bool) -> dict[str, Any]:
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


def read_schedule(
    corp: Corp,
    agentid: int | None,
    s: dict[str, Any],
    existing: Schedule | None,
    skip_attendees: bool,
) -> dict[str, Any]:
    """Validate a schedule object (add or overwrite); returns the data to store."""
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
        cal_id = find_calendar(corp, s["cal_id"], agentid).cal_id
    elif organizer:
        cal_id = ""  # old shape: the organizer's own default calendar
    else:
        default = default_calendar(corp, agentid)
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
        "reminders": reminders(s.get("reminders"), bool(whole_day)),
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


def is_occurrence(d: dict[str, Any], at: int) -> bool:
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


def op_mode(body: dict[str, Any], sch: Schedule) -> tuple[int, int]:
    """``op_mode`` (0 all, 1 one occurrence, 2 this and later) and ``op_start_time``."""
    mode = body.get("op_mode", 0)
    if mode not in (0, 1, 2):
        raise WeComError(90485)
    at = 0
    if mode:
        if not sch.data["reminders"]["is_repeat"]:
            raise WeComError(90484)
        raw = body.get("op_start_time")
        if isinstance(raw, bool) or not isinstance(raw, int) or not is_occurrence(sch.data, raw):
            raise WeComError(90482)
        at = raw
    return mode, at


def new_schedule_id(corp: Corp) -> str:
    return corp.ids.hex(29) + "AAA"


def add_schedule(corp: Corp, agentid: int | None, data: dict[str, Any], now: int) -> str:
    """Store a new schedule of the app; returns its id."""
    sid = new_schedule_id(corp)
    oa(corp).schedules[sid] = Schedule(sid, agentid, data, now)
    return sid


def update_schedule(
    corp: Corp,
    agentid: int | None,
    sch: Schedule,
    data: dict[str, Any],
    mode: int,
    at: int,
    now: int,
) -> str:
    """Overwrite a schedule (mode 0) or split one occurrence (1) or the rest (2) off it.

    Returns the id of the schedule holding ``data`` (a new one when split).
    """
    moved = data["start_time"] != (at if mode else sch.data["start_time"])
    if moved and not data["reminders"]["is_repeat"] and data["start_time"] < now:
        raise WeComError(90706)
    if mode == 0:
        sch.data = data
        sch.sequence += 1
        return sch.schedule_id
    rem = sch.data["reminders"]
    if mode == 1:
        rem["exclude_time_list"].append({"start_time": at})
        data["reminders"].update(is_repeat=0, repeat_type=0, repeat_until=0)
    else:
        rem["repeat_until"] = at - 1
    sch.sequence += 1
    return add_schedule(corp, agentid, data, now)


def cancel_schedule(sch: Schedule, mode: int, at: int) -> None:
    """Cancel a schedule (status 1), one occurrence (mode 1) or the rest (mode 2)."""
    if mode == 0:
        sch.status = CANCELLED
    elif mode == 1:
        sch.data["reminders"]["exclude_time_list"].append({"start_time": at})
    else:
        sch.data["reminders"]["repeat_until"] = at - 1
    sch.sequence += 1


def schedules_of_calendar(
    corp: Corp, cal_id: str, agentid: int | None, offset: Any, limit: Any
) -> list[Schedule]:
    """One page of the app's schedules in a calendar, by start time (90470/90469 bad page)."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise WeComError(90470)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1 or limit > MAX_PAGE:
        raise WeComError(90469)
    items = [
        s for s in oa(corp).schedules.values() if s.data["cal_id"] == cal_id and s.owner == agentid
    ]
    items.sort(key=lambda s: (s.data["start_time"], s.schedule_id))
    return items[offset : offset + limit]


def change_attendees(corp: Corp, sch: Schedule, raw: Any, add: bool) -> None:
    """Add or remove attendees (incremental; admins must stay attendees)."""
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
