"""Meetings (预约会议) and their rules; no HTTP.

Status follows the clock: 1 pending before ``meeting_start``, 2 in progress, 3 ended, 4
cancelled. Only pending meetings of the calling app can be updated or cancelled.
"""

from __future__ import annotations

import re
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.store import Meeting, oa

MIN_DURATION, MAX_DURATION = 300, 86399
MAX_INVITEES = 100  # normal corps; fixture setting oa.meeting_max_invitees changes it
MAX_HOSTS = 10
MAX_SPAN = 180 * 86400
PASSWORD = re.compile(r"^\d{4,6}$")
PENDING, RUNNING, ENDED, CANCELLED = 1, 2, 3, 4


def status_of(m: Meeting, now: int) -> int:
    if m.cancelled:
        return CANCELLED
    start = m.data["meeting_start"]
    if now < start:
        return PENDING
    return RUNNING if now < start + m.data["meeting_duration"] else ENDED


def find_meeting(corp: Corp, meetingid: Any, agentid: int | None, *, for_write: bool) -> Meeting:
    """A meeting of the app: 400307 unknown, 400304/400308 another app's (write/read)."""
    m = oa(corp).meetings.get(meetingid) if isinstance(meetingid, str) else None
    # An unknown id is reported like a meeting the corp cannot read (unconfirmed code).
    if m is None:
        raise WeComError(400307)
    if m.owner != agentid:
        raise WeComError(400304 if for_write else 400308)
    return m


def member(corp: Corp, userid: Any, errcode: int, agent: Agent | None = None) -> str:
    user = cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
    if user is None or not cm.is_user_visible(corp, agent, user):
        raise WeComError(errcode, f"userid {userid} invalid.")
    if user.status in (2, 5):
        raise WeComError(400313)
    return user.userid


def members(corp: Corp, raw: Any, errcode: int, agent: Agent | None = None) -> list[str]:
    """Existing members inside the app's visibility (400021 otherwise, for the whole call)."""
    ids = raw.get("userid", []) if isinstance(raw, dict) else raw
    if ids is None:
        return []
    if not isinstance(ids, list):
        raise WeComError(errcode, "userid must be an array.")
    visible = None if agent is None else cm.visible_user_keys(corp, agent)
    out: list[str] = []
    for u in ids:
        user = cm.contacts(corp).find_user(u) if isinstance(u, str) else None
        if user is None or (visible is not None and user.key not in visible):
            raise WeComError(errcode, f"userid {u} invalid.")
        if user.userid not in out:
            out.append(user.userid)
    return out


def _times(body: dict[str, Any], current: dict[str, Any] | None, now: int) -> tuple[int, int]:
    has_start, has_dur = "meeting_start" in body, "meeting_duration" in body
    if current is not None and has_start != has_dur:
        raise WeComError(400223, "meeting_start and meeting_duration must be sent together.")
    if current is not None and not has_start:
        return current["meeting_start"], current["meeting_duration"]
    start = body.get("meeting_start")
    if isinstance(start, bool) or not isinstance(start, int) or start <= 0:
        raise WeComError(400034)
    if start <= now:
        raise WeComError(400222)
    duration = body.get("meeting_duration")
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int)
        or not MIN_DURATION <= duration <= MAX_DURATION
    ):
        raise WeComError(400035)
    return start, duration


