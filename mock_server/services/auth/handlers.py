"""``/cgi-bin/gettoken``: one token per (corpid, secret), the same one until it expires."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import AUTH_NONE, SCOPES, Family

api = Family("auth")

# Documented as fixed ranges of WeCom's callback senders; these are documentation-range
# addresses (RFC 5737), obviously not real.
CALLBACK_IPS = ["192.0.2.10", "192.0.2.11", "198.51.100.7"]
API_DOMAIN_IPS = ["203.0.113.20", "203.0.113.21"]


@api.endpoint(
    "GET",
    "gettoken",
    auth=AUTH_NONE,
    doc="91039",
    errcodes=(41002, 41004, 40013, 40001, 60020, 45009, -1),
)
def gettoken(ctx: Context) -> dict[str, Any]:
    """Get an access_token for a corp secret (7200 s; same token while valid)."""
    emu = ctx.emulator
    corpid = ctx.query.get("corpid", "")
    secret = ctx.query.get("corpsecret", "")
    if not corpid:
        raise WeComError(41002)
    if not secret:
        raise WeComError(41004)
    corp = ctx.resolved_corp  # the pipeline found the corp named by corpid, if any
    if corp is None:
        raise WeComError(40013)
    found = corp.secret_scope(secret)
    if found is None:
        raise WeComError(40001)
    scope, agentid = found
    now = emu.clock.time()
    info = emu.tokens.issue(corpid, secret, scope, agentid, now, emu.ids.token)
    ctx.token = info
    # Whether a re-issued token reports the remaining lifetime or 7200 is unconfirmed;
    # the remaining lifetime is what a client caching by expires_in needs to be correct.
    return {"access_token": info.token, "expires_in": info.expires_at - now}


@api.endpoint("GET", "getcallbackip", scopes=SCOPES, doc="90930")
def getcallbackip(ctx: Context) -> dict[str, Any]:
    """IP addresses WeCom sends callbacks from."""
    return {"ip_list": list(CALLBACK_IPS)}


@api.endpoint("GET", "get_api_domain_ip", scopes=SCOPES, doc="92520")
def get_api_domain_ip(ctx: Context) -> dict[str, Any]:
    """IP addresses of the API domain."""
    return {"ip_list": list(API_DOMAIN_IPS)}
