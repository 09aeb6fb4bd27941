"""Apps (应用管理): agent settings, custom menus and the privacy rules tied to an app's age.

No HTTP here. The core ``Agent`` (fixture ``agents:``) holds name, secret and visibility;
this store adds what ``agent/get``/``agent/set`` and the menus need, plus the corp-level
privacy facts (when the corp was created, the contacts-sync "historical" IPs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.events import SOURCE_SANDBOX, DomainEvent
from mock_server.core.params import utf8_len
from mock_server.core.state import Agent, Corp

UTC8 = dt.timezone(dt.timedelta(hours=8))
# Apps created from this moment on lose the sensitive member fields in user/get (doc 90196).
PRIVACY_CUTOFF = int(dt.datetime(2022, 6, 20, 20, 0, tzinfo=UTC8).timestamp())
# Corps created from this moment on get no system-app (basic app) secrets (doc 91982 note).
SYSTEM_SECRET_CUTOFF = int(dt.datetime(2023, 12, 1, 0, 0, tzinfo=UTC8).timestamp())
# When neither the fixture nor anything else says: an app made today, i.e. the modern rules.
DEFAULT_AGENT_CREATED = int(dt.datetime(2024, 1, 15, 10, 0, tzinfo=UTC8).timestamp())
DEFAULT_CORP_CREATED = int(dt.datetime(2021, 3, 1, 9, 0, tzinfo=UTC8).timestamp())

SENSITIVE_FIELDS = ("mobile", "gender", "email", "avatar", "qr_code", "biz_mail", "address")
PRIVACY_MODES = ("modern", "legacy")

DOMAIN_CHANGES_PER_MONTH = 20
MONTH = 30 * 24 * 3600

MENU_TYPES = (
    "click",
    "view",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "view_miniprogram",
)
KEY_TYPES = frozenset(MENU_TYPES) - {"view", "view_miniprogram"}

# host or host:port; no scheme, path, wildcard.
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?(\.[A-Za-z0-9\-]+)*(:\d{1,5})?$")


@dataclass
class AppSettings:
    """What the admin console shows for one self-built app beyond the core agent."""

    created_at: int = DEFAULT_AGENT_CREATED
    privacy: str = "modern"  # "modern" (created after 2022-06-20) or "legacy"
    redirect_domain: str = ""
    home_url: str = ""
    square_logo_url: str = ""
    report_location_flag: int = 0
    isreportenter: int = 0
    # Sensitive fields the admin ticked for auth/getuserdetail (all seven by default).
    sensitive_fields: list[str] = field(default_factory=lambda: list(SENSITIVE_FIELDS))
    # Times trusted-domain settings were saved (85004 beyond 20 a month).
    domain_changes: list[int] = field(default_factory=list)


@dataclass
class AppsStore:
    settings: dict[int, AppSettings] = field(default_factory=dict)
    menus: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    corp_created_at: int = DEFAULT_CORP_CREATED
    # Contacts-sync IPs used before 2022-08-15; None = the 48009 rule is not modelled.
    contacts_sync_ips: list[str] | None = None


def apps(corp: Corp) -> AppsStore:
    return corp.store("apps")


def settings_of(corp: Corp, agentid: int) -> AppSettings:
    store = apps(corp)
    found = store.settings.get(agentid)
    if found is None:
        found = store.settings[agentid] = AppSettings()
    return found


def parse_time(value: Any) -> int:
    """A fixture time: Unix seconds, or an ISO date/datetime (no zone = UTC+8, as the console)."""
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO date: {value!r}") from None
    else:
        raise ValueError(f"not a time: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC8)
    return int(moment.timestamp())


def apply_privacy(agent: Agent, settings: AppSettings) -> None:
    """The contacts family reads ``Agent.restricted_fields``: keep it in step with the mode."""
    agent.restricted_fields = settings.privacy == "modern"


def privacy_for(created_at: int) -> str:
    return "modern" if created_at >= PRIVACY_CUTOFF else "legacy"


# -- agent/get, agent/list, agent/set ---------------------------------------------------------
def own_agent(corp: Corp, caller_agentid: int | None, raw: Any) -> Agent:
    """The agent named by ``agentid``; a token may only touch its own app."""
    if raw is None or raw == "":
        raise WeComError(41011)
    if isinstance(raw, bool):
        raise WeComError(40056)
    if isinstance(raw, str):
        if not raw.strip().isdecimal():
            raise WeComError(40056)
        raw = int(raw)
    if not isinstance(raw, int):
        raise WeComError(40056)
    agent = corp.agents.get(raw)
    if agent is None:
        raise WeComError(40056)
    if caller_agentid != raw:
        raise WeComError(301002)
    return agent


def logo_url(corp: Corp, agent: Agent) -> str:
    s = settings_of(corp, agent.agentid)
    if s.square_logo_url:
        return s.square_logo_url
    digest = hashlib.md5(f"{corp.corpid}/{agent.agentid}".encode()).hexdigest()
    return f"https://p.qlogo.cn/bizmail/{digest}/0"


def agent_dict(corp: Corp, agent: Agent) -> dict[str, Any]:
    """``agent/get``: ``allow_tags`` is left out when no tag is visible (real captures)."""
    s = settings_of(corp, agent.agentid)
    from mock_server.services.contacts import models as cm

    store = cm.contacts(corp)
    users = [u for u in agent.allow_user if store.find_user(u) is not None]
    out: dict[str, Any] = {
        "agentid": agent.agentid,
        "name": agent.name,
        "square_logo_url": logo_url(corp, agent),
        "description": agent.description,
        "allow_userinfos": {"user": [{"userid": u} for u in users]},
        "allow_partys": {"partyid": list(agent.allow_party)},
    }
    if agent.allow_tag:
        out["allow_tags"] = {"tagid": list(agent.allow_tag)}
    out.update(
        {
            "close": agent.close,
            "redirect_domain": s.redirect_domain,
            "report_location_flag": s.report_location_flag,
            "isreportenter": s.isreportenter,
            "home_url": s.home_url,
        }
    )
    return out


def _flag(body: dict[str, Any], key: str, errcode: int) -> int | None:
    if key not in body or body[key] is None:
        return None
    value = body[key]
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise json_type_error(40058, f"{key} expect int.")
    if value not in (0, 1):
        raise WeComError(errcode)
    return value


def check_domain(domain: str) -> str:
    """A trusted domain: ``host`` or ``host:port`` (ports are kept so loopback apps work)."""
    if not _DOMAIN_RE.match(domain) or "*" in domain:
        raise WeComError(80001)
    return domain.lower()


def set_agent(corp: Corp, agent: Agent, body: dict[str, Any], now: int) -> None:
    """``agent/set``: validate everything first, then apply (a failed call changes nothing)."""
    s = settings_of(corp, agent.agentid)
    changes: dict[str, Any] = {}
    if body.get("name") is not None:
        name = body["name"]
        if not isinstance(name, str):
            raise json_type_error(40058, "name expect string.")
        if not name or len(name) > 32:
            raise WeComError(45022)
        changes["name"] = name
    if body.get("description") is not None:
        desc = body["description"]
        if not isinstance(desc, str):
            raise json_type_error(40058, "description expect string.")
        if not 4 <= len(desc) <= 120:
            raise WeComError(45004)
        changes["description"] = desc
    loc = _flag(body, "report_location_flag", 40059)
    enter = _flag(body, "isreportenter", 40058)
    if body.get("home_url") is not None:
        url = body["home_url"]
        if not isinstance(url, str):
            raise json_type_error(40058, "home_url expect string.")
        if not url.startswith(("http://", "https://")):
            raise WeComError(40094)
        if utf8_len(url) > 1024:
            raise WeComError(40039)
        changes["home_url"] = url
    if body.get("redirect_domain") is not None:
        domain = body["redirect_domain"]
        if not isinstance(domain, str):
            raise json_type_error(40058, "redirect_domain expect string.")
        domain = check_domain(domain) if domain else ""
        if domain != s.redirect_domain:
            recent = [t for t in s.domain_changes if t > now - MONTH]
            if len(recent) >= DOMAIN_CHANGES_PER_MONTH:
                raise WeComError(85004)
            changes["redirect_domain"] = domain
            changes["domain_changes"] = [*recent, now]
    if body.get("logo_mediaid") is not None:
        from mock_server.services.messaging.media.models import require_media

        media = require_media(corp, body["logo_mediaid"], types=("image",))
        digest = hashlib.md5(media.data).hexdigest()
        changes["square_logo_url"] = f"https://p.qlogo.cn/bizmail/{digest}/0"
    # -- apply --
    if "name" in changes:
        agent.name = changes.pop("name")
    if "description" in changes:
        agent.description = changes.pop("description")
    for key, value in changes.items():
        setattr(s, key, value)
    if loc is not None:
        s.report_location_flag = loc
    if enter is not None:
        s.isreportenter = enter


# -- menus -----------------------------------------------------------------------------------
def _menu_str(button: dict[str, Any], key: str) -> str | None:
    value = button.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise json_type_error(40058, f"{key} expect string.")
    return value


def _check_button(button: Any, *, sub: bool) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise json_type_error(40058, "button expect object.")
    name = _menu_str(button, "name")
    if not name:
        raise WeComError(41102)
    if utf8_len(name) > (40 if sub else 16):
        raise WeComError(40025 if sub else 40018)
    children = button.get("sub_button")
    if children is not None and children != []:
        if sub:
            raise WeComError(40022)
        if not isinstance(children, list) or not 1 <= len(children) <= 5:
            # By analogy with the observed top-level message (unconfirmed for sub_button).
            raise param_error("field `sub_button`", "expect array size in [1, 5]")
        return {"name": name, "sub_button": [_check_button(b, sub=True) for b in children]}
    kind = _menu_str(button, "type")
    if kind not in MENU_TYPES:
        raise WeComError(40024 if sub else 40017)
    out: dict[str, Any] = {"type": kind, "name": name}
    if kind in KEY_TYPES:
        key = _menu_str(button, "key")
        if not key or utf8_len(key) > 128:
            raise WeComError(40026 if sub else 40019)
        out["key"] = key
    elif kind == "view":
        url = _menu_str(button, "url")
        if not url:
            raise WeComError(40027 if sub else 40020)
        if not url.startswith(("http://", "https://", "weixin://")):
            raise WeComError(40054 if sub else 40055)
        if utf8_len(url) > 1024:
            raise WeComError(40027 if sub else 40020)
        out["url"] = url
    else:  # view_miniprogram
        appid = _menu_str(button, "appid")
        pagepath = _menu_str(button, "pagepath")
        if not appid:
            raise param_error("appid", "missing")
        if not pagepath:
            raise param_error("pagepath", "missing")
        out["pagepath"] = pagepath
        out["appid"] = appid
    return out


def check_menu(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored form of a ``menu/create`` body (UTF-8 byte limits, two levels)."""
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        # Observed on a real call: 40058 with this field message (the doc table says 40016).
        raise param_error("field `button`", "expect array size in [1, 3]")
    return [_check_button(b, sub=False) for b in buttons]


