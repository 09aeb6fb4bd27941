"""``/__admin/messages``: the inbox over HTTP (for tests in other languages and for humans)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from mock_server.admin import AdminError, admin_extension
from mock_server.emulator import Emulator


def _since() -> float | None:
    raw = request.args.get("since")
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise AdminError("since must be a number (unix seconds)") from None


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.get("/messages")
    def messages() -> Any:
        corpid = request.args.get("corpid") or None
        agentid = request.args.get("agentid")
        if corpid is not None and corpid not in emu.corps:
            raise AdminError(f"no corp {corpid!r}")
        try:
            agent = int(agentid) if agentid not in (None, "") else None
        except ValueError:
            raise AdminError("agentid must be an integer") from None
        found = emu.messages(
            request.args.get("to") or None,
            chat=request.args.get("chat") or None,
            robot=request.args.get("robot") or None,
            msgtype=request.args.get("msgtype") or None,
            since=_since(),
            agentid=agent,
            kind=request.args.get("kind") or None,
            corpid=corpid,
        )
        return jsonify({"messages": [x.to_dict() for x in found], "count": len(found)})

    @bp.delete("/messages")
    def messages_clear() -> Any:
        corpid = request.args.get("corpid") or None
        if corpid is not None and corpid not in emu.corps:
            raise AdminError(f"no corp {corpid!r}")
        return jsonify({"status": "cleared", "removed": emu.clear_messages(corpid)})
