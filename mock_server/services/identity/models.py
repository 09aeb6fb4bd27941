"""Identity: OAuth2 codes (in-client web login and QR/SSO login), user tickets, JS-SDK tickets.

No HTTP here. The login pages (``web``) and the endpoints (``handlers``) both call these
functions; so does the Python API that hands a test a code without a browser.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mock_server.core.errors import WeComError
from mock_server.core.state import Agent, Corp

CODE_TTL = 300  # OAuth code: single use, 5 minutes (91022, 91023)
USER_TICKET_TTL = 1800  # user_ticket (91023)
JSAPI_TICKET_TTL = 7200  # both JS-SDK tickets (90506)
CORP_TICKET_PER_HOUR = 400  # get_jsapi_ticket fetches per corp per hour (90506, 90312)
AGENT_TICKET_PER_HOUR = 100  # ticket/get?type=agent_config per app per hour
MAX_CODES = 10_000  # live codes kept per corp (memory bound)

SCOPES = ("snsapi_base", "snsapi_privateinfo", "snsapi_userinfo")
KIND_OAUTH = "oauth"  # open.weixin.qq.com/connect/oauth2/authorize (inside the client)
KIND_SSO = "sso"  # login.work.weixin.qq.com (QR code / web login)


class AuthorizeError(ValueError):
    """What the real client shows on its error page instead of redirecting (no code)."""


@dataclass
class WeChatUser:
    """A non-member (a WeChat user opening the app's link in WeChat)."""

    openid: str
    nickname: str
    external_userid: str = ""


@dataclass
class AuthCode:
    code: str
    kind: str
    agentid: int | None
    scope: str
    redirect_host: str
    issued_at: int
    user_key: str | None = None
    openid: str | None = None
    used: bool = False


@dataclass
class UserTicket:
    ticket: str
    agentid: int
    user_key: str
    issued_at: int


@dataclass
class JsTicket:
    ticket: str
    expires_at: int


@dataclass
class IdentityStore:
    codes: dict[str, AuthCode] = field(default_factory=dict)
    user_tickets: dict[str, UserTicket] = field(default_factory=dict)
    wechat_users: dict[str, WeChatUser] = field(default_factory=dict)
    corp_ticket: JsTicket | None = None
    agent_tickets: dict[int, JsTicket] = field(default_factory=dict)
    # Every ticket ever handed out that is still valid, for signature checks.
    issued_tickets: dict[str, list[Any]] = field(default_factory=dict)
    # Fetch times in the last hour: "corp" and "agent:<id>".
    fetches: dict[str, list[int]] = field(default_factory=dict)
    # "single": 40029 for every bad, used or expired code (what captures show);
    # "split": 42003 expired, 42022 used (the published table).
    code_errors: str = "single"


def identity(corp: Corp) -> IdentityStore:
    return corp.store("identity")


def openid_for(corp: Corp, nickname: str) -> str:
    digest = hashlib.sha1(f"{corp.corpid}:wechat:{nickname}".encode()).hexdigest()
    return "oAAAA" + digest[:23]


# -- the authorize / login request ---------------------------------------------------------------
@dataclass
class LoginRequest:
    """A validated authorize (or SSO login) URL: who may log in and where to go back."""

    kind: str
    corpid: str
    agentid: int | None
    scope: str
    redirect_uri: str
    state: str

    @property
    def redirect_host(self) -> str:
        return host_of(self.redirect_uri)


def host_of(url: str) -> str:
    """``host[:port]`` of a URL, lower-case; the default port of the scheme is dropped."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port out of range: no host to match
        return ""
    host = (parts.hostname or "").lower()
    if port is not None and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        return f"{host}:{port}"
    return host


def trusted_domain(corp: Corp, agentid: int) -> str:
    """The app's trusted domain ("" when none): a read, so it never creates the app's
    settings (``settings_of`` would, even for an agentid no app has)."""
    from mock_server.services.apps.models import apps

    found = apps(corp).settings.get(agentid)
    return found.redirect_domain if found is not None else ""


def parse_login(corp_lookup: dict[str, Corp], params: dict[str, str], kind: str) -> LoginRequest:
    """Validate the query of the authorize page (kind oauth) or the SSO login page."""
    appid = params.get("appid", "")
    corp = corp_lookup.get(appid)
    if corp is None:
        raise AuthorizeError("appid参数错误 (unknown CorpID)")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or not redirect_uri.startswith(("http://", "https://")):
        raise AuthorizeError("redirect_uri参数错误 (missing or not an http(s) URL)")
    raw_agent = params.get("agentid", "")
    agentid: int | None = None
    if raw_agent:
        if not raw_agent.isdecimal() or int(raw_agent) not in corp.agents:
            raise AuthorizeError("agentid参数错误 (no such app)")
        agentid = int(raw_agent)
    state = params.get("state", "")
    if len(state.encode()) > 128:
        raise AuthorizeError("state参数错误 (longer than 128 bytes)")
    if kind == KIND_SSO:
        login_type = params.get("login_type", "CorpApp")
        if login_type != "CorpApp":
            raise AuthorizeError("login_type参数错误 (only CorpApp is emulated)")
        if agentid is None:
            raise AuthorizeError("agentid参数错误 (required for CorpApp)")
        scope = "snsapi_base"
    else:
        if params.get("response_type", "code") != "code":
            raise AuthorizeError("response_type参数错误 (must be code)")
        scope = params.get("scope", "")
        if scope not in SCOPES:
            raise AuthorizeError("scope参数错误 (snsapi_base or snsapi_privateinfo)")
        if scope == "snsapi_userinfo":  # pre-2020 scope, treated as privateinfo (unconfirmed)
            scope = "snsapi_privateinfo"
        if scope == "snsapi_privateinfo" and agentid is None:
            scope = "snsapi_base"  # documented silent downgrade without agentid (91022)
    req = LoginRequest(kind, corp.corpid, agentid, scope, redirect_uri, state)
    host = req.redirect_host
    domains = (
        [trusted_domain(corp, agentid)]
        if agentid is not None
        else [trusted_domain(corp, a) for a in corp.agents]
    )
    if not host or host not in [d for d in domains if d]:
        raise AuthorizeError(
            f"redirect_uri参数错误 ({host or 'no host'} is not the app's trusted domain)"
        )
    return req


def candidates(corp: Corp, req: LoginRequest) -> dict[str, list[dict[str, Any]]]:
    """Who the developer may log in as on the page: members (and WeChat users in-client)."""
    from mock_server.services.contacts import models as cm

    store = cm.contacts(corp)
    agent = corp.agents.get(req.agentid) if req.agentid is not None else None
    members = []
    for user in sorted(store.users.values(), key=lambda u: u.userid):
        visible = agent is None or cm.is_user_visible(corp, agent, user)
        allowed = visible or (req.kind == KIND_OAUTH and req.scope == "snsapi_base")
        members.append(
            {"userid": user.userid, "name": user.name, "visible": visible, "allowed": allowed}
        )
    wechat = []
    if req.kind == KIND_OAUTH:
        wechat = [
            {"openid": w.openid, "nickname": w.nickname}
            for w in identity(corp).wechat_users.values()
        ]
    return {"members": members, "wechat_users": wechat}


def _purge(store: IdentityStore, now: int) -> None:
    if len(store.codes) >= MAX_CODES:
        store.codes = {k: c for k, c in store.codes.items() if now - c.issued_at < CODE_TTL}
        while len(store.codes) >= MAX_CODES:
            del store.codes[next(iter(store.codes))]
    if len(store.user_tickets) >= MAX_CODES:
        store.user_tickets = {
            k: t for k, t in store.user_tickets.items() if now - t.issued_at < USER_TICKET_TTL
        }
        while len(store.user_tickets) >= MAX_CODES:
            del store.user_tickets[next(iter(store.user_tickets))]


def issue_code(
    corp: Corp,
    req: LoginRequest,
    *,
    userid: str | None = None,
    openid: str | None = None,
) -> tuple[str, str]:
    """The person picked on the page logs in: returns ``(code, redirect URL)``."""
    from mock_server.services.contacts import models as cm

    store = identity(corp)
    user_key = None
    if userid:
        user = cm.contacts(corp).find_user(userid)
        if user is None:
            raise AuthorizeError(f"no member {userid}")
        agent = corp.agents.get(req.agentid) if req.agentid is not None else None
        visible = agent is None or cm.is_user_visible(corp, agent, user)
        if not visible and (req.kind == KIND_SSO or req.scope == "snsapi_privateinfo"):
            # 91022: privateinfo outside the visibility is an error page; SSO refuses at scan.
            raise AuthorizeError(f"{userid} is outside the app's visibility (no permission)")
        user_key = user.key
    elif openid:
        if req.kind == KIND_SSO:
            raise AuthorizeError("only members can scan the login QR code")
        if openid not in store.wechat_users:
            raise AuthorizeError(f"no WeChat user {openid}")
    else:
        raise AuthorizeError("pick a member or a WeChat user")
    now = corp.clock.time()
    _purge(store, now)
    code = corp.ids.alnum(43)
    store.codes[code] = AuthCode(
        code=code,
        kind=req.kind,
        agentid=req.agentid,
        scope=req.scope,
        redirect_host=req.redirect_host,
        issued_at=now,
        user_key=user_key,
        openid=openid if user_key is None else None,
    )
    return code, append_query(req.redirect_uri, {"code": code, "state": req.state})


def append_query(url: str, extra: dict[str, str]) -> str:
    """Append ``code`` and ``state`` to whatever query the URI had (``state=`` even if empty)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend(extra.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


# -- code exchange -----------------------------------------------------------------------------------
def exchange_code(corp: Corp, agent: Agent | None, raw: str | None) -> dict[str, Any]:
    """``auth/getuserinfo``: who the code belongs to; the code is spent on success."""
    from mock_server.services.contacts import models as cm

    if not raw:
        raise WeComError(41008)
    store = identity(corp)
    code = store.codes.get(raw)
    now = corp.clock.time()
    if code is None:
        raise WeComError(40029)
    if now - code.issued_at >= CODE_TTL:
        raise WeComError(42003 if store.code_errors == "split" else 40029)
    if code.used:
        raise WeComError(42022 if store.code_errors == "split" else 40029)
    # The redirect host must be a trusted domain of the token's app (50001); a code issued
    # for one app is not another app's to spend (50001 help: no rights on the scene).
    if agent is None or trusted_domain(corp, agent.agentid) != code.redirect_host:
        raise WeComError(50001)
    if code.agentid is not None and code.agentid != agent.agentid:
        raise WeComError(50001)
    code.used = True
    if code.user_key is None:
        w = store.wechat_users.get(code.openid or "")
        out: dict[str, Any] = {"openid": code.openid}
        if w is not None and w.external_userid:
            out["external_userid"] = w.external_userid
        return out
    user = cm.contacts(corp).users.get(code.user_key)
    if user is None:  # deleted since the login
        raise WeComError(40029)
    out = {"userid": user.userid}
    if (
        code.kind == KIND_OAUTH
        and code.scope == "snsapi_privateinfo"
        and cm.is_user_visible(corp, agent, user)
    ):
        ticket = corp.ids.alnum(64)
        _purge(store, now)
        store.user_tickets[ticket] = UserTicket(ticket, agent.agentid, user.key, now)
        out["user_ticket"] = ticket
    return out


def user_detail(corp: Corp, agent: Agent | None, raw: Any) -> dict[str, Any]:
    """``auth/getuserdetail``: the sensitive fields the admin enabled, for a live ticket."""
    from mock_server.services.apps.models import settings_of
    from mock_server.services.contacts import models as cm

    if raw is None or raw == "":
        raise WeComError(84090)
    if not isinstance(raw, str) or agent is None:
        raise WeComError(84015)
    ticket = identity(corp).user_tickets.get(raw)
    if ticket is None or ticket.agentid != agent.agentid:
        raise WeComError(84015)
    if corp.clock.time() - ticket.issued_at >= USER_TICKET_TTL:
        raise WeComError(84014)
    user = cm.contacts(corp).users.get(ticket.user_key)
    if user is None:
        raise WeComError(84015)
    if not cm.is_user_visible(corp, agent, user):
        raise WeComError(92000)
    full = cm.user_dict(corp, user, None)
    out: dict[str, Any] = {"userid": user.userid}
    enabled = settings_of(corp, agent.agentid).sensitive_fields
    for key in ("gender", "avatar", "qr_code", "mobile", "email", "biz_mail", "address"):
        if key in enabled:
            out[key] = str(full.get(key, ""))
    return out


# -- JS-SDK tickets -------------------------------------------------------------------------------------
def _count_fetch(store: IdentityStore, key: str, limit: int, now: int) -> None:
    times = [t for t in store.fetches.get(key, []) if t > now - 3600]
    if len(times) >= limit:
        raise WeComError(45009)  # a refused fetch changes nothing
    times.append(now)
    store.fetches[key] = times


def _remember(store: IdentityStore, ticket: JsTicket, owner: Any, now: int) -> None:
    live = {k: v for k, v in store.issued_tickets.items() if v[1] > now}  # expired ones go
    live[ticket.ticket] = [owner, ticket.expires_at]
    store.issued_tickets = live


def corp_jsapi_ticket(corp: Corp) -> JsTicket:
    """``get_jsapi_ticket``: the corp ticket for ``wx.config``; the same one while valid."""
    store = identity(corp)
    now = corp.clock.time()
    _count_fetch(store, "corp", CORP_TICKET_PER_HOUR, now)
    current = store.corp_ticket
    if current is None or current.expires_at <= now:
        current = store.corp_ticket = JsTicket(corp.ids.token(86), now + JSAPI_TICKET_TTL)
        _remember(store, current, "corp", now)
    return current


def agent_jsapi_ticket(corp: Corp, agentid: int) -> JsTicket:
    """``ticket/get?type=agent_config``: the app ticket for ``wx.agentConfig``."""
    store = identity(corp)
    now = corp.clock.time()
    _count_fetch(store, f"agent:{agentid}", AGENT_TICKET_PER_HOUR, now)
    current = store.agent_tickets.get(agentid)
    if current is None or current.expires_at <= now:
        current = store.agent_tickets[agentid] = JsTicket(
            corp.ids.token(86), now + JSAPI_TICKET_TTL
        )
        _remember(store, current, agentid, now)
    return current


def jsapi_signature(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """The documented signature: sha1 of the four ``k=v`` pairs in this fixed order."""
    page = url.split("#", 1)[0]
    raw = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={page}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def check_signature(
    corp: Corp,
    *,
    kind: str,
    url: str,
    noncestr: str,
    timestamp: int | str,
    signature: str,
    agentid: int | None = None,
) -> dict[str, Any]:
    """What the client does with a page's ``wx.config`` / ``wx.agentConfig`` (no server API).

    Returns ``{"ok": True}`` or ``{"ok": False, "errcode": ..., "errmsg": ...}`` with the
    client's codes: 40093 invalid signature, 42012 ticket of another app, 80001 page not on
    the app's trusted domain.
    """
    now = corp.clock.time()
    store = identity(corp)
    if kind not in ("config", "agentConfig"):
        raise ValueError("kind must be config or agentConfig")
    if kind == "agentConfig":
        if agentid is None or agentid not in corp.agents:
            return _bad(40093, "agentConfig:invalid agentid")
    host = host_of(url)
    domains = (
        [trusted_domain(corp, agentid)]
        if agentid is not None
        else [trusted_domain(corp, a) for a in corp.agents]
    )
    if host not in [d for d in domains if d]:
        return _bad(80001, f"{kind}:not match any reliable domain")
    ts = str(timestamp)
    if not ts.isdecimal() or len(ts) > 10:
        return _bad(40093, f"{kind}:invalid signature (timestamp must be Unix seconds)")
    wanted_owner: Any = agentid if kind == "agentConfig" else "corp"
    for ticket, (owner, expires_at) in store.issued_tickets.items():
        if expires_at <= now:
            continue
        if jsapi_signature(ticket, noncestr, ts, url) == signature:
            if owner == wanted_owner:
                return {"ok": True, "errcode": 0, "errmsg": f"{kind}:ok"}
            if kind == "agentConfig" and owner != "corp":
                return _bad(42012, "agentConfig:jsapi_ticket of another app")
            return _bad(40093, f"{kind}:invalid signature (signed with the wrong ticket)")
    return _bad(40093, f"{kind}:invalid signature")


def _bad(errcode: int, errmsg: str) -> dict[str, Any]:
    return {"ok": False, "errcode": errcode, "errmsg": errmsg}
