"""``/__admin``: WireMock's convention. A client of the same Emulator API as Python and pytest.

Families add their own routes with ``@admin_extension`` (called with the blueprint and the
emulator when an app is built). Loopback callers only, unless the server says otherwise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from mock_server.emulator import Emulator

AdminExtension = Callable[[Blueprint, Emulator], None]
_EXTENSIONS: list[AdminExtension] = []


def admin_extension(fn: AdminExtension) -> AdminExtension:
    _EXTENSIONS.append(fn)
    return fn


class AdminError(Exception):
    """A bad admin request: answered with HTTP 400 and ``{"error": ...}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def body_json() -> dict[str, Any]:
    data = request.get_json(force=True, silent=True) if request.get_data() else {}
    if data is None or not isinstance(data, dict):
        raise AdminError("body must be a JSON object")
    return data


def _float_arg(name: str) -> float | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise AdminError(f"{name} must be a number") from None


def _import_family_admins() -> None:
    """Import ``services/<family>/admin.py`` here, not from the family's ``__init__``: the
    emulator imports the family packages (for their API mixins) before it is defined."""
    import importlib
    import importlib.util

    from mock_server.services import FAMILIES

    for name in FAMILIES:
        module = f"mock_server.services.{name}.admin"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


def admin_blueprint(emu: Emulator) -> Blueprint:
    bp = Blueprint("admin", __name__, url_prefix="/__admin")

    @bp.before_request
    def loopback_only() -> Any:
        if current_app.config.get("ADMIN_REMOTE"):
            return None
        addr = request.remote_addr or "127.0.0.1"
        try:
            if ipaddress.ip_address(addr).is_loopback:
                return None
        except ValueError:
            pass
        return jsonify({"error": "the admin API answers loopback callers only"}), 403

    @bp.after_request
    def persist(resp: Response) -> Response:
        # Sandbox actions change state outside the API pipeline: keep them before answering.
        if request.method != "GET":
            emu.storage.flush()
        return resp

    @bp.errorhandler(AdminError)
    def admin_error(err: AdminError) -> Any:
        return jsonify({"error": str(err)}), err.status

    @bp.get("/health")
    def health() -> Any:
        return jsonify({"status": "ok", "corps": sorted(emu.corps)})

    @bp.get("/corps")
    def corps() -> Any:
        return jsonify({"corps": [c.describe() for c in emu.corps.values()]})

    @bp.post("/reset")
    def reset() -> Any:
        emu.reset()
        return jsonify({"status": "reset"})

    @bp.get("/clock")
    def clock() -> Any:
        return jsonify(emu.clock.snapshot())

    @bp.post("/clock/advance")
    def clock_advance() -> Any:
        seconds = body_json().get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise AdminError("seconds must be a non-negative number")
        now = emu.advance(seconds)
        return jsonify({"now": now})

    @bp.get("/journal")
    def journal() -> Any:
        errcode = request.args.get("errcode")
        limit = request.args.get("limit")
        try:
            entries = emu.journal.entries(
                path=request.args.get("path"),
                endpoint=request.args.get("endpoint"),
                corpid=request.args.get("corpid"),
                scope=request.args.get("scope"),
                errcode=int(errcode) if errcode not in (None, "") else None,
                method=request.args.get("method"),
                since=_float_arg("since"),
                limit=int(limit) if limit not in (None, "") else None,
            )
        except ValueError:
            raise AdminError("errcode and limit must be integers") from None
        return jsonify(
            {"entries": entries, "size": emu.journal.size, "dropped": emu.journal.dropped}
        )

    @bp.delete("/journal")
    def journal_clear() -> Any:
        emu.journal.clear()
        return jsonify({"status": "cleared"})

    @bp.get("/endpoints")
    def endpoints() -> Any:
        from mock_server.registry import endpoints as all_endpoints

        return jsonify(
            {
                "endpoints": [
                    {
                        "family": e.family,
                        "method": e.method,
                        "path": e.path,
                        "scopes": sorted(e.scopes),
                        "auth": e.auth,
                        "summary": e.summary,
                        "errcodes": list(e.errcodes),
                    }
                    for e in all_endpoints()
                ]
            }
        )

    _import_family_admins()
    import mock_server.dashboard.web  # noqa: F401  (index, contacts read routes, state)

    for ext in _EXTENSIONS:
        ext(bp, emu)

    @bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def unknown(_rest: str) -> Response:
        resp = jsonify({"error": f"no admin route {request.method} /__admin/{_rest}"})
        resp.status_code = 404
        return resp

    return bp
