"""``/__admin/contracts``: strict mode and contract warnings for clients in any language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.contracts.api import ContractsAPI
from mock_server.core.admin import AdminActions, AdminError, AdminRequest

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> ContractsAPI:
    return emu.api("contracts", ContractsAPI)


@admin.action("GET", "/contracts/warnings")
def contract_warnings(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Requests that broke their schema (``?endpoint=user/create`` to filter)."""
    return {"warnings": _api(emu).warnings(endpoint=req.text("endpoint"))}


@admin.action("GET", "/contracts/strict")
def strict_get(emu: Host, req: AdminRequest) -> dict[str, Any]:
    return {"strict": emu.strict}


@admin.action("POST", "/contracts/strict")
def strict_set(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """``{"strict": true}``: contract warnings become errors until the next reset."""
    on = req.body.get("strict")
    if not isinstance(on, bool):
        raise AdminError("strict must be true or false")
    _api(emu).set_strict(on)
    return {"strict": emu.strict}
