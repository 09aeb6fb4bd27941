"""``wecom-mock proxy``: forward to an upstream WeCom API, check both directions against the
schemas, and report drift (Prism's validation proxy for WeCom).

Drift kinds: ``request_invalid`` (the client sent what the schema rejects), ``field_missing``,
``new_field``, ``type_changed``, ``schema_violation`` (any other keyword),
``undeclared_errcode`` and ``unknown_endpoint``. The report groups identical findings
(endpoint, kind, path) with a count and one example.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from typing import Any

import requests
from flask import Flask, Response, request
from waitress.server import create_server

from mock_server.contracts.cassette import CassetteWriter
from mock_server.contracts.schemas import SchemaStore, default_store, inline_refs
from mock_server.contracts.validation import _coerce
from mock_server.core.registry import Registry
from mock_server.emulator import default_registry

HOP_HEADERS = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding"}
_INDEX = re.compile(r"\[\d+\]")


class DriftLog:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._lock = threading.Lock()
        self.requests = 0
        self.findings: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, endpoint: str, kind: str, path: str, detail: str) -> None:
        key = (endpoint, kind, _INDEX.sub("[]", path))
        with self._lock:
            item = self.findings.get(key)
            if item is None:
                self.findings[key] = {
                    "endpoint": endpoint,
                    "kind": kind,
                    "path": key[2],
                    "detail": detail,
                    "count": 1,
                }
            else:
                item["count"] += 1

    def report(self) -> dict[str, Any]:
        with self._lock:
            items = sorted(self.findings.values(), key=lambda f: (f["endpoint"], f["kind"]))
        by_kind: dict[str, int] = {}
        for f in items:
            by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
        return {
            "upstream": self.upstream,
            "requests": self.requests,
            "drift": items,
            "by_kind": by_kind,
        }

    def summary(self) -> str:
        rep = self.report()
        lines = [f"wecom-mock proxy: {rep['requests']} request(s) to {self.upstream}"]
        if not rep["drift"]:
            lines.append("no drift from the schemas")
        for f in rep["drift"]:
            lines.append(f"  {f['endpoint']:<36} {f['kind']:<18} {f['path']}  ({f['count']}x)")
        return "\n".join(lines)


def _new_fields(schema: Any, value: Any, path: str, out: list[tuple[str, str]]) -> None:
    """Fields present in ``value`` that the (inlined) schema does not describe."""
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            for k, v in value.items():
                if k not in props:
                    out.append((f"{path}.{k}", f"field {k!r} is not in the schema"))
                else:
                    _new_fields(props[k], v, f"{path}.{k}", out)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            _new_fields(schema["items"], v, f"{path}[{i}]", out)


def _success_branch(schema: Any) -> Any:
    for branch in schema.get("anyOf", [schema]) if isinstance(schema, dict) else []:
        errcode = (branch.get("properties") or {}).get("errcode", {})
        if errcode.get("const") == 0:
            return branch
    return schema


def _registry() -> Registry:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = default_registry()
    return _REGISTRY


_REGISTRY: Registry | None = None


def check_exchange(
    store: SchemaStore,
    log: DriftLog,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    resp_body: Any,
) -> None:
    """Record every way one request/response pair drifts from the contract."""
    ep = _registry().resolve(path)
    if ep is None:
        log.add(path, "unknown_endpoint", "", "no such endpoint in the registry")
        return
    name = ep.name
    if store.exists(store.relpath(ep, "request")) and not ep.multipart:
        if ep.method == "GET":
            inst: Any = {k: v for k, v in query.items() if k != "access_token"}
            for field, kind in store.query_coercions(ep).items():
                if isinstance(inst.get(field), str):
                    inst[field] = _coerce(inst[field], kind)
            where = "query"
        else:
            inst, where = (body if isinstance(body, dict) else {}), "body"
        if not store.is_valid(ep, "request", inst):
            for v in store.explain(ep, "request", inst, where):
                log.add(name, "request_invalid", v.location, v.message)
    if not isinstance(resp_body, dict) or not store.exists(store.relpath(ep, "response")):
        return
    if not store.is_valid(ep, "response", resp_body):
        for v in store.explain(ep, "response", resp_body, "response"):
            kind = {"required": "field_missing", "type": "type_changed"}.get(
                v.keyword, "schema_violation"
            )
            log.add(name, kind, v.location, v.message)
    code = resp_body.get("errcode")
    if code == 0:
        found: list[tuple[str, str]] = []
        _new_fields(
            _success_branch(inline_refs(store, store.relpath(ep, "response"))),
            resp_body,
            "response",
            found,
        )
        for p, detail in found:
            log.add(name, "new_field", p, detail)
    elif isinstance(code, int) and code not in ep.errcodes and code not in store.global_errcodes():
        log.add(name, "undeclared_errcode", "response.errcode", f"errcode {code} not declared")


def create_proxy_app(
    upstream: str,
    log: DriftLog,
    cassette: CassetteWriter | None = None,
    store: SchemaStore | None = None,
) -> Flask:
    store = store or default_store()
    base = upstream.rstrip("/")
    app = Flask("wecom_mock_proxy")
    session = requests.Session()

    def forward(path: str) -> Response:
        full = "/cgi-bin/" + path
        query = request.args.to_dict(flat=True)
        raw = request.get_data(cache=False)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        try:
            up = session.request(
                request.method, base + full, params=query, data=raw, headers=headers, timeout=60
            )
        except requests.RequestException as exc:
            log.add(full, "upstream_error", "", str(exc))
            return Response(
                json.dumps({"errcode": -1, "errmsg": f"proxy: upstream unreachable: {exc}"}),
                status=502,
                content_type="application/json",
            )
        with log._lock:
            log.requests += 1
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                body = raw.decode("utf-8", "replace")
        try:
            resp_body: Any = up.json()
        except ValueError:
            resp_body = None
        check_exchange(store, log, request.method, full, query, body, resp_body)
        if cassette is not None and resp_body is not None:
            cassette.write(
                request.method, full, query, body, up.status_code, dict(up.headers), resp_body
            )
        out = Response(up.content, status=up.status_code)
        for k, v in up.headers.items():
            if k.lower() not in HOP_HEADERS and k.lower() != "content-encoding":
                out.headers[k] = v
        return out

    app.add_url_rule(
        "/cgi-bin/<path:path>", "forward", forward, methods=["GET", "POST", "PUT", "DELETE"]
    )
    return app


class ProxyServer:
    """The proxy on a background thread (``port=0`` picks a free port); ``stop`` writes the
    drift report."""

    def __init__(
        self,
        upstream: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        record: str | None = None,
        report: str | None = None,
    ) -> None:
        self.log = DriftLog(upstream)
        self.cassette = CassetteWriter(record, upstream) if record else None
        self.report_path = report
        app = create_proxy_app(upstream, self.log, self.cassette)
        self._server: Any = create_server(
            app, host=host, port=port, threads=8, ident="wecom-mock-proxy"
        )
        self.host = host
        self.port: int = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ProxyServer:
        self._thread = threading.Thread(
            target=self._server.run, name="wecom-mock-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> dict[str, Any]:
        from mock_server.web.server import shutdown_waitress

        shutdown_waitress(self._server, self._thread)
        rep = self.log.report()
        if self.report_path:
            with open(self.report_path, "w", encoding="utf-8") as f:
                json.dump(rep, f, ensure_ascii=False, indent=2)
                f.write("\n")
        return rep

    def __enter__(self) -> ProxyServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def run_proxy(
    upstream: str, *, host: str, port: int, record: str | None, report: str | None
) -> int:
    """Serve until SIGTERM/Ctrl-C, then write the report and print the summary."""
    proxy = ProxyServer(upstream, host=host, port=port, record=record, report=report)
    from mock_server.web.server import stop_on_signals

    stop = stop_on_signals()
    proxy.start()
    print(f"wecom-mock proxy on {proxy.url} -> {upstream}", flush=True)
    if record:
        print(f"recording to {record} (secrets and tokens redacted)", flush=True)
    try:
        stop.wait()
    finally:
        proxy.stop()
        print(proxy.log.summary(), file=sys.stderr, flush=True)
        if report:
            print(f"drift report: {report}", file=sys.stderr, flush=True)
    return 0
