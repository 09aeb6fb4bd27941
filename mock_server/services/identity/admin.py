"""``/__admin/identity/...``: log somebody in without a browser, check JS-SDK signatures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest
from mock_server.services.identity.api import IdentityAPI
from mock_server.services.identity.models import AuthorizeError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> IdentityAPI:
    return emu.api("identity", IdentityAPI)


def _agentid(body: Mapping[str, Any]) -> int | None:
    agentid = body.get("agentid")
    if agentid is not None and (isinstance(agentid, bool) or not isinstance(agentid, int)):
        raise AdminError("agentid must be an integer")
    return agentid


@admin.action("POST", "/identity/oauth/code")
def oauth_code(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Log somebody in without a browser: {userid|openid, agentid, scope, redirect_uri, sso}."""
    body = req.body
    for key in ("userid", "openid", "redirect_uri"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise AdminError(f"{key} must be a string")
    try:
        return _api(emu).oauth_login(
            body.get("userid"),
            openid=body.get("openid"),
            agentid=_agentid(body),
            scope=str(body.get("scope", "snsapi_base")),
            redirect_uri=body.get("redirect_uri"),
            state=str(body.get("state", "")),
            sso=bool(body.get("sso", False)),
            corpid=req.corpid(emu),
        )
    except (AuthorizeError, KeyError) as exc:
        raise AdminError(str(exc).strip("'\"")) from None


@admin.action("POST", "/identity/jsapi/verify")
def jsapi_verify(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Check a wx.config / wx.agentConfig signature as the WeCom client would."""
    body = req.body
    for key in ("url", "noncestr", "signature"):
        if not isinstance(body.get(key), str):
            raise AdminError(f"{key} must be a string")
    timestamp = body.get("timestamp")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | str):
        raise AdminError("timestamp must be Unix seconds")
    try:
        return _api(emu).check_jsapi_signature(
            url=body["url"],
            noncestr=body["noncestr"],
            timestamp=timestamp,
            signature=body["signature"],
            agent_config=bool(body.get("agent_config", False)),
            agentid=_agentid(body),
            corpid=req.corpid(emu),
        )
    except KeyError as exc:
        raise AdminError(str(exc).strip("'\"")) from None
