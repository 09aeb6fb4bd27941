"""Meeting rooms (会议室) and their bookings, tied to schedules and meetings; no HTTP.

Room ids are integers; booking ids opaque ``bk...AAA`` strings. Bookings sit on a
30-minute grid. A booking made by an app belongs to it (90499 for others). Conflicting
times of a one-off booking are refused with 40058 (the real code is undocumented); the
occurrences of a repeating schedule that collide are left out and reported in
``conflict_date`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.events import SOURCE_API, DomainEvent
from mock_server.core.state import Corp

SLOT = 1800
GRACE = 900  # a booking may start up to 15 minutes in the past
CN_OFFSET = 8 * 3600
DAY = 86400
BOOKED, CANCELLED = 0, 1
EQUIPMENT = (1, 2, 3, 4, 5)  # TV, telephone, projector, whiteboard, video conferencing


@dataclass
class MeetingRoomStore:
    rooms: dict[int, dict[str, Any]] = field(default_factory=dict)  # list shape + range, flags
    next_id: int = 1
    # booking_id -> {booking_id, meetingroom_id, schedule_id, meetingid, booker, owner,
    #                slots: [[start, end], ...], status}
    bookings: dict[str, dict[str, Any]] = field(default_factory=dict)


def meetingroom(corp: Corp) -> MeetingRoomStore:
    return corp.store("meetingroom")


def find_room(corp: Corp, raw: Any) -> dict[str, Any]:
    room = (
        meetingroom(corp).rooms.get(raw)
        if isinstance(raw, int) and not isinstance(raw, bool)
        else None
    )
    if room is None:
        raise WeComError(40058, "meetingroom_id invalid.")
    return room


def room_view(room: dict[str, Any]) -> dict[str, Any]:
    """The room as ``oa/meetingroom/list`` shows it (no range, no internal flags)."""
    out: dict[str, Any] = {k: room[k] for k in ("meetingroom_id", "name", "capacity") if k in room}
    for k in ("city", "building", "floor"):
        if room.get(k):
            out[k] = room[k]
    out["equipment"] = list(room.get("equipment", []))
    if room.get("coordinate"):
        out["coordinate"] = dict(room["coordinate"])
    out["need_approval"] = room.get("need_approval", 0)
    return out


def snap(start: int, end: int, now: int) -> tuple[int, int]:
    """Half-hour grid (start down, end up), 30 minutes at least; a start more than 15
    minutes in the past moves to the next slot; a booking that has ended is refused."""
    if end <= start:
        raise WeComError(40058, "end_time must be after start_time.")
    if end <= now:
        raise WeComError(40058, "end_time has passed.")
    start = (start + CN_OFFSET) // SLOT * SLOT - CN_OFFSET
    end = -(-(end + CN_OFFSET) // SLOT) * SLOT - CN_OFFSET
    if start < now - GRACE:
        start = -(-(now + CN_OFFSET) // SLOT) * SLOT - CN_OFFSET
    end = max(end, start + SLOT)
    return start, end


def busy(corp: Corp, room_id: int, start: int, end: int, skip: str | None = None) -> bool:
    for b in meetingroom(corp).bookings.values():
        if b["meetingroom_id"] != room_id or b["status"] != BOOKED or b["booking_id"] == skip:
            continue
        if any(s < end and start < e for s, e in b["slots"]):
            return True
    return False


def bookable(room: dict[str, Any], corp: Corp, booker: str) -> None:
    if room.get("disabled"):
        raise WeComError(90711)
    if room.get("need_approval"):
        raise WeComError(40058, "meetingroom needs approval; book it in the app.")
    rng = room.get("range")
    if rng:
        from mock_server.services.contacts import models as cm

        user = cm.contacts(corp).find_user(booker)
        depts = set(user.department) if user else set()
        store = cm.contacts(corp)
        allowed = {u.lower() for u in rng.get("user_list", [])}
        in_dept = any(
            store.is_descendant(d, int(p)) for d in depts for p in rng.get("department_list", [])
        )
        if booker.lower() not in allowed and not in_dept:
            raise WeComError(60030, "booker outside the meetingroom's range.")


def new_booking(
    corp: Corp,
    room: dict[str, Any],
    booker: str,
    owner: int | None,
    slots: list[list[int]],
    *,
    schedule_id: str = "",
    meetingid: str = "",
) -> dict[str, Any]:
    booking_id = "bk" + corp.ids.hex(21) + "AAA"
    booking = {
        "booking_id": booking_id,
        "meetingroom_id": room["meetingroom_id"],
        "schedule_id": schedule_id,
        "meetingid": meetingid,
        "booker": booker,
        "owner": owner,
        "slots": slots,
        "status": BOOKED,
    }
    meetingroom(corp).bookings[booking_id] = booking
    emit(corp, "book_meeting_room", booking)
    return booking


def emit(corp: Corp, kind: str, booking: dict[str, Any]) -> None:
    """book_meeting_room / cancel_meeting_room (doc 95333); FromUserName is the booker."""
    pair = [("MeetingRoomId", booking["meetingroom_id"]), ("BookingId", booking["booking_id"])]
    if kind == "cancel_meeting_room":
        pair.reverse()
    corp.emit(
        DomainEvent(
            corpid=corp.corpid,
            kind=kind,
            data=dict(pair),
            time=corp.clock.time(),
            source=SOURCE_API,
            actor_scope="app",
            actor_agentid=booking["owner"],
            target=booking["owner"],
            meta={"from_user": booking["booker"]},
        )
    )


def booking_of_schedule(corp: Corp, schedule_id: str) -> dict[str, Any] | None:
    for b in meetingroom(corp).bookings.values():
        if b["status"] == BOOKED and b["schedule_id"] == schedule_id:
            return b
    return None


def find_booking(corp: Corp, booking_id: Any) -> dict[str, Any]:
    b = meetingroom(corp).bookings.get(booking_id) if isinstance(booking_id, str) else None
    if b is None:
        raise WeComError(40058, "booking_id invalid.")
    return b
