"""Meeting endpoints (预约会议): create/update/cancel/get_info/get_user_meetingid."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, Family
from mock_server.services.oa.common import owner
from mock_server.services.oa.meeting import models as mt

api = Family("oa")


@api.endpoint(
    "POST",
    "meeting/create",
    scopes=(APP,),
    doc="99104",
    errcodes=(
        400021,
        400025,
        400026,
        400027,
        400029,
        400030,
        400031,
        400032,
        400033,
        400034,
        400035,
        400036,
        400037,
        400040,
        400042,
        400043,
        400222,
        400237,
        400302,
        400313,
        48002,
    ),
)
def meeting_create(ctx: Context) -> dict[str, Any]:
    """Book a meeting in the future; invitees beyond the corp limit come back in excess_users."""
    body = ctx.json()
    corp = ctx.corp
    data, excess = mt.read_meeting(corp, ctx.agent, ctx.agentid, body, None, ctx.now)
    check = not body.get("skip_duplicate_check")
    meetingid = mt.create_meeting(corp, owner(ctx), data, ctx.now, check_duplicate=check)
    return {"meetingid": meetingid, "excess_users": excess}


@api.endpoint(
    "POST",
    "meeting/update",
    scopes=(APP,),
    doc="99047",
    errcodes=(
        400021,
        400025,
        400026,
        400027,
        400029,
        400030,
        400031,
        400032,
        400033,
        400034,
        400035,
        400036,
        400037,
        400041,
        400042,
        400221,
        400222,
        400223,
        400237,
        400304,
        400307,
        48002,
    ),
)
def meeting_update(ctx: Context) -> dict[str, Any]:
    """Change a pending meeting (only the fields sent)."""
    body = ctx.json()
    corp = ctx.corp
    m = mt.find_meeting(corp, body.get("meetingid"), owner(ctx), for_write=True)
    mt.require_pending(m, ctx.now, 400221)
    m.data, excess = mt.read_meeting(corp, ctx.agent, ctx.agentid, body, m.data, ctx.now)
    return {"excess_users": excess}


@api.endpoint(
    "POST",
    "meeting/cancel",
    scopes=(APP,),
    doc="99048",
    errcodes=(400041, 400224, 400304, 400307, 48002),
)
def meeting_cancel(ctx: Context) -> None:
    """Cancel a pending meeting."""
    corp = ctx.corp
    m = mt.find_meeting(corp, ctx.json().get("meetingid"), owner(ctx), for_write=True)
    mt.require_pending(m, ctx.now, 400224)
    m.cancelled = True


@api.endpoint(
    "POST",
    "meeting/get_info",
    scopes=(APP,),
    doc="99049",
    errcodes=(400307, 400308, 48002),
)
def meeting_get_info(ctx: Context) -> dict[str, Any]:
    """A meeting's details; status follows the clock."""
    corp = ctx.corp
    m = mt.find_meeting(corp, ctx.json().get("meetingid"), owner(ctx), for_write=False)
    return mt.meeting_dict(corp, m, ctx.now)


@api.endpoint(
    "POST",
    "meeting/get_user_meetingid",
    scopes=(APP,),
    doc="99050",
    errcodes=(400021, 400038, 400223, 40058, 48002),
)
def meeting_get_user_meetingid(ctx: Context) -> dict[str, Any]:
    """Ids of the app's meetings a member hosts or is invited to, in a <= 180-day window."""
    return mt.user_meetingids(ctx.corp, owner(ctx), ctx.json(), ctx.now)
