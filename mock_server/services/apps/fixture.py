"""The ``apps`` part of a corp fixture: per-agent console settings, menus, privacy facts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.apps import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

TIME = {
    "anyOf": [{"type": "string", "minLength": 4}, {"type": "integer"}],
    "description": "ISO date/datetime (UTC+8 when no zone) or Unix seconds",
}

AGENT = {
    "type": "object",
    "required": ["agentid"],
    "additionalProperties": False,
    "properties": {
        "agentid": {"type": "integer"},
        "created_at": TIME,
        "privacy": {
            "enum": list(m.PRIVACY_MODES),
            "description": "modern: no mobile/gender/email/avatar/qr_code/biz_mail/address in "
            "user/get and user/list (apps created from 2022-06-20 20:00); legacy: full fields. "
            "Default: from created_at.",
        },
        "redirect_domain": {"type": "string", "description": "trusted domain, host[:port]"},
        "home_url": {"type": "string"},
        "report_location_flag": {"enum": [0, 1]},
        "isreportenter": {"enum": [0, 1]},
        "sensitive_fields": {
            "type": "array",
            "items": {"enum": list(m.SENSITIVE_FIELDS)},
            "description": "fields auth/getuserdetail may return (admin's ticks); default all",
        },
        "menu": {"type": "object", "description": "a menu/create body ({button: [...]})"},
    },
}

SECTION = {
    "type": "object",
    "additionalProperties": False,
    "description": "App settings (agent/get), menus and the privacy rules' corp facts.",
    "properties": {
        "corp_created_at": {
            **TIME,
            "description": "from 2023-12-01 system-app secrets (external, approval) are refused",
        },
        "contacts_sync_ips": {
            "type": "array",
            "items": {"type": "string"},
            "description": "historical contacts-sync IPs; others get 48009 on detail reads "
            "(absent: rule off)",
        },
        "agents": {"type": "array", "items": AGENT},
    },
}


def load_apps(emu: Host, corp: Corp, section: dict[str, Any] | None) -> None:
    section = section or {}
    store = m.apps(corp)
    if "corp_created_at" in section:
        store.corp_created_at = m.parse_time(section["corp_created_at"])
    if "contacts_sync_ips" in section:
        store.contacts_sync_ips = list(section["contacts_sync_ips"])
    listed: set[int] = set()
    for i, a in enumerate(section.get("agents", [])):
        agentid = a["agentid"]
        agent = corp.agents.get(agentid)
        if agent is None:
            raise ValueError(f"agents[{i}]: no agent {agentid} in the fixture's agents")
        if agentid in listed:
            raise ValueError(f"agents[{i}]: agent {agentid} listed twice")
        listed.add(agentid)
        s = m.settings_of(corp, agentid)
        if "created_at" in a:
            s.created_at = m.parse_time(a["created_at"])
        s.privacy = a.get("privacy") or m.privacy_for(s.created_at)
        if a.get("redirect_domain"):
            try:
                s.redirect_domain = m.check_domain(a["redirect_domain"])
            except Exception:
                raise ValueError(
                    f"agents[{i}]: bad redirect_domain {a['redirect_domain']!r}"
                ) from None
        s.home_url = a.get("home_url", "")
        s.report_location_flag = a.get("report_location_flag", 0)
        s.isreportenter = a.get("isreportenter", 0)
        if "sensitive_fields" in a:
            s.sensitive_fields = list(a["sensitive_fields"])
        if "menu" in a:
            try:
                m.create_menu(corp, agentid, a["menu"])
            except Exception as exc:
                raise ValueError(f"agents[{i}].menu: {exc}") from None
    for agent in corp.agents.values():
        s = m.settings_of(corp, agent.agentid)
        if agent.agentid not in listed and agent.restricted_fields:
            s.privacy = "modern"
        m.apply_privacy(agent, s)


section = FixtureSection("apps", SECTION, load_apps, order=15)
