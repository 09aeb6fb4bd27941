"""Schedule endpoints (日程): add/update/get/del, get_by_calendar, add/del_attendees."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.params import get_obj
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, Family
from mock_server.services.oa.calendar.models import find_calendar
from mock_server.services.oa.common import owner
from mock_server.services.oa.meetingroom.models import booking_of_schedule
from mock_server.services.oa.schedule import models as sc

api = Family("oa")


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
    corp = ctx.corp
    data = sc.read_schedule(corp, owner(ctx), s, None, False)
    return {"schedule_id": sc.add_schedule(corp, owner(ctx), data, ctx.now)}


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
        90700,
        48002,
    ),
)
def schedule_update(ctx: Context) -> dict[str, Any]:
    """Overwrite a schedule; op_mode 1/2 splits one occurrence (or the rest) off a series."""
    body = ctx.json()
    s = get_obj(body, "schedule", missing=40058)
    assert s is not None
    corp = ctx.corp
    sch = sc.find_schedule(corp, s.get("schedule_id"), owner(ctx))
    if booking_of_schedule(corp, sch.schedule_id) is not None:
        raise WeComError(90700)  # a booked room: cancel the booking first
    mode, at = sc.op_mode(body, sch)
    data = sc.read_schedule(corp, owner(ctx), s, sch, bool(body.get("skip_attendees")))
    sid = sc.update_schedule(corp, owner(ctx), sch, data, mode, at, ctx.now)
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
    if len(ids) > sc.MAX_IDS:
        raise WeComError(40058, f"schedule_id_list at most {sc.MAX_IDS}.")
    corp = ctx.corp
    found = [sc.find_schedule(corp, i, owner(ctx), live=False) for i in ids]
    return {"schedule_list": [sc.schedule_dict(s) for s in found]}


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
    sch = sc.find_schedule(ctx.corp, body.get("schedule_id"), owner(ctx))
    mode, at = sc.op_mode(body, sch)
    sc.cancel_schedule(sch, mode, at)


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
    corp = ctx.corp
    cal = find_calendar(corp, body.get("cal_id"), owner(ctx))
    page = sc.schedules_of_calendar(
        corp, cal.cal_id, owner(ctx), body.get("offset", 0), body.get("limit", 500)
    )
    return {"schedule_list": [sc.schedule_dict(s) for s in page]}


def _attendee_change(ctx: Context, add: bool) -> None:
    body = ctx.json()
    corp = ctx.corp
    sch = sc.find_schedule(corp, body.get("schedule_id"), owner(ctx))
    sc.change_attendees(corp, sch, body.get("attendees"), add)


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
