"""Invitation, join QR code, 2FA, activity and id-lookup endpoints (thin over ``directory``)."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.params import get_int, get_list, get_str
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, CONTACTS
from mock_server.services.contacts_jobs import directory
from mock_server.services.contacts_jobs.handlers import api


@api.endpoint(
    "POST", "batch/invite", scopes=(CONTACTS, APP), doc="90975", errcodes=(40032, 40058, 82001)
)
def batch_invite(ctx: Context) -> dict[str, Any]:
    """Invite members (by userid, department or tag) who have not joined WeCom yet."""
    return directory.invite(ctx.corp, ctx.agent, ctx.json())


@api.endpoint("GET", "corp/get_join_qrcode", scopes=(CONTACTS,), doc="91714", errcodes=(40058,))
def corp_get_join_qrcode(ctx: Context) -> dict[str, Any]:
    """The corp's join QR code link (valid 7 days) in one of four sizes."""
    raw = ctx.query.get("size_type") or "3"  # wechatpy's default; the doc names none
    size = int(raw) if raw.isdecimal() else 0
    return {"join_qrcode": directory.join_qrcode(ctx.corp, size)}


@api.endpoint("GET", "user/authsucc", scopes=(CONTACTS, APP), doc="90203", errcodes=(41009, 60111))
def user_authsucc(ctx: Context) -> None:
    """Second-factor approval: lets a member who is joining in."""
    userid = get_str(ctx.query, "userid", missing=41009)
    directory.authsucc(ctx.corp, userid or "", ctx.scope)


@api.endpoint("POST", "user/get_active_stat", scopes=(CONTACTS,), doc="92714", errcodes=(40058,))
def user_get_active_stat(ctx: Context) -> dict[str, Any]:
    """How many members used WeCom on a day (at most 30 days back)."""
    date = get_str(ctx.json(), "date")
    if date is None:
        raise WeComError(40058, "date missing.")
    return {"active_cnt": directory.active_count(ctx.corp, date)}


@api.endpoint(
    "POST",
    "user/get_userid_by_email",
    scopes=(CONTACTS, APP),
    doc="95895",
    errcodes=(40058, 46004),
)
def user_get_userid_by_email(ctx: Context) -> dict[str, Any]:
    """e-mail (corp mailbox or personal) -> userid."""
    body = ctx.json()
    email = get_str(body, "email", missing=46004)
    email_type = get_int(body, "email_type")
    userid = directory.userid_by_email(
        ctx.corp, ctx.agent, email or "", 1 if email_type is None else email_type
    )
    return {"userid": userid}


@api.endpoint("POST", "batch/userid_to_openuserid", scopes=(), doc="95327", errcodes=(48002,))
def batch_userid_to_openuserid(ctx: Context) -> dict[str, Any]:
    """userid -> open_userid: agent-developed and third-party apps only (48002 here)."""
    raise WeComError(48002)  # pragma: no cover - the scope check answers first


@api.endpoint(
    "POST",
    "batch/openuserid_to_userid",
    scopes=(APP,),
    doc="95884",
    errcodes=(40056, 40058),
)
def batch_openuserid_to_userid(ctx: Context) -> dict[str, Any]:
    """open_userid (of another app of the corp) -> userid, for self-built apps."""
    body = ctx.json()
    ids = get_list(body, "open_userid_list")
    if not ids:
        raise WeComError(40058, "open_userid_list missing.")
    return directory.openuserid_to_userid(ctx.corp, ctx.agent, ids, body.get("source_agentid"))
