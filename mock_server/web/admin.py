"""``/__admin`` (WireMock's convention): every plugin's admin actions mounted on Flask.

The actions themselves know no web framework (``mock_server.core.admin``); this module turns
a Flask request into an ``AdminRequest``, an action's return value into JSON, and an
``AdminError`` into its status and ``{"error": ...}``. Loopback callers only, unless the
server says otherwise.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from mock_server.core.admin import AdminAction, AdminError, AdminRequest
from mock_server.core.engine import Engine


def _body() -> dict[str, Any]:
    if not request.get_data():
        return {}
    data = request.get_json(force=True, silent=True)
    if data is None or not isinstance(data, dict):
        raise AdminError("body must be a JSON object")
    return data


def _view(emu: Engine, action: AdminAction, index: int) -> Any:
    def view(**path_params: str) -> Any:
        params = {**request.args.to_dict(flat=True), **path_params}
        result = action.run(emu, AdminRequest(params, _body()))
        return jsonify(result), action.status

    view.__name__ = f"action{index}_{action.run.__name__}"
    return view


def admin_blueprint(emu: Engine) -> Blueprint:
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

    @bp.errorhandler(AdminError)
    def admin_error(err: AdminError) -> Any:
        return jsonify(err.body()), err.status

    @bp.after_request
    def persist(resp: Response) -> Response:
        # Admin actions change state outside the API pipeline: keep them before answering.
        if request.method != "GET":
            emu.storage.flush()
        return resp

    from mock_server.web.dashboard import register_read_routes

    register_read_routes(bp, emu)  # type: ignore[arg-type]
    for index, action in enumerate(emu.admin_actions):
        view = _view(emu, action, index)
        bp.add_url_rule(action.path, view.__name__, view, methods=[action.method])

    @bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def unknown(_rest: str) -> Response:
        resp = jsonify({"error": f"no admin route {request.method} /__admin/{_rest}"})
        resp.status_code = 404
        return resp

    return bp