def _settings(raw: Any, invitees: list[str], corp: Corp) -> dict[str, Any]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise WeComError(400031)
    out: dict[str, Any] = {
        "enable_waiting_room": bool(raw.get("enable_waiting_room", False)),
        "allow_enter_before_host": bool(raw.get("allow_enter_before_host", True)),
        "remind_scope": raw.get("remind_scope", 2),
        "enable_enter_mute": raw.get("enable_enter_mute", 2),
        "enable_screen_watermark": bool(raw.get("enable_screen_watermark", False)),
    }
    if "password" in raw:
        if not isinstance(raw["password"], str) or not PASSWORD.match(raw["password"]):
            raise WeComError(400030)
        out["password"] = raw["password"]
    if out["remind_scope"] not in (1, 2, 3, 4):
        raise WeComError(400025)
    if out["enable_enter_mute"] not in (0, 1, 2):
        raise WeComError(400031)
    hosts = members(corp, raw.get("hosts"), 400021)
    if len(hosts) > MAX_HOSTS:
        raise WeComError(400027)
    if any(h not in invitees for h in hosts):
        raise WeComError(400029)
    ring = members(corp, raw.get("ring_users"), 400021)
    if any(r not in invitees for r in ring):
        raise WeComError(400037)
    out["hosts"] = {"userid": hosts}
    out["ring_users"] = {"userid": ring}
    return out


def reminders(raw: Any, start: int) -> dict[str, Any]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise WeComError(400031)
    out: dict[str, Any] = {"is_repeat": 1 if raw.get("is_repeat") else 0}
    if out["is_repeat"]:
        rtype = raw.get("repeat_type", 0)
        if rtype not in (0, 1, 2, 7):
            raise WeComError(400026)
        until = raw.get("repeat_until", 0)
        if isinstance(until, bool) or not isinstance(until, int) or (until and until <= start):
            raise WeComError(400032)
        interval = raw.get("repeat_interval", 1)
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int)
            or interval < 1
            or (interval > 1 and rtype != 1)
            or interval > 2
        ):
            raise WeComError(400033)
        out.update(repeat_type=rtype, repeat_until=until, repeat_interval=interval)
    before = raw.get("remind_before", [])
    if not isinstance(before, list) or any(b not in (0, 300, 900, 3600, 86400) for b in before):
        raise WeComError(400031)
    out["remind_before"] = list(before)
    return out


def read_meeting(
    corp: Corp,
    agent: Agent | None,
    agentid: int | None,
    body: dict[str, Any],
    current: dict[str, Any] | None,
    now: int,
) -> tuple[dict[str, Any], list[str]]:
    """Validate create/update fields; returns the stored data and ``excess_users``."""
    if current is None:
        if "creator_userid" in body and "admin_userid" not in body:
            raise WeComError(400043)
        if not body.get("admin_userid"):
            raise WeComError(400040)
        admin = member(corp, body["admin_userid"], 400021, agent)
    else:
        admin = current["admin_userid"]
    data: dict[str, Any] = dict(current or {})
    data["admin_userid"] = admin
    if current is None or "title" in body:
        title = body.get("title")
        if (
            not isinstance(title, str)
            or not title
            or (len(title) > 20 and len(title.encode()) > 40)
        ):
            raise WeComError(400042)
        data["title"] = title
    data["meeting_start"], data["meeting_duration"] = _times(body, current, now)
    for key, limit, code in (("description", 500, 400031), ("location", 128, 400237)):
        if current is None or key in body:
            value = body.get(key, "")
            if not isinstance(value, str) or len(value) > limit:
                raise WeComError(code)
            data[key] = value
    excess: list[str] = []
    if current is None or "invitees" in body:
        invitees = members(corp, body.get("invitees"), 400021, agent)
        limit = int(corp.settings.get("oa", {}).get("meeting_max_invitees", MAX_INVITEES))
        invitees, excess = invitees[:limit], invitees[limit:]
        data["invitees"] = invitees
    if current is None or "settings" in body:
        data["settings"] = _settings(body.get("settings"), data["invitees"], corp)
    if current is None or "reminders" in body:
        data["reminders"] = reminders(body.get("reminders"), data["meeting_start"])
    if current is None or "cal_id" in body:
        cal_id = body.get("cal_id", "")
        if cal_id:
            cal = oa(corp).calendars.get(cal_id)
            if cal is None or cal.deleted or cal.owner != agentid:
                raise WeComError(400036)
        data["cal_id"] = cal_id or ""
    data["agentid"] = agentid or 0
    return data, excess


