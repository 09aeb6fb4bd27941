"""The HTTP face: a Flask app built around an Emulator (``create_app``), no module globals."""

from __future__ import annotations

from flask import Flask, Response, request

from mock_server.emulator import Emulator
from mock_server.pipeline import ApiRequest, ApiResponse


def to_flask(resp: ApiResponse) -> Response:
    out = Response(resp.payload(), status=resp.status, content_type=resp.content_type)
    for k, v in resp.headers.items():
        out.headers[k] = v
    return out


def create_app(emulator: Emulator | None = None, *, admin_remote: bool = False) -> Flask:
    """A WSGI app serving ``/cgi-bin/*`` and the ``/__admin`` API for one emulator."""
    emu = emulator or Emulator(mode="server")
    app = Flask("mock_server")
    app.config["EMULATOR"] = emu
    app.config["ADMIN_REMOTE"] = admin_remote
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from mock_server.admin import admin_blueprint

    app.register_blueprint(admin_blueprint(emu))

    def api(path: str) -> Response:
        req = ApiRequest(
            method=request.method,
            path="/cgi-bin/" + path,
            query=request.args.to_dict(flat=True),
            body=request.get_data(cache=False),
            headers=dict(request.headers),
            client_ip=request.remote_addr or "127.0.0.1",
        )
        resp = emu.handle(req)
        return to_transport(resp)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    app.add_url_rule("/cgi-bin/<path:path>", "api", api, methods=methods)

    def not_found(_err: Exception) -> Response:
        # Anything outside /cgi-bin and /__admin: still the JSON envelope, never HTML.
        req = ApiRequest(
            request.method, request.path, request.args.to_dict(), b"", {}, request.remote_addr or ""
        )
        return to_flask(emu.handle(req))

    app.register_error_handler(404, not_found)
    app.register_error_handler(405, not_found)

    def server_error(_err: Exception) -> Response:
        return Response(
            b'{"errcode":-1,"errmsg":"system busy"}', status=200, content_type="application/json"
        )

    app.register_error_handler(500, server_error)
    return app


def to_transport(resp: ApiResponse) -> Response:
    """Transport faults (connection reset, empty reply) are applied by the faults package."""
    from mock_server.faults.transport import apply_http_fault

    return apply_http_fault(resp) or to_flask(resp)
