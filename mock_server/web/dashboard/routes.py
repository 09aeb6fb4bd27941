"""Flask wiring of the dashboard and the admin read routes (contacts, company, state, ...)."""

from __future__ import annotations

import ipaddress
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from mock_server.core.admin import AdminError
from mock_server.web.dashboard import reads

if TYPE_CHECKING:
    from mock_server.emulator import Emulator

STATIC = "web/dashboard/static"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

# Faults a person adds from the dashboard in one click (any field can be edited first).
FAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "token expired",
        "help": "the next call answers 42001 and its access_token stops working",
        "spec": {"path": "*", "errcode": 42001, "invalidate_token": True, "times": 1},
    },
    {
        "name": "system busy (-1)",
        "help": "the next 3 calls answer -1: a client should retry",
        "spec": {"path": "*", "errcode": -1, "times": 3},
    },
    {
        "name": "rate limited (45009)",
        "help": "the next call answers 45009 (API frequency limit)",
        "spec": {"path": "*", "errcode": 45009, "times": 1},
    },
    {
        "name": "connection reset",
        "help": "the next call's connection is reset before any answer",
        "spec": {"path": "*", "fault": "reset", "times": 1},
    },
    {
        "name": "slow (2 s)",
        "help": "the next call is answered after 2 seconds",
        "spec": {"path": "*", "delay": 2, "times": 1},
    },
]


_NOT_FOUND = b'{"error":"no such dashboard file"}'


def _static(name: str) -> Response:
    # A miss answers like the rest of the admin API (JSON), not with a text/HTML page.
    if "/" in name or name.startswith("."):
        return Response(_NOT_FOUND, status=404, content_type="application/json")
    res = resources.files("mock_server").joinpath(f"{STATIC}/{name}")
    if not res.is_file():
        return Response(_NOT_FOUND, status=404, content_type="application/json")
    suffix = name[name.rfind(".") :]
    resp = Response(res.read_bytes(), content_type=TYPES.get(suffix, "application/octet-stream"))
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def _loopback_ok() -> bool:
    if current_app.config.get("ADMIN_REMOTE"):
        return True
    try:
        return ipaddress.ip_address(request.remote_addr or "127.0.0.1").is_loopback
    except ValueError:
        return False


def register_dashboard(app: Flask, emu: Emulator) -> None:
    """``/`` and ``/__admin/ui`` (the page), ``/__admin/ui/<file>`` (its assets)."""

    def page() -> Response:
        if not _loopback_ok():
            return Response("the dashboard answers loopback callers only", 403)
        return _static("index.html")

    def asset(name: str) -> Response:
        if not _loopback_ok():
            return Response("forbidden", 403)
        return _static(name)

    # GET only: no automatic OPTIONS (an empty 200 that is not the admin API's JSON).
    for rule, name, view in (
        ("/", "dashboard", page),
        ("/__admin/ui", "dashboard_ui", page),
        ("/__admin/ui/", "dashboard_ui_slash", page),
        ("/__admin/ui/<name>", "dashboard_asset", asset),
    ):
        app.add_url_rule(rule, name, view, methods=["GET"], provide_automatic_options=False)

    @app.after_request
    def iso_times(resp: Response) -> Response:
        # Humans read the admin API too: every unix time gets an ISO twin (China time).
        if (
            request.method == "GET"
            and request.path.startswith("/__admin/")
            and resp.mimetype == "application/json"
            and resp.status_code == 200
            and not request.args.get("raw")
        ):
            try:
                data = json.loads(resp.get_data())
            except ValueError:
                return resp
            resp.set_data(json.dumps(reads.with_iso(data), ensure_ascii=False))
        return resp


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise AdminError(f"{name} must be an integer") from None


def _offset() -> int:
    offset = _int_arg("offset") or 0
    if offset < 0:
        raise AdminError("offset must not be negative")
    return offset


def _read(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except LookupError as exc:
        raise AdminError(str(exc.args[0] if exc.args else exc), 404) from None


def register_read_routes(bp: Blueprint, emu: Emulator) -> None:
    """The admin API's index and the read views the dashboard shows (on the admin blueprint)."""

    @bp.get("")
    def index() -> Any:
        """The admin API's index (JSON), or the dashboard for a browser."""
        accept = request.accept_mimetypes
        if accept.accept_html and accept["text/html"] > accept["application/json"]:
            return _static("index.html")
        rules = []
        for rule in current_app.url_map.iter_rules():
            if not rule.rule.startswith("/__admin") or "_rest" in rule.rule:
                continue
            doc = _summary(current_app.view_functions.get(rule.endpoint))
            methods = sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))
            rules.append({"methods": methods, "path": rule.rule, "doc": doc})
        for action in emu.admin_actions:  # matched by one route (``web.admin``)
            path = "/__admin" + action.path
            rules.append({"methods": [action.method], "path": path, "doc": _summary(action.run)})
        rules.sort(key=lambda r: str(r["path"]))
        return jsonify(
            {
                "name": "wecom-mock admin API",
                "dashboard": "/__admin/ui",
                "state": emu.storage.info(),
                "corps": sorted(emu.corps),
                "routes": rules,
            }
        )

    @bp.get("/contacts/departments")
    def contacts_departments() -> Any:
        """The department tree (depth-first) with each department's direct members."""
        return jsonify({"departments": _read(reads.departments, emu, request.args.get("corpid"))})

    @bp.get("/contacts/members")
    def contacts_members() -> Any:
        """Members (``?department=``, a page: ``?offset=&limit=``); ``total`` counts all."""
        return jsonify(
            _read(
                reads.members,
                emu,
                request.args.get("corpid"),
                department=_int_arg("department"),
                limit=_int_arg("limit") or 0,
                offset=_offset(),
            )
        )

    @bp.get("/contacts/tags")
    def contacts_tags() -> Any:
        """Tags with their members (userids) and departments."""
        return jsonify({"tags": _read(reads.tags, emu, request.args.get("corpid"))})

    @bp.get("/external/overview")
    def external_overview() -> Any:
        """Customers (a page: ``?offset=&limit=``) with follow users, remarks and tags; tag
        groups; customer groups."""
        return jsonify(
            _read(
                reads.customers,
                emu,
                request.args.get("corpid"),
                limit=_int_arg("limit") or 0,
                offset=_offset(),
            )
        )

    @bp.get("/company")
    def company() -> Any:
        """One corp as the Company view shows it (lists cut at ``?limit=``, default 200;
        each department's members at 30)."""
        limit = _int_arg("limit")
        return jsonify(
            _read(
                reads.company,
                emu,
                request.args.get("corpid"),
                limit=200 if limit is None else limit,
            )
        )

    @bp.get("/errcodes")
    def errcodes() -> Any:
        """The errcode table: meaning, Chinese errmsg, whether it is confirmed."""
        code = request.args.get("errcode")
        table = reads.errcode_table()
        if code:
            if code not in table:
                raise AdminError(f"errcode {code} is not in the table", 404)
            return jsonify({code: table[code]})
        return jsonify({"errcodes": table})

    @bp.get("/state")
    def state() -> Any:
        """Where the state is kept (memory or a --state file) and its fingerprint digest."""
        return jsonify(reads.state_summary(emu))

    @bp.get("/fault-templates")
    def fault_templates() -> Any:
        """Ready-made fault rules (token expired, -1 busy, 45009, ...) for POST /faults."""
        return jsonify({"templates": FAULT_TEMPLATES})


def _summary(fn: Any) -> str:
    """The first line of a view's or an action's docstring ("" without one)."""
    lines = (getattr(fn, "__doc__", None) or "").strip().splitlines()
    return lines[0] if lines else ""
