"""Calendar endpoints (日历): oa/calendar/add|update|get|del."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.params import get_obj
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, Family
from mock_server.services.oa.calendar import models as cal_m
from mock_server.services.oa.common import owner

api = Family("oa")


@api.endpoint(
    "POST",
    "oa/calendar/add",
    scopes=(APP,),
    doc="93647",
    errcodes=(40058, 90456, 90473, 90483, 90492, 48002),
)
def calendar_add(ctx: Context) -> dict[str, Any]:
    """Create a calendar owned by the calling app."""
    corp = ctx.corp
    cal = get_obj(ctx.json(), "calendar", missing=40058)
    assert cal is not None
    data, failed = cal_m.read_calendar(corp, cal, None)
    cal_id = cal_m.add_calendar(corp, owner(ctx), data, ctx.now)
    return {"cal_id": cal_id, "fail_result": {"shares": failed}}


@api.endpoint(
    "POST",
    "oa/calendar/update",
    scopes=(APP,),
    doc="97716",
    errcodes=(40058, 90457, 90459, 90463, 90466, 90473, 90492, 48002),
)
def calendar_update(ctx: Context) -> dict[str, Any]:
    """Overwrite a calendar (omitted optional fields are cleared; is_public kept)."""
    corp = ctx.corp
    body = ctx.json()
    cal = get_obj(body, "calendar", missing=40058)
    assert cal is not None
    stored = cal_m.find_calendar(corp, cal.get("cal_id"), owner(ctx))
    data, failed = cal_m.read_calendar(corp, cal, stored)
    cal_m.update_calendar(stored, data, skip_public_range=bool(body.get("skip_public_range")))
    return {"fail_result": {"shares": failed}}


@api.endpoint(
    "POST",
    "oa/calendar/get",
    scopes=(APP,),
    doc="97717",
    errcodes=(90457, 90458, 90459, 90466, 48002),
)
def calendar_get(ctx: Context) -> dict[str, Any]:
    """Calendars by id (at most 1000)."""
    ids = ctx.json().get("cal_id_list")
    if not isinstance(ids, list) or not ids:
        raise WeComError(90458)
    if len(ids) > cal_m.MAX_IDS:
        raise WeComError(40058, f"cal_id_list at most {cal_m.MAX_IDS}.")
    corp = ctx.corp
    found = [cal_m.find_calendar(corp, c, owner(ctx)) for c in ids]
    return {"calendar_list": [cal_m.calendar_dict(c) for c in found]}


@api.endpoint(
    "POST",
    "oa/calendar/del",
    scopes=(APP,),
    doc="97718",
    errcodes=(90457, 90459, 90466, 90712, 48002),
)
def calendar_del(ctx: Context) -> None:
    """Delete a calendar (not a default one)."""
    cal = cal_m.find_calendar(ctx.corp, ctx.json().get("cal_id"), owner(ctx))
    cal_m.delete_calendar(cal)
