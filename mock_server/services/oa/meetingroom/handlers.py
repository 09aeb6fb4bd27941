"""Meeting-room endpoints (会议室): rooms, bookings by time, by schedule, by meeting.

Callers: a self-built app listed under 会议室 -> 可调用接口的应用 (fixture permission
``meetingroom``). Parameter errors are 40058 (the pages document no codes of their own).
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.params import get_str
from mock_server.core.pipeline import Context
from mock_server.core.registry import Family
from mock_server.services.contacts import models as cm
from mock_server.services.oa.common import owner, userids
from mock_server.services.oa.meeting import models as mt
from mock_server.services.oa.meetingroom import models as mr
from mock_server.services.oa.schedule import models as sc
from mock_server.services.oa.store import Schedule, oa

api = Family("oa")
PERM = "meetingroom"
LOCATION = ("city", "building", "floor")


def _int(body: dict[str, Any], key: str, required: bool = True) -> int | None:
    raw = body.get(key)
    if raw is None and not required:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 0xFFFFFFFF:
        raise WeComError(40058, f"{key} invalid.")
    return raw


def _room_fields(ctx: Context, body: dict[str, Any], room: dict[str, Any], new: bool) -> None:
    """Validate add/edit fields into ``room`` (only after every check passed)."""
    out: dict[str, Any] = {}
    if new or "name" in body:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 30:
            raise WeComError(40058, "name must be 1 to 30 characters.")
        out["name"] = name
    if new or "capacity" in body:
        cap = _int(body, "capacity")
        out["capacity"] = cap
    given = [k for k in LOCATION if body.get(k) not in (None, "")]
    if given and len(given) != 3:
        raise WeComError(40058, "city, building and floor go together.")
    for k in given:
        if not isinstance(body[k], str) or len(body[k]) > 30:
            raise WeComError(40058, f"{k} invalid.")
        out[k] = body[k]
    if "equipment" in body:
        eq = body["equipment"]
        if not isinstance(eq, list) or any(
            e not in mr.EQUIPMENT or isinstance(e, bool) for e in eq
        ):
            raise WeComError(40058, "equipment must be a list of 1-5.")
        out["equipment"] = sorted(set(eq))
    if "coordinate" in body:
        co = body["coordinate"]
        if not isinstance(co, dict) or not all(
            isinstance(co.get(k), str) for k in ("latitude", "longitude")
        ):
            raise WeComError(40058, "coordinate needs latitude and longitude strings.")
        out["coordinate"] = {"latitude": co["latitude"], "longitude": co["longitude"]}
    if "range" in body:
        out["range"] = _range(ctx, body["range"])
    room.update(out)


def _range(ctx: Context, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise WeComError(40058, "range must be an object.")
    corp = ctx.corp
    users = userids(corp, raw.get("user_list", []), "range.user_list", 40058)
    depts = raw.get("department_list", [])
    store = cm.contacts(corp)
    if not isinstance(depts, list) or any(
        not isinstance(d, int) or d not in store.departments for d in depts
    ):
        raise WeComError(40058, "range.department_list invalid.")
    if len(users) > 1000 or len(depts) > 1000:
        raise WeComError(40058, "range lists at most 1000.")
    return {"user_list": users, "department_list": list(depts)}


@api.endpoint(
    "POST", "oa/meetingroom/add", app_permission=PERM, doc="93619", errcodes=(40058, 48002)
)
def meetingroom_add(ctx: Context) -> dict[str, Any]:
    """Add a meeting room (name, capacity, location, equipment, coordinate, range)."""
    body = ctx.json()
    room: dict[str, Any] = {"equipment": [], "need_approval": 0}
    _room_fields(ctx, body, room, new=True)
    store = mr.meetingroom(ctx.corp)
    room["meetingroom_id"] = store.next_id
    store.rooms[store.next_id] = room
    store.next_id += 1
    return {"meetingroom_id": room["meetingroom_id"]}


@api.endpoint(
    "POST", "oa/meetingroom/list", app_permission=PERM, doc="93619", errcodes=(40058, 48002)
)
def meetingroom_list(ctx: Context) -> dict[str, Any]:
    """Rooms, filtered by city > building > floor and equipment (rooms having all of it)."""
    body = ctx.json()
    filters = {k: v for k in LOCATION if (v := get_str(body, k)) is not None}
    for i, k in enumerate(LOCATION[1:], 1):
        if k in filters and LOCATION[i - 1] not in filters:
            raise WeComError(40058, f"{k} needs {LOCATION[i - 1]}.")
    eq = body.get("equipment") or []
    if not isinstance(eq, list):
        raise WeComError(40058, "equipment must be a list.")
    out = [
        mr.room_view(r)
        for _, r in sorted(mr.meetingroom(ctx.corp).rooms.items())
        if all(r.get(k) == v for k, v in filters.items()) and set(eq) <= set(r.get("equipment", []))
    ]
    return {"meetingroom_list": out}


@api.endpoint(
    "POST", "oa/meetingroom/edit", app_permission=PERM, doc="93619", errcodes=(40058, 48002)
)
def meetingroom_edit(ctx: Context) -> None:
    """Change a room; ``range`` replaces the whole usage range."""
    body = ctx.json()
    room = mr.find_room(ctx.corp, body.get("meetingroom_id"))
    staged = dict(room)
    _room_fields(ctx, body, staged, new=False)
    room.update(staged)


@api.endpoint(
    "POST", "oa/meetingroom/del", app_permission=PERM, doc="93619", errcodes=(40058, 48002)
)
def meetingroom_del(ctx: Context) -> None:
    """Delete a room; its bookings are cancelled (cancel_meeting_room events)."""
    corp = ctx.corp
    room = mr.find_room(corp, ctx.json().get("meetingroom_id"))
    store = mr.meetingroom(corp)
    for b in store.bookings.values():
        if b["meetingroom_id"] == room["meetingroom_id"] and b["status"] == mr.BOOKED:
            b["status"] = mr.CANCELLED
            mr.emit(corp, "cancel_meeting_room", b)
    del store.rooms[room["meetingroom_id"]]


def _next_midnight(now: int) -> int:
    return (now + mr.CN_OFFSET) // mr.DAY * mr.DAY - mr.CN_OFFSET + mr.DAY


@api.endpoint(
    "POST",
    "oa/meetingroom/get_booking_info",
    app_permission=PERM,
    doc="93620",
    errcodes=(40058, 48002),
)
def get_booking_info(ctx: Context) -> dict[str, Any]:
    """Bookings of the rooms in a window within one day (default: now to midnight)."""
    body = ctx.json()
    corp = ctx.corp
    start = _int(body, "start_time", required=False) or ctx.now
    end = _int(body, "end_time", required=False) or _next_midnight(start)
    if end <= start:
        raise WeComError(40058, "end_time must be after start_time.")
    if end > _next_midnight(start):
        raise WeComError(40058, "start_time and end_time must be within one day.")
    room_id = body.get("meetingroom_id")
    selected = [mr.find_room(corp, room_id)] if room_id is not None else None
    listed = meetingroom_list(ctx)["meetingroom_list"] if selected is None else selected
    out = []
    for room in listed:
        rid = room["meetingroom_id"]
        sched = [
            {"booking_id": b["booking_id"], "schedule_id": b["schedule_id"], "start_time": s,
             "end_time": e, "booker": b["booker"], "status": 0}
            for b in mr.meetingroom(corp).bookings.values()
            if b["meetingroom_id"] == rid and b["status"] == mr.BOOKED
            for s, e in b["slots"]
            if s < end and start < e
        ]  # fmt: skip
        sched.sort(key=lambda x: (x["start_time"], x["booking_id"]))
        out.append({"meetingroom_id": rid, "schedule": sched})
    return {"booking_list": out}


def _booker(ctx: Context, body: dict[str, Any]) -> str:
    raw = body.get("booker")
    if not raw:
        raise WeComError(40058, "booker required.")
    return userids(ctx.corp, [raw], "booker", 40058)[0]


@api.endpoint(
    "POST", "oa/meetingroom/book", app_permission=PERM, doc="93620",
    errcodes=(40058, 48002, 60030, 90711),
)  # fmt: skip
def meetingroom_book(ctx: Context) -> dict[str, Any]:
    """Book a room on the half-hour grid and create the linked schedule."""
    body = ctx.json()
    corp = ctx.corp
    room = mr.find_room(corp, body.get("meetingroom_id"))
    booker = _booker(ctx, body)
    attendees = userids(corp, body.get("attendees", []), "attendees", 40058)
    subject = body.get("subject", "")
    if not isinstance(subject, str) or len(subject) > 128:
        raise WeComError(40058, "subject invalid.")
    start, end = mr.snap(_int(body, "start_time") or 0, _int(body, "end_time") or 0, ctx.now)
    mr.bookable(room, corp, booker)
    if mr.busy(corp, room["meetingroom_id"], start, end):
        raise WeComError(40058, "meetingroom already booked in that time.")
    sid = corp.ids.hex(29) + "AAA"
    people = [booker] + [a for a in attendees if a != booker]
    data = {
        "cal_id": "", "organizer": booker, "admins": [],
        "attendees": [{"userid": u, "response_status": 0} for u in people],
        "summary": subject or room["name"], "description": "", "location": room["name"],
        "start_time": start, "end_time": end, "is_whole_day": 0,
        "reminders": sc.reminders({}, False),
    }  # fmt: skip
    oa(corp).schedules[sid] = Schedule(sid, owner(ctx), data, ctx.now)
    b = mr.new_booking(corp, room, booker, owner(ctx), [[start, end]], schedule_id=sid)
    return {"booking_id": b["booking_id"], "schedule_id": sid}


def _occurrences(data: dict[str, Any], now: int) -> list[tuple[int, int]]:
    """Start/end of a schedule's occurrences (a repeating one: up to a year ahead)."""
    start, end = data["start_time"], data["end_time"]
    rem = data.get("reminders", {})
    if not rem.get("is_repeat"):
        return [(start, end)]
    until = rem.get("repeat_until") or start + 366 * mr.DAY
    excluded = {x["start_time"] for x in rem.get("exclude_time_list", [])}
    out = []
    for at in range(start, min(until, start + 366 * mr.DAY) + 1, mr.DAY):
        if at not in excluded and sc.is_occurrence(data, at) and at + (end - start) > now:
            out.append((at, at + end - start))
    return out


