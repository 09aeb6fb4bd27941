"""App management endpoints (应用管理): agent/get|list|set and the custom menu."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, Family
from mock_server.services.apps import models as m

api = Family("apps")

AGENTID_ERRCODES = (40056, 41011, 301002)


@api.endpoint("GET", "agent/get", scopes=(APP,), doc="90227", errcodes=AGENTID_ERRCODES)
def agent_get(ctx: Context) -> dict[str, Any]:
    """The token's own app: visibility, trusted domain, home URL, report flags."""
    corp = ctx.corp
    agent = m.own_agent(corp, ctx.agentid, ctx.query.get("agentid"))
    return m.agent_dict(corp, agent)


@api.endpoint("GET", "agent/list", scopes=(APP,), doc="90227")
def agent_list(ctx: Context) -> dict[str, Any]:
    """Apps the token may see: a self-built app's token sees only itself."""
    corp = ctx.corp
    agent = ctx.agent
    items = [agent] if agent is not None else []
    return {
        "agentlist": [
            {"agentid": a.agentid, "name": a.name, "square_logo_url": m.logo_url(corp, a)}
            for a in items
        ]
    }


@api.endpoint(
    "POST",
    "agent/set",
    scopes=(APP,),
    doc="90228",
    errcodes=(*AGENTID_ERRCODES, 40007, 40039, 40058, 40059, 40094, 45004, 45022, 80001, 85004),
)
def agent_set(ctx: Context) -> None:
    """Change the token's own app (name, description, logo, trusted domain, flags, home URL)."""
    corp = ctx.corp
    body = ctx.json()
    agent = m.own_agent(corp, ctx.agentid, body.get("agentid"))
    m.set_agent(corp, agent, body, ctx.now)


MENU_ERRCODES = (
    40017,
    40018,
    40019,
    40020,
    40022,
    40024,
    40025,
    40026,
    40027,
    40054,
    40055,
    40058,
    41102,
)


@api.endpoint(
    "POST",
    "menu/create",
    scopes=(APP,),
    doc="90231",
    errcodes=(*AGENTID_ERRCODES, *MENU_ERRCODES),
)
def menu_create(ctx: Context) -> None:
    """Replace the app's custom menu (1-3 buttons, 1-5 sub-buttons, UTF-8 byte limits)."""
    corp = ctx.corp
    agent = m.own_agent(corp, ctx.agentid, ctx.query.get("agentid"))
    m.create_menu(corp, agent.agentid, ctx.json())


@api.endpoint("GET", "menu/get", scopes=(APP,), doc="90232", errcodes=(*AGENTID_ERRCODES, 46003))
def menu_get(ctx: Context) -> dict[str, Any]:
    """The app's menu, ``button`` at top level; 46003 when none is set."""
    corp = ctx.corp
    agent = m.own_agent(corp, ctx.agentid, ctx.query.get("agentid"))
    return {"button": m.get_menu(corp, agent.agentid)}


@api.endpoint("GET", "menu/delete", scopes=(APP,), doc="90233", errcodes=AGENTID_ERRCODES)
def menu_delete(ctx: Context) -> None:
    """Remove the app's menu."""
    corp = ctx.corp
    agent = m.own_agent(corp, ctx.agentid, ctx.query.get("agentid"))
    m.delete_menu(corp, agent.agentid)
