"""SCRM sandbox actions: what customers and members do in their apps, as plain functions.

Each action is ``(corp, payload) -> dict`` (no Flask, no emulator), run under the corp lock by
the Python API (``ScrmAPI.scrm_action``) and the admin route ``POST /__admin/external/scrm/<name>``.
Unknown names or impossible actions raise ``SandboxError`` (a 400 on the admin API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp
from mock_server.services.external_contact import contact_ways as cw
from mock_server.services.external_contact import groupmsg as gm
from mock_server.services.external_contact import join_ways as jw
from mock_server.services.external_contact import moments as mo
from mock_server.services.external_contact import transfers as tr
from mock_server.services.external_contact.sandbox import SandboxError
from mock_server.services.external_contact.scrm_store import external_scrm
from mock_server.services.external_contact.transfers import settle

Action = Callable[[Corp, dict[str, Any]], dict[str, Any]]


def outbox(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """Messages customers received (welcome, mass messages, conclusions), oldest first."""
    eid = payload.get("external_userid")
    rows = [
        dict(o) for o in external_scrm(corp).outbox if eid is None or o["external_userid"] == eid
    ]
    return {"messages": rows}


ACTIONS: dict[str, Action] = {
    "contact_way/scan": cw.scan,
    "contact_way/accept": cw.accept,
    "outbox": outbox,
    "join_way/join": jw.join,
    "moment/publish": mo.publish,
    "groupmsg/confirm": gm.confirm,
    "transfer/resolve": tr.resolve,
    "member/resign": tr.resign,
}


def run(corp: Corp, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    action = ACTIONS.get(name)
    if action is None:
        raise SandboxError(f"unknown SCRM action {name!r}; known: {sorted(ACTIONS)}")
    if not isinstance(payload, dict):
        raise SandboxError("the payload must be a JSON object")
    settle(corp)
    try:
        return action(corp, payload)
    except WeComError as exc:  # e.g. a way whose member left: not an API error here
        raise SandboxError(exc.text()) from None
