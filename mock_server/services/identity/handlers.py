"""Identity endpoints: OAuth2 code exchange, user tickets, JS-SDK tickets, JS-SDK voice."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import ApiResponse, Context
from mock_server.core.registry import APP, Family
from mock_server.services.identity import models as m

api = Family("identity")

CODE_ERRCODES = (40029, 41008, 42003, 42022, 50001)


@api.endpoint("GET", "auth/getuserinfo", scopes=(APP,), doc="91023", errcodes=CODE_ERRCODES)
def auth_getuserinfo(ctx: Context) -> dict[str, Any]:
    """Trade an OAuth2 / web-login code for the visitor: userid (+ user_ticket) or openid."""
    return m.exchange_code(ctx.corp, ctx.agent, ctx.query.get("code"))


@api.endpoint("GET", "user/getuserinfo", scopes=(APP,), doc="91023", errcodes=CODE_ERRCODES)
def user_getuserinfo(ctx: Context) -> dict[str, Any]:
    """Legacy path of auth/getuserinfo, CamelCase keys (UserId/OpenId/DeviceId)."""
    info = m.exchange_code(ctx.corp, ctx.agent, ctx.query.get("code"))
    # DeviceId is random per install on real clients; a stable fake keeps runs repeatable.
    device = "10000" + (info.get("userid") or info.get("openid") or "")[:11].upper().ljust(11, "0")
    out: dict[str, Any] = {}
    if "userid" in info:
        out["UserId"] = info["userid"]
        out["DeviceId"] = device
        if "user_ticket" in info:
            out["user_ticket"] = info["user_ticket"]
            out["expires_in"] = m.USER_TICKET_TTL
    else:
        out["OpenId"] = info["openid"]
        out["DeviceId"] = device
        if "external_userid" in info:
            out["external_userid"] = info["external_userid"]
    return out


DETAIL_ERRCODES = (84014, 84015, 84090, 92000)


@api.endpoint("POST", "auth/getuserdetail", scopes=(APP,), doc="95833", errcodes=DETAIL_ERRCODES)
def auth_getuserdetail(ctx: Context) -> dict[str, Any]:
    """Trade a user_ticket (snsapi_privateinfo) for the member's sensitive fields."""
    return m.user_detail(ctx.corp, ctx.agent, ctx.json().get("user_ticket"))


@api.endpoint("POST", "user/getuserdetail", scopes=(APP,), doc="95833", errcodes=DETAIL_ERRCODES)
def user_getuserdetail(ctx: Context) -> dict[str, Any]:
    """Legacy path of auth/getuserdetail."""
    return m.user_detail(ctx.corp, ctx.agent, ctx.json().get("user_ticket"))


@api.endpoint("GET", "get_jsapi_ticket", scopes=(APP,), doc="90506", errcodes=(45009,))
def get_jsapi_ticket(ctx: Context) -> dict[str, Any]:
    """The corp's JS-SDK ticket (wx.config), 7200 s, the same one while valid; 400/hour."""
    ticket = m.corp_jsapi_ticket(ctx.corp)
    return {"ticket": ticket.ticket, "expires_in": ticket.expires_at - ctx.now}


@api.endpoint("GET", "ticket/get", scopes=(APP,), doc="90506", errcodes=(45009, 91040))
def ticket_get(ctx: Context) -> dict[str, Any]:
    """The app's JS-SDK ticket (``type=agent_config``, wx.agentConfig); 100/hour per app."""
    if ctx.query.get("type") != "agent_config":
        # type=wx_card (e-invoice) is real but not emulated: answered like an unknown type.
        raise WeComError(91040)
    agentid = ctx.agentid
    assert agentid is not None
    ticket = m.agent_jsapi_ticket(ctx.corp, agentid)
    return {"ticket": ticket.ticket, "expires_in": ticket.expires_at - ctx.now}


@api.endpoint(
    "GET", "media/get/jssdk", scopes=(APP,), doc="90255", errcodes=(40007,), binary_response=True
)
def media_get_jssdk(ctx: Context) -> ApiResponse:
    """Download a voice a page uploaded with JS-SDK uploadVoice (speex, 16 kHz)."""
    from mock_server.services.messaging.media.models import require_media

    media_id = ctx.query.get("media_id")
    item = require_media(ctx.corp, media_id or None, types=("voice",))
    name = item.filename.rsplit(".", 1)[0] + ".speex"
    return ApiResponse(
        item.data,
        content_type="voice/speex",
        headers={"Content-disposition": f'attachment; filename="{name}"'},
    )
