"""Login pages (outside ``/__admin``) and ``/__admin/identity/...`` sandbox actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator
from mock_server.services.identity import web
from mock_server.services.identity.models import AuthorizeError


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    def page() -> Response:
        result = web.handle_page(
            emu, request.path, request.args.to_dict(flat=True), request.cookies.get(web.COOKIE)
        )
        resp = Response(result.body, status=result.status, content_type="text/html; charset=utf-8")
        for key, value in result.headers.items():
            resp.headers[key] = value
        return resp

    def add_pages(state: Any) -> None:
        for path in web.PAGES:
            for full in (path, path + web.PICK_SUFFIX):
                state.app.add_url_rule(full, "login_page:" + full, page, methods=["GET"])

    bp.record_once(add_pages)

    @bp.post("/identity/oauth/code")
    def oauth_code() -> Any:
        """Log somebody in without a browser: {userid|openid, agentid, scope, redirect_uri}."""
        body = body_json()
        agentid = body.get("agentid")
        if agentid is not None and (isinstance(agentid, bool) or not isinstance(agentid, int)):
            raise AdminError("agentid must be an integer")
        try:
            out = emu.oauth_login(
                body.get("userid"),
                openid=body.get("openid"),
                agentid=agentid,
                scope=str(body.get("scope", "snsapi_base")),
                redirect_uri=body.get("redirect_uri"),
                state=str(body.get("state", "")),
                sso=bool(body.get("sso", False)),
                corpid=body.get("corpid"),
            )
        except (AuthorizeError, KeyError) as exc:
            raise AdminError(str(exc).strip("'\"")) from None
        return jsonify(out)

    @bp.post("/identity/jsapi/verify")
    def jsapi_verify() -> Any:
        """Check a wx.config / wx.agentConfig signature as the client would."""
        body = body_json()
        for key in ("url", "noncestr", "signature"):
            if not isinstance(body.get(key), str):
                raise AdminError(f"{key} must be a string")
        if not isinstance(body.get("timestamp"), int | str):
            raise AdminError("timestamp must be Unix seconds")
        agentid = body.get("agentid")
        if agentid is not None and (isinstance(agentid, bool) or not isinstance(agentid, int)):
            raise AdminError("agentid must be an integer")
        try:
            out = emu.check_jsapi_signature(
                url=body["url"],
                noncestr=body["noncestr"],
                timestamp=body["timestamp"],
                signature=body["signature"],
                agent_config=bool(body.get("agent_config", False)),
                agentid=agentid,
                corpid=body.get("corpid"),
            )
        except KeyError as exc:
            raise AdminError(str(exc).strip("'\"")) from None
        return jsonify(out)
