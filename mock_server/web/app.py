"""The HTTP face: a Flask app built around an Emulator (``create_app``), no module globals."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.wsgi import get_input_stream

from mock_server.core.admin import AdminError
from mock_server.core.errors import WeComError
from mock_server.core.pipeline import (
    ApiRequest,
    ApiResponse,
    Context,
    body_limit,
    error_response,
    header_value,
)
from mock_server.emulator import Emulator

ADMIN_MAX_BODY = 32 * 1024 * 1024


def to_flask(resp: ApiResponse) -> Response:
    out = Response(resp.payload(), status=resp.status, content_type=resp.content_type)
    for k, v in resp.headers.items():
        out.headers[k] = header_value(v)
    return out


def create_app(
    emulator: Emulator | None = None,
    *,
    admin_remote: bool = False,
    admin_hosts: Sequence[str] = (),
    request_log: Callable[[str], None] | None = None,
) -> Flask:
    """A WSGI app serving ``/cgi-bin/*``, the ``/__admin`` API and the dashboard.

    ``admin_hosts``: Host names besides loopback ones the admin API answers to.
    ``request_log`` gets one line per API call (method, path, errcode, ms) and per admin
    change; the server's terminal prints them unless ``--quiet``.
    """
    emu = emulator or Emulator(mode="server")
    app = Flask("mock_server")
    app.config["EMULATOR"] = emu
    app.config["ADMIN_REMOTE"] = admin_remote
    app.config["ADMIN_HOSTS"] = list(admin_hosts)
    app.config["MAX_CONTENT_LENGTH"] = ADMIN_MAX_BODY
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from mock_server.web.admin import admin_blueprint

    app.register_blueprint(admin_blueprint(emu))

    from mock_server.web.login_pages import add_login_pages

    add_login_pages(app, emu)

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
        # Headers go along: non-API routes answered by the pipeline (export data files)
        # honour Range.
        req = ApiRequest(
            request.method,
            request.path,
            request.args.to_dict(),
            b"",
            dict(request.headers),
            request.remote_addr or "",
        )
        return to_flask(emu.handle(req))

    app.register_error_handler(404, not_found)
    app.register_error_handler(405, not_found)

    def server_error(_err: Exception) -> Any:
        # A crash outside the pipeline (which answers its own): the admin API's error body,
        # or the API's -1 envelope rendered by the one error path.
        if request.path.startswith("/__admin"):
            return jsonify(AdminError("internal error", 500).body()), 500
        req = ApiRequest(
            request.method, request.path, request.args.to_dict(), b"", {}, request.remote_addr or ""
        )
        return to_flask(error_response(Context(emu, req), WeComError(-1)))

    app.register_error_handler(500, server_error)

    def too_large(_err: Exception) -> Response:
        if request.path.startswith("/__admin"):
            return Response(
                b'{"error":"request body over the admin API\'s 32 MiB limit"}',
                status=413,
                content_type="application/json",
            )
        req = ApiRequest(
            request.method, request.path, request.args.to_dict(), b"", {}, request.remote_addr or ""
        )
        req.oversize = request.content_length or ADMIN_MAX_BODY + 1
        return to_flask(emu.handle(req))

    app.register_error_handler(413, too_large)
    from mock_server.web.dashboard import register_dashboard

    register_dashboard(app, emu)
    if request_log is not None:

        @app.after_request
        def log_admin(resp: Response) -> Response:
            if request.method != "GET" and request.path.startswith("/__admin"):
                request_log(f"{request.method:<6} {request.path}  HTTP {resp.status_code}")
            return resp

    app.wsgi_app = CgiBinFastPath(app, emu, request_log)  # type: ignore[method-assign]
    return app


class CgiBinFastPath:
    """WSGI middleware answering ``/cgi-bin/*`` straight from the environ.

    The API's hot path skips Flask's request context, routing and Response objects (about
    half the server CPU of a user/get); ``/__admin`` and everything else go to Flask. A
    response carrying a transport fault or a delay is rendered by the faults package inside
    a Flask request context, exactly as the Flask route would.
    """

    def __init__(
        self, app: Flask, emu: Emulator, request_log: Callable[[str], None] | None = None
    ) -> None:
        self.flask = app
        self.inner = app.wsgi_app
        self.emu = emu
        self.request_log = request_log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/cgi-bin/") or path == "/cgi-bin/":
            return self.inner(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET").upper()
        body = b""
        oversize = 0
        if method not in ("GET", "HEAD"):
            limit = body_limit(self.emu.registry.resolve(path))
            try:
                declared = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:  # not read at all (waitress spooled it to disk)
                oversize = declared
            else:
                body = get_input_stream(environ).read(limit + 1)
                if len(body) > limit:
                    oversize, body = len(body), b""
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        if environ.get("CONTENT_LENGTH"):
            headers["Content-Length"] = environ["CONTENT_LENGTH"]
        req = ApiRequest.from_url_parts(
            method,
            path,
            _wsgi_str(environ.get("QUERY_STRING", "")),
            body,
            headers,
            environ.get("REMOTE_ADDR") or "127.0.0.1",
        )
        req.oversize = oversize
        started = time.perf_counter()
        resp = self.emu.handle(req)
        if self.request_log is not None:
            ms = (time.perf_counter() - started) * 1000
            fault = "  (fault)" if resp.transport_fault or resp.delay else ""
            self.request_log(f"{method:<6} {path}  errcode {resp.errcode}  {ms:.1f} ms{fault}")
        if resp.transport_fault or resp.delay:
            with self.flask.request_context(environ):
                return to_transport(resp)(environ, start_response)
        payload = resp.payload()
        out_headers = [
            ("Content-Type", resp.content_type),
            ("Content-Length", str(len(payload))),
            *((k, header_value(v)) for k, v in resp.headers.items()),
        ]
        start_response(f"{resp.status} {reason_phrase(resp.status)}", out_headers)
        return [] if method == "HEAD" else [payload]


def reason_phrase(status: int) -> str:
    """The standard reason phrase (an injected 503 says "Service Unavailable", not "OK")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _wsgi_str(value: str) -> str:
    """WSGI hands the query string as latin-1 decoded bytes; recover the UTF-8 text."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def to_transport(resp: ApiResponse) -> Response:
    """Transport faults (connection reset, empty reply) are applied by the faults package."""
    from mock_server.web.socket_faults import apply_http_fault

    return apply_http_fault(resp) or to_flask(resp)
