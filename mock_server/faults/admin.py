"""``/__admin/faults``, ``/__admin/rate-limits``, ``/__admin/trusted-ips``, ``/__admin/secrets``.

Thin: every action calls the same ``emu.faults`` methods as Python and pytest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest
from mock_server.faults.api import FaultsAPI
from mock_server.faults.rules import RuleError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> FaultsAPI:
    return emu.api("faults", FaultsAPI)


def _int_or_none(data: Any, key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{key} must be an integer")
    return value


@admin.action("GET", "/faults")
def faults_list(emu: Host, req: AdminRequest) -> dict[str, Any]:
    return {"faults": _api(emu).rules()}


@admin.action("POST", "/faults", status=201)
def faults_add(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """One rule, or ``{"faults": [rule, ...]}`` (all or nothing)."""
    specs = req.body.get("faults", [dict(req.body)])
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise AdminError("faults must be a list of rule objects")
    try:
        rules = _api(emu).add_faults(specs)
    except RuleError as exc:
        raise AdminError(str(exc)) from None
    return {"faults": [r.describe() for r in rules]}


@admin.action("DELETE", "/faults")
def faults_clear(emu: Host, req: AdminRequest) -> dict[str, Any]:
    _api(emu).clear_faults()
    return {"status": "cleared"}


@admin.action("GET", "/faults/<fault_id>")
def faults_get(emu: Host, req: AdminRequest) -> dict[str, Any]:
    fault_id = req.params["fault_id"]
    for rule in _api(emu).rules():
        if rule["id"] == fault_id:
            return rule
    raise AdminError(f"no fault {fault_id!r}", 404)


@admin.action("DELETE", "/faults/<fault_id>")
def faults_remove(emu: Host, req: AdminRequest) -> dict[str, Any]:
    fault_id = req.params["fault_id"]
    if not _api(emu).remove_fault(fault_id):
        raise AdminError(f"no fault {fault_id!r}", 404)
    return {"status": "removed", "id": fault_id}


@admin.action("GET", "/rate-limits")
def rate_limits_get(emu: Host, req: AdminRequest) -> dict[str, Any]:
    return _api(emu).rate_limits(req.corpid(emu))


@admin.action("PUT", "/rate-limits")
def rate_limits_set(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """``{"enabled": true, "limits": [...], "corpid": ..., "builtin": true}``."""
    data = req.body
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise AdminError("enabled must be true or false")
    builtin = data.get("builtin", True)
    if not isinstance(builtin, bool):
        raise AdminError("builtin must be true or false")
    limits = data.get("limits")
    if limits is not None and (
        not isinstance(limits, list) or not all(isinstance(x, dict) for x in limits)
    ):
        raise AdminError("limits must be a list of limit objects")
    corpid = req.corpid(emu)
    try:
        _api(emu).set_rate_limits(
            enabled,
            limits,
            corpid=corpid,
            builtin=builtin,
            gettoken_failures_per_hour=data.get("gettoken_failures_per_hour"),
            concurrent_per_api=data.get("concurrent_per_api"),
        )
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    return _api(emu).rate_limits(corpid)


@admin.action("PUT", "/trusted-ips")
def trusted_ips_set(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """``{"agentid": 1000002, "ips": ["10.0.0.0/8"]}`` or ``{"scope": "contacts", ...}``."""
    data = req.body
    agentid = _int_or_none(data, "agentid")
    scope = data.get("scope", "app")
    corpid = req.corpid(emu)
    try:
        ips = _api(emu).set_trusted_ips(
            data.get("ips"),  # type: ignore[arg-type]  # checked by set_trusted_ips
            agentid=agentid,
            scope=scope,
            corpid=corpid,
        )
    except KeyError as exc:
        raise AdminError(f"unknown agent or scope: {exc}", 404) from None
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    return {"agentid": agentid, "scope": scope, "ips": ips}


@admin.action("POST", "/secrets/rotate")
def secrets_rotate(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """``{"agentid": 1000002}`` or ``{"scope": "contacts"}``, optional ``"secret"``."""
    data = req.body
    agentid = _int_or_none(data, "agentid")
    scope = data.get("scope", "app")
    if not isinstance(scope, str):
        raise AdminError("scope must be a string (app, contacts, external...)")
    secret = data.get("secret")
    if secret is not None and (not isinstance(secret, str) or not secret.strip()):
        raise AdminError("secret must be a non-empty string")
    corpid = req.corpid(emu)
    corp = emu.corp(corpid)
    if scope == "app" and agentid is not None and agentid not in corp.agents:
        raise AdminError(f"no agent {agentid} in corp {corp.corpid}", 404)
    try:
        new = _api(emu).rotate_secret(scope, agentid=agentid, corpid=corpid, secret=secret)
    except KeyError as exc:
        raise AdminError(f"unknown scope: {exc}", 404) from None
    return {"corpid": corp.corpid, "scope": scope, "agentid": agentid, "secret": new}
