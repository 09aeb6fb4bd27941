"""``/__admin/contracts``: strict mode and contract warnings for clients in any language."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.get("/contracts/warnings")
    def contract_warnings() -> Any:
        """Requests that broke their schema (``?endpoint=user/create`` to filter)."""
        return jsonify({"warnings": emu.contract_warnings(endpoint=request.args.get("endpoint"))})

    @bp.get("/contracts/strict")
    def strict_get() -> Any:
        return jsonify({"strict": emu.strict})

    @bp.post("/contracts/strict")
    def strict_set() -> Any:
        """``{"strict": true}``: contract warnings become errors until the next reset."""
        on = body_json().get("strict")
        if not isinstance(on, bool):
            raise AdminError("strict must be true or false")
        emu.set_strict(on)
        return jsonify({"strict": emu.strict})
