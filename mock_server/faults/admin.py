"""``/__admin/faults``, ``/__admin/rate-limits``, ``/__admin/trusted-ips``, ``/__admin/secrets``.

Thin: every route calls the same ``Emulator`` methods as Python and pytest.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator
from mock_server.faults.rules import RuleError


def _int_or_none(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{key} must be an integer")
    return value


def _corpid(emu: Emulator, data: dict[str, Any]) -> str | None:
    corpid = data.get("corpid") or request.args.get("corpid")
    if corpid is not None and not isinstance(corpid, str):
        raise AdminError("corpid must be a string")
    if corpid is not None and corpid not in emu.corps:
        raise AdminError(f"no corp {corpid!r}", 404)
    return corpid


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.get("/faults")
    def faults_list() -> Any:
        return jsonify({"faults": emu.faults()})

    @bp.post("/faults")
    def faults_add() -> Any:
        """One rule, or ``{"faults": [rule, ...]}`` (all or nothing)."""
        data = body_json()
        specs = data.get("faults", [data])
        if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
            raise AdminError("faults must be a list of rule objects")
        try:
            rules = emu.add_faults(specs)
        except RuleError as exc:
            raise AdminError(str(exc)) from None
        return jsonify({"faults": [r.describe() for r in rules]}), 201

    @bp.delete("/faults")
    def faults_clear() -> Any:
        emu.clear_faults()
        return jsonify({"status": "cleared"})

    @bp.get("/faults/<fault_id>")
    def faults_get(fault_id: str) -> Any:
        for rule in emu.faults():
            if rule["id"] == fault_id:
                return jsonify(rule)
        raise AdminError(f"no fault {fault_id!r}", 404)

    @bp.delete("/faults/<fault_id>")
    def faults_remove(fault_id: str) -> Any:
        if not emu.remove_fault(fault_id):
            raise AdminError(f"no fault {fault_id!r}", 404)
        return jsonify({"status": "removed", "id": fault_id})

    @bp.get("/rate-limits")
    def rate_limits_get() -> Any:
        return jsonify(emu.rate_limits(_corpid(emu, {})))

    @bp.put("/rate-limits")
    def rate_limits_set() -> Any:
        """``{"enabled": true, "limits": [...], "corpid": ..., "builtin": true}``."""
        data = body_json()
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise AdminError("enabled must be true or false")
        builtin = data.get("builtin", True)
        if not isinstance(builtin, bool):
            raise AdminError("builtin must be true or false")
        corpid = _corpid(emu, data)
        try:
            emu.set_rate_limits(
                enabled,
                data.get("limits"),
                corpid=corpid,
                builtin=builtin,
                gettoken_failures_per_hour=data.get("gettoken_failures_per_hour"),
                concurrent_per_api=data.get("concurrent_per_api"),
            )
        except ValueError as exc:
            raise AdminError(str(exc)) from None
        return jsonify(emu.rate_limits(corpid))

    @bp.put("/trusted-ips")
    def trusted_ips_set() -> Any:
        """``{"agentid": 1000002, "ips": ["10.0.0.0/8"]}`` or ``{"scope": "contacts", ...}``."""
        data = body_json()
        agentid = _int_or_none(data, "agentid")
        scope = data.get("scope", "app")
        corpid = _corpid(emu, data)
        try:
            ips = emu.set_trusted_ips(data.get("ips"), agentid=agentid, scope=scope, corpid=corpid)  # type: ignore[arg-type]
        except KeyError as exc:
            raise AdminError(f"unknown agent or scope: {exc}", 404) from None
        except ValueError as exc:
            raise AdminError(str(exc)) from None
        return jsonify({"agentid": agentid, "scope": scope, "ips": ips})

    @bp.post("/secrets/rotate")
    def secrets_rotate() -> Any:
        """``{"agentid": 1000002}`` or ``{"scope": "contacts"}``, optional ``"secret"``."""
        data = body_json()
        agentid = _int_or_none(data, "agentid")
        scope = data.get("scope", "app")
        secret = data.get("secret")
        if secret is not None and (not isinstance(secret, str) or not secret.strip()):
            raise AdminError("secret must be a non-empty string")
        corpid = _corpid(emu, data)
        corp = emu.corp(corpid)
        if scope == "app" and agentid is not None and agentid not in corp.agents:
            raise AdminError(f"no agent {agentid} in corp {corp.corpid}", 404)
        try:
            new = emu.rotate_secret(scope, agentid=agentid, corpid=corpid, secret=secret)
        except KeyError as exc:
            raise AdminError(f"unknown scope: {exc}", 404) from None
        return jsonify({"corpid": corp.corpid, "scope": scope, "agentid": agentid, "secret": new})
