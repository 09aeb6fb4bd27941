"""The browser pages of the identity family (OAuth2 authorize, QR-code login) on Flask.

The pages' logic is ``services/identity/web.py`` (no web framework); this module only turns a
Flask request into its arguments and its ``Page`` into a response.
"""

from __future__ import annotations

from flask import Flask, Response, request

from mock_server.core.engine import Engine
from mock_server.services.identity import web


def add_login_pages(app: Flask, emu: Engine) -> None:
    def page() -> Response:
        result = web.handle_page(
            emu, request.path, request.args.to_dict(flat=True), request.cookies.get(web.COOKIE)
        )
        resp = Response(result.body, status=result.status, content_type="text/html; charset=utf-8")
        for key, value in result.headers.items():
            resp.headers[key] = value
        return resp

    for path in web.PAGES:
        for full in (path, path + web.PICK_SUFFIX):
            app.add_url_rule(full, "login_page:" + full, page, methods=["GET"])
