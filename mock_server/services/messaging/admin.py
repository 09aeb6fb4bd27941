"""``/__admin/messages``: the inbox over HTTP (for tests in other languages and for humans)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminRequest
from mock_server.services.messaging.api import MessagingAPI

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> MessagingAPI:
    return emu.api("messaging", MessagingAPI)


@admin.action("GET", "/messages")
def messages(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Delivered messages matching ``to``, ``chat``, ``robot``, ``msgtype``, ``since``..."""
    found = _api(emu).messages(
        req.text("to"),
        chat=req.text("chat"),
        robot=req.text("robot"),
        msgtype=req.text("msgtype"),
        since=req.number("since"),
        agentid=req.integer("agentid"),
        kind=req.text("kind"),
        corpid=req.corpid(emu),
    )
    return {"messages": [x.to_dict() for x in found], "count": len(found)}


@admin.action("DELETE", "/messages")
def messages_clear(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Empty the inbox (of one corp with ``?corpid=``)."""
    return {"status": "cleared", "removed": _api(emu).clear_messages(req.corpid(emu))}