def create_meeting(
    corp: Corp, agentid: int | None, data: dict[str, Any], now: int, *, check_duplicate: bool
) -> str:
    """Store a new meeting of the app (400302: the same pending meeting exists); its id."""
    if check_duplicate:
        for m in oa(corp).meetings.values():
            same = all(m.data[k] == data[k] for k in ("admin_userid", "title", "meeting_start"))
            if same and status_of(m, now) == PENDING:
                # Duplicate guard from the errcode help text (unconfirmed details).
                raise WeComError(400302)
    meetingid = "hy" + corp.ids.alnum(30)
    data["meeting_code"] = corp.ids.digits(9)
    data["meeting_link"] = f"https://meeting.tencent.com/dm/{corp.ids.alnum(12)}"
    oa(corp).meetings[meetingid] = Meeting(meetingid, agentid, data, now)
    return meetingid


def require_pending(m: Meeting, now: int, not_pending: int) -> None:
    """400041 cancelled; ``not_pending`` when it has started or ended."""
    status = status_of(m, now)
    if status == CANCELLED:
        raise WeComError(400041)
    if status != PENDING:
        raise WeComError(not_pending)


def meeting_dict(corp: Corp, m: Meeting, now: int) -> dict[str, Any]:
    d = m.data
    admin = cm.contacts(corp).find_user(d["admin_userid"])
    members = [d["admin_userid"]] + [u for u in d["invitees"] if u != d["admin_userid"]]
    return {
        "admin_userid": d["admin_userid"],
        "title": d["title"],
        "meeting_start": d["meeting_start"],
        "meeting_duration": d["meeting_duration"],
        "description": d["description"],
        "location": d["location"],
        "main_department": (admin.main_department or admin.department[0]) if admin else 1,
        "status": status_of(m, now),
        "agentid": d["agentid"],
        "attendees": {
            "member": [
                {
                    "userid": u,
                    "status": 2,
                    "first_join_time": 0,
                    "last_quit_time": 0,
                    "total_join_count": 0,
                    "cumulative_time": 0,
                }
                for u in members
            ],
            "tmp_external_user": [],
        },
        "settings": d["settings"],
        "cal_id": d["cal_id"],
        "reminders": d["reminders"],
        "meeting_code": d["meeting_code"],
        "meeting_link": d["meeting_link"],
    }


def user_meetingids(
    corp: Corp, agentid: int | None, body: dict[str, Any], now: int
) -> dict[str, Any]:
    """Ids of the app's meetings a member hosts or is invited to, in a <= 180-day window."""
    if not body.get("userid"):
        raise WeComError(400038)
    userid = member(corp, body["userid"], 400021)
    begin, end = body.get("begin_time"), body.get("end_time")
    for v in (begin, end):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
            raise WeComError(400223)
    # Defaults (unconfirmed): end = now when neither is given; a missing bound is 180 days away.
    if begin is None and end is None:
        end = now
    if begin is None:
        assert end is not None
        begin = end - MAX_SPAN
    if end is None:
        end = begin + MAX_SPAN
    if end < begin or end - begin > MAX_SPAN:
        raise WeComError(400223)
    cursor = body.get("cursor") or "0"
    limit = body.get("limit", 100)
    if not str(cursor).isdecimal():
        raise WeComError(40058, "cursor invalid.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise WeComError(40058, "limit must be 1..100.")
    ids = [
        m.meetingid
        for m in sorted(
            oa(corp).meetings.values(), key=lambda m: (m.data["meeting_start"], m.meetingid)
        )
        if m.owner == agentid
        and (m.data["admin_userid"] == userid or userid in m.data["invitees"])
        # Doc 99050: the window applies to meetings that have started; meetings not yet
        # started are always returned.
        and (m.data["meeting_start"] > now or begin <= m.data["meeting_start"] <= end)
    ]
    offset = int(cursor)
    page = ids[offset : offset + limit]
    out: dict[str, Any] = {"meetingid_list": page}
    out["next_cursor"] = str(offset + limit) if offset + limit < len(ids) else ""
    return out