def _book_slots(
    ctx: Context, room: dict[str, Any], slots: list[tuple[int, int]], repeating: bool
) -> tuple[list[list[int]], list[int]]:
    corp = ctx.corp
    booked, conflicts = [], []
    for s, e in slots:
        s2, e2 = mr.snap(s, e, ctx.now)
        if mr.busy(corp, room["meetingroom_id"], s2, e2):
            if not repeating:
                raise WeComError(40058, "meetingroom already booked in that time.")
            conflicts.append((s2 + mr.CN_OFFSET) // mr.DAY * mr.DAY - mr.CN_OFFSET)
        else:
            booked.append([s2, e2])
    if not booked:
        raise WeComError(40058, "meetingroom already booked at every occurrence.")
    return booked, conflicts


@api.endpoint(
    "POST", "oa/meetingroom/book_by_schedule", app_permission=PERM, doc="93620",
    errcodes=(40058, 48002, 60030, 90460, 90461, 90466, 90498, 90711),
)  # fmt: skip
def book_by_schedule(ctx: Context) -> dict[str, Any]:
    """Book a room for a schedule this app created (repeating ones: per occurrence)."""
    body = ctx.json()
    corp = ctx.corp
    room = mr.find_room(corp, body.get("meetingroom_id"))
    sch = sc.find_schedule(corp, body.get("schedule_id"), owner(ctx))
    booker = _booker(ctx, body)
    if mr.booking_of_schedule(corp, sch.schedule_id):
        raise WeComError(90498)
    mr.bookable(room, corp, booker)
    repeating = bool(sch.data.get("reminders", {}).get("is_repeat"))
    slots, conflicts = _book_slots(ctx, room, _occurrences(sch.data, ctx.now), repeating)
    b = mr.new_booking(corp, room, booker, owner(ctx), slots, schedule_id=sch.schedule_id)
    return {"booking_id": b["booking_id"], "conflict_date": conflicts}


@api.endpoint(
    "POST", "oa/meetingroom/book_by_meeting", app_permission=PERM, doc="93620",
    errcodes=(40058, 48002, 60030, 90498, 90711, 400304, 400307),
)  # fmt: skip
def book_by_meeting(ctx: Context) -> dict[str, Any]:
    """Book a room for a meeting this app created (``meetingid``)."""
    body = ctx.json()
    corp = ctx.corp
    room = mr.find_room(corp, body.get("meetingroom_id"))
    meeting = mt.find_meeting(corp, body.get("meetingid"), owner(ctx), for_write=True)
    booker = _booker(ctx, body)
    if any(
        b["meetingid"] == meeting.meetingid and b["status"] == mr.BOOKED
        for b in mr.meetingroom(corp).bookings.values()
    ):
        raise WeComError(90498)
    mr.bookable(room, corp, booker)
    d = meeting.data
    slots, conflicts = _book_slots(
        ctx, room, [(d["meeting_start"], d["meeting_start"] + d["meeting_duration"])], False
    )
    b = mr.new_booking(corp, room, booker, owner(ctx), slots, meetingid=meeting.meetingid)
    return {"booking_id": b["booking_id"], "conflict_date": conflicts}


@api.endpoint(
    "POST", "oa/meetingroom/cancel_book", app_permission=PERM, doc="93620",
    errcodes=(40058, 48002, 90499),
)  # fmt: skip
def cancel_book(ctx: Context) -> None:
    """Cancel a booking (``meeting_id`` is accepted as the old name of ``booking_id``)."""
    body = ctx.json()
    corp = ctx.corp
    b = mr.find_booking(corp, body.get("booking_id", body.get("meeting_id")))
    if b["owner"] != owner(ctx):
        raise WeComError(90499)
    if b["status"] != mr.BOOKED:
        raise WeComError(40058, "booking already cancelled.")
    keep = body.get("keep_schedule", 0)
    if keep not in (0, 1):
        raise WeComError(40058, "keep_schedule must be 0 or 1.")
    day = body.get("cancel_date")
    if day is not None:
        if isinstance(day, bool) or not isinstance(day, int):
            raise WeComError(40058, "cancel_date invalid.")
        rest = [s for s in b["slots"] if not day <= s[0] < day + mr.DAY]
        if len(rest) == len(b["slots"]):
            raise WeComError(40058, "no occurrence on cancel_date.")
        if rest:
            b["slots"] = rest
            mr.emit(corp, "cancel_meeting_room", b)
            return
    b["status"] = mr.CANCELLED
    sch = oa(corp).schedules.get(b["schedule_id"])
    if sch is not None and not keep and b["meetingid"] == "":
        sch.status = 1
    mr.emit(corp, "cancel_meeting_room", b)


def _booking_view(b: dict[str, Any], legacy: bool = False) -> dict[str, Any]:
    start, end = b["slots"][0]
    out: dict[str, Any] = (
        {"meeting_id": b["booking_id"]} if legacy else {"booking_id": b["booking_id"]}
    )
    if not legacy and len(b["slots"]) > 1:
        out["master_booking_id"] = b["booking_id"]
    out.update(
        schedule_id=b["schedule_id"],
        start_time=start,
        end_time=end,
        booker=b["booker"],
        status=b["status"],
    )
    return out


@api.endpoint(
    "POST", "oa/meetingroom/bookinfo/get", app_permission=PERM, doc="93620", errcodes=(40058, 48002)
)
def bookinfo_get(ctx: Context) -> dict[str, Any]:
    """One booking by id (status 1 once cancelled)."""
    body = ctx.json()
    corp = ctx.corp
    room = mr.find_room(corp, body.get("meetingroom_id"))
    b = mr.find_booking(corp, body.get("booking_id"))
    if b["meetingroom_id"] != room["meetingroom_id"]:
        raise WeComError(40058, "booking_id is not a booking of this meetingroom.")
    return {"meetingroom_id": room["meetingroom_id"], "schedule": _booking_view(b)}


@api.endpoint(
    "POST", "oa/meetingroom/get_booking_info_by_meeting_id", app_permission=PERM, doc="93620",
    errcodes=(40058, 48002),
)  # fmt: skip
def get_booking_info_by_meeting_id(ctx: Context) -> dict[str, Any]:
    """The older name of bookinfo/get, with ``meeting_id`` for the booking id (SDKs use it)."""
    body = ctx.json()
    corp = ctx.corp
    room = mr.find_room(corp, body.get("meetingroom_id"))
    b = mr.find_booking(corp, body.get("meeting_id"))
    if b["meetingroom_id"] != room["meetingroom_id"]:
        raise WeComError(40058, "meeting_id is not a booking of this meetingroom.")
    return {"meetingroom_id": room["meetingroom_id"], "schedule": _booking_view(b, legacy=True)}