def create_menu(corp: Corp, agentid: int, body: dict[str, Any]) -> None:
    apps(corp).menus[agentid] = check_menu(body)


def get_menu(corp: Corp, agentid: int) -> list[dict[str, Any]]:
    menu = apps(corp).menus.get(agentid)
    if not menu:
        raise WeComError(46003)
    return menu


def delete_menu(corp: Corp, agentid: int) -> None:
    apps(corp).menus.pop(agentid, None)


class MenuError(ValueError):
    """A sandbox menu tap that a real client could not make (no such button...)."""


def find_button(corp: Corp, agentid: int, key: str) -> dict[str, Any]:
    """A leaf button by key, url (view) or pagepath (view_miniprogram), or by name."""
    for top in apps(corp).menus.get(agentid, []):
        for b in top.get("sub_button", [top]):
            if key in (b.get("key"), b.get("url"), b.get("pagepath"), b.get("name")):
                return b
    raise MenuError(f"app {agentid} has no menu button {key!r}")


def menu_event(
    corp: Corp,
    agentid: int,
    userid: str,
    key: str,
    *,
    scan_result: str = "",
    location: tuple[float, float] | None = None,
    label: str = "",
    pic_md5: list[str] | None = None,
) -> DomainEvent:
    """A member taps a menu button: the event the app's callback URL receives (doc 90240)."""
    from mock_server.services.contacts import models as cm

    agent = corp.agents.get(agentid)
    if agent is None:
        raise MenuError(f"no agent {agentid}")
    user = cm.contacts(corp).find_user(userid)
    if user is None:
        raise MenuError(f"no member {userid}")
    if not cm.is_user_visible(corp, agent, user):
        raise MenuError(f"app {agentid} is not visible to {userid}")
    button = find_button(corp, agentid, key)
    kind = button["type"]
    event_key = button.get("key") or button.get("url") or button.get("pagepath") or ""
    data: dict[str, Any] = {"EventKey": event_key}
    if kind.startswith("scancode_"):
        data["ScanCodeInfo"] = {"ScanType": "qrcode", "ScanResult": scan_result}
    elif kind.startswith("pic_"):
        md5s = pic_md5 or []
        data["SendPicsInfo"] = {
            "Count": len(md5s),
            "PicList": {"item": [{"PicMd5Sum": m} for m in md5s]},
        }
    elif kind == "location_select":
        x, y = location or (23.134521, 113.358803)
        data["SendLocationInfo"] = {
            "Location_X": str(x),
            "Location_Y": str(y),
            "Scale": "15",
            "Label": label,
            "Poiname": "",
        }
    data["AgentID"] = agentid
    if kind == "location_select":
        data["AppType"] = "wxwork"
    return DomainEvent(
        corpid=corp.corpid,
        kind=kind,
        data=data,
        time=corp.clock.time(),
        source=SOURCE_SANDBOX,
        target=agentid,
        meta={"from_user": user.userid, "callback": True},
    )
