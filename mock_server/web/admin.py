"""``/__admin`` (WireMock's convention): every plugin's admin actions mounted on Flask.

The actions themselves know no web framework (``mock_server.core.admin``); this module turns
a Flask request into an ``AdminRequest``, an action's return value into JSON, and an
``AdminError`` into its status and ``{"error": ...}``. Loopback callers, this server's Host
names and same-origin JSON writes only, unless the server says otherwise (``admin_refusal``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, request

from mock_server.core import jsonsafe
from mock_server.core.admin import AdminError, AdminRequest, find_action
from mock_server.core.engine import Engine


def _body() -> dict[str, Any]:
    """The admin body as a JSON object (UTF-8, not too deep, no lone surrogates)."""
    raw = request.get_data()
    if not raw:
        return {}
    try:
        data = jsonsafe.loads(raw)
    except ValueError:
        raise AdminError("body must be a JSON object") from None
    if not isinstance(data, dict):
        raise AdminError("body must be a JSON object")
    return data


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback(addr: str | None) -> bool:
    """127.0.0.0/8, ::1 and the IPv4-mapped ``::ffff:127.0.0.1`` (a server bound to ``::``)."""
    if not addr:
        return False
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def _hostname(netloc: str) -> str:
    """``host:port`` / ``[v6]:port`` -> the host, lower case."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def local_host(name: str, extra_hosts: Iterable[str] = ()) -> bool:
    """A Host this server answers to: a loopback name/address or a configured one."""
    host = _hostname(name)
    return host in LOCAL_NAMES or is_loopback(host) or host in {h.lower() for h in extra_hosts}


def admin_refusal(
    *,
    remote_addr: str | None,
    host: str,
    origin: str | None,
    fetch_site: str | None,
    method: str,
    content_type: str | None,
    has_body: bool,
    remote_allowed: bool = False,
    extra_hosts: Iterable[str] = (),
) -> tuple[int, str] | None:
    """Why an admin request is refused (status, message), or None.

    The admin API resets state and reads secrets, so a web page the developer has open
    must not drive it: cross-origin requests (``Origin``/``Sec-Fetch-Site``), writes whose
    body is not declared JSON (a form or ``text/plain`` POST needs no CORS preflight), and
    Host names that are not this server's (DNS rebinding) are refused. ``--admin-remote``
    lets other machines in (and any Host); ``--admin-host`` adds accepted Host names.
    """
    if not remote_allowed and not is_loopback(remote_addr):
        return 403, "the admin API answers loopback callers only"
    if not remote_allowed and not local_host(host, extra_hosts):
        return 403, f"the admin API refuses Host {host!r} (not this server; --admin-host adds one)"
    if origin is not None:
        origin_host = urlsplit(origin).netloc if "://" in origin else ""
        if not origin_host or origin_host.lower() != host.lower():
            return 403, "the admin API refuses cross-origin requests"
    if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
        return 403, "the admin API refuses cross-site requests"
    if method in WRITE_METHODS and (has_body or content_type):
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            return 415, "admin writes take Content-Type: application/json"
    return None


def admin_blueprint(emu: Engine) -> Blueprint:
    bp = Blueprint("admin", __name__, url_prefix="/__admin")

    @bp.before_request
    def guard() -> Any:
        if request.method == "OPTIONS":  # no CORS: a preflight gets a refusal, in JSON
            return jsonify({"error": "the admin API answers no cross-origin preflight"}), 405
        refusal = admin_refusal(
            remote_addr=request.remote_addr,
            host=request.host,
            origin=request.headers.get("Origin"),
            fetch_site=request.headers.get("Sec-Fetch-Site"),
            method=request.method,
            content_type=request.headers.get("Content-Type"),
            has_body=bool(request.content_length) or bool(request.headers.get("Transfer-Encoding")),
            remote_allowed=bool(current_app.config.get("ADMIN_REMOTE")),
            extra_hosts=current_app.config.get("ADMIN_HOSTS") or (),
        )
        if refusal is None:
            return None
        status, message = refusal
        return jsonify({"error": message}), status

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

    # The plugins' actions are matched here, not each compiled into a Flask rule: 65 rules
    # cost a fifth of the server's start-up.
    @bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def dispatch(_rest: str) -> Any:
        hit = find_action(emu.admin_actions, request.method, _rest)
        if hit is not None:
            action, found = hit
            params = {**request.args.to_dict(flat=True), **found}
            # Only ``AdminError`` (bad input, an unknown corp or id) is a 4xx; anything else
            # an action raises is a bug: Flask logs it and answers 500 in JSON.
            return jsonify(action.run(emu, AdminRequest(params, _body()))), action.status
        resp = jsonify({"error": f"no admin route {request.method} /__admin/{_rest}"})
        resp.status_code = 404
        return resp

    return bp
