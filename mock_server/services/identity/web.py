"""The browser-facing login pages, rendered without any web framework.

``/connect/oauth2/authorize`` stands in for open.weixin.qq.com (login inside the WeCom
client), ``/wwlogin/sso/login`` (and the legacy ``/wwopen/sso/qrConnect``) for
login.work.weixin.qq.com (QR-code login). The developer picks who logs in; the page then
redirects to ``redirect_uri?code=...&state=...`` like the real one.

A test that wants no page at all adds ``wecom_mock_userid=...`` (or ``wecom_mock_openid``)
to the URL, or sends the cookie ``wecom_mock_user=userid:...`` / ``openid:...``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from mock_server.services.identity import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

PAGES = {
    "/connect/oauth2/authorize": m.KIND_OAUTH,
    "/wwlogin/sso/login": m.KIND_SSO,
    "/wwopen/sso/qrConnect": m.KIND_SSO,
}
PICK_SUFFIX = "/pick"
TEST_PARAMS = ("wecom_mock_userid", "wecom_mock_openid")
COOKIE = "wecom_mock_user"


@dataclass
class Page:
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def _who(params: dict[str, str], cookie: str | None) -> tuple[str | None, str | None] | None:
    if params.get("wecom_mock_userid"):
        return params["wecom_mock_userid"], None
    if params.get("wecom_mock_openid"):
        return None, params["wecom_mock_openid"]
    if params.get("userid"):
        return params["userid"], None
    if params.get("openid"):
        return None, params["openid"]
    if cookie:
        kind, _, value = cookie.partition(":")
        if kind == "userid" and value:
            return value, None
        if kind == "openid" and value:
            return None, value
    return None


def handle_page(emu: Host, path: str, params: dict[str, str], cookie: str | None = None) -> Page:
    """Render a login page, or redirect once somebody is picked."""
    pick = path.endswith(PICK_SUFFIX)
    base = path[: -len(PICK_SUFFIX)] if pick else path
    kind = PAGES[base]
    try:
        req = m.parse_login(emu.corps, params, kind)
    except m.AuthorizeError as exc:
        return _error(str(exc))
    corp = emu.corps[req.corpid]
    who = (
        _who(params, cookie)
        if pick
        else _who({k: v for k, v in params.items() if k in TEST_PARAMS}, cookie)
    )
    if who is not None:
        try:
            with emu.transaction(corp):
                _code, url = m.issue_code(corp, req, userid=who[0], openid=who[1])
        except m.AuthorizeError as exc:
            return _error(str(exc))
        return Page(302, "", {"Location": url})
    with corp.lock:
        people = m.candidates(corp, req)
        agent = corp.agents.get(req.agentid) if req.agentid is not None else None
    return Page(200, _picker(base, params, req, people, agent.name if agent else corp.name))


def _error(message: str) -> Page:
    body = (
        "<!doctype html><meta charset='utf-8'><title>出错了</title>"
        f"<h1>无法继续</h1><p class='error'>{html.escape(message)}</p>"
    )
    return Page(400, body)


def _picker(
    base: str,
    params: dict[str, str],
    req: m.LoginRequest,
    people: dict[str, list[dict[str, object]]],
    app_name: str,
) -> str:
    keep = {k: v for k, v in params.items() if k not in ("userid", "openid", *TEST_PARAMS)}
    title = "企业微信登录" if req.kind == m.KIND_SSO else "网页授权"
    rows = []
    for p in people["members"]:
        label = f"{p['name']} ({p['userid']})"
        if not p["visible"]:
            label += " — outside the app's visibility"
        if p["allowed"]:
            href = base + PICK_SUFFIX + "?" + urlencode({**keep, "userid": str(p["userid"])})
            rows.append(
                f"<li><a class='member' data-userid='{html.escape(str(p['userid']))}' "
                f"href='{html.escape(href)}'>{html.escape(label)}</a></li>"
            )
        else:
            rows.append(f"<li class='refused'>{html.escape(label)}</li>")
    wechat = []
    for w in people["wechat_users"]:
        href = base + PICK_SUFFIX + "?" + urlencode({**keep, "openid": str(w["openid"])})
        wechat.append(
            f"<li><a class='wechat' data-openid='{html.escape(str(w['openid']))}' "
            f"href='{html.escape(href)}'>{html.escape(str(w['nickname']))} (WeChat user)</a></li>"
        )
    consent = (
        "<p>This app asks for your sensitive information (snsapi_privateinfo); "
        "picking a member below also gives consent.</p>"
        if req.scope == "snsapi_privateinfo"
        else ""
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title} · wecom-mock</title></head><body>"
        f"<h1>{html.escape(app_name)}</h1><p>Log in to {html.escape(req.redirect_host)} as "
        f"(scope {html.escape(req.scope)}):</p>{consent}"
        f"<h2>Members</h2><ul>{''.join(rows)}</ul>"
        + (f"<h2>Non-members</h2><ul>{''.join(wechat)}</ul>" if wechat else "")
        + "</body></html>"
    )
