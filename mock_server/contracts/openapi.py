"""``wecom-mock openapi``: an OpenAPI 3.1 document derived from the registry and the schemas.

Nothing is listed by hand: every registered endpoint becomes an operation (its schemas as
components, its errcodes as ``x-errcodes``), so a family's endpoints appear as soon as they
are registered. OpenAPI 3.1 schema objects are JSON Schema 2020-12, so the endpoint schemas
are embedded as they are, with ``$ref`` rewritten to ``#/components/schemas/...``.
"""

from __future__ import annotations

from typing import Any

from mock_server.contracts.schemas import BASE_URL, COMMON, SchemaStore, _walk_refs, default_store
from mock_server.core import registry

DOC_URL = "https://developer.work.weixin.qq.com/document/path/{doc}"
GENERIC_RESPONSE = {
    "type": "object",
    "required": ["errcode", "errmsg"],
    "properties": {"errcode": {"type": "integer"}, "errmsg": {"type": "string"}},
}


def component_name(rel: str) -> str:
    """``contacts/user.create.request.json`` -> ``contacts.user.create.request``."""
    return rel[: -len(".json")].replace("/", ".")


def _rewriter(rel: str) -> Any:
    own = "#/components/schemas/" + component_name(rel)

    def fix(ref: str) -> str:
        if ref.startswith("#"):
            return own + ref[1:]
        if ref.startswith(BASE_URL):
            target, _, frag = ref[len(BASE_URL) :].partition("#")
            return "#/components/schemas/" + component_name(target) + frag
        return ref

    return fix


def _component(store: SchemaStore, rel: str) -> Any:
    doc = _walk_refs(store.normalized(rel), _rewriter(rel))
    doc.pop("$id", None)
    doc.pop("$schema", None)
    return doc


def _query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    out = []
    for name, sub in (schema.get("properties") or {}).items():
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": sub,
        }
        if isinstance(sub, dict) and sub.get("description"):
            param["description"] = sub["description"]
        out.append(param)
    return out


def build(
    endpoints: registry.Registry,
    store: SchemaStore | None = None,
    server_url: str = "http://127.0.0.1:8000",
) -> dict:
    """The OpenAPI 3.1 document of every registered endpoint."""
    store = store or default_store()
    components: dict[str, Any] = {}
    if store.exists(COMMON):
        components[component_name(COMMON)] = _component(store, COMMON)
    paths: dict[str, Any] = {}
    for ep in endpoints.endpoints():
        rels = {kind: store.relpath(ep, kind) for kind in ("request", "response")}
        have = {kind: store.exists(rel) for kind, rel in rels.items()}
        for kind, rel in rels.items():
            if have[kind]:
                components[component_name(rel)] = _component(store, rel)
        op: dict[str, Any] = {
            "operationId": ep.name.replace("/", "_"),
            "tags": [ep.family],
            "summary": ep.summary or ep.name,
        }
        if ep.doc:
            op["externalDocs"] = {"url": DOC_URL.format(doc=ep.doc)}
        if ep.auth == registry.AUTH_TOKEN:
            op["security"] = [{"access_token": []}]
            op["x-secret-scopes"] = sorted(ep.scopes)
            if ep.app_permission:
                op["x-app-permission"] = ep.app_permission
        elif ep.auth == registry.AUTH_WEBHOOK:
            op["security"] = [{"robot_key": []}]
        else:
            op["security"] = []
        req_ref = {"$ref": "#/components/schemas/" + component_name(rels["request"])}
        if ep.method == "GET" or ep.multipart:
            if have["request"]:
                op["parameters"] = _query_parameters(components[component_name(rels["request"])])
        if ep.method == "POST":
            if ep.multipart:
                op["requestBody"] = {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"media": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                }
            else:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": req_ref if have["request"] else {}}},
                }
        resp_schema = (
            {"$ref": "#/components/schemas/" + component_name(rels["response"])}
            if have["response"]
            else GENERIC_RESPONSE
        )
        content: dict[str, Any] = {"application/json": {"schema": resp_schema}}
        if ep.binary_response:
            content["application/octet-stream"] = {"schema": {}}
        op["responses"] = {
            "200": {
                "description": "HTTP 200 always: errcode 0 on success, else a declared errcode",
                "content": content,
            }
        }
        op["x-errcodes"] = sorted(set(ep.errcodes))
        if not all(have.values()):
            op["x-missing-schemas"] = [k for k, ok in have.items() if not ok]
        paths.setdefault(ep.path, {})[ep.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "WeCom (企业微信) server API, as emulated by wecom-mock",
            "version": _version(),
            "description": (
                "Derived from the wecom-mock endpoint registry and JSON Schemas. Every answer is "
                "HTTP 200; failures carry a non-zero errcode (x-errcodes lists each endpoint's; "
                "x-global-errcodes those any endpoint may return)."
            ),
        },
        "servers": [{"url": server_url}],
        "x-global-errcodes": sorted(store.global_errcodes()),
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "access_token": {"type": "apiKey", "in": "query", "name": "access_token"},
                "robot_key": {"type": "apiKey", "in": "query", "name": "key"},
            },
        },
    }


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("wecom-mock")
    except Exception:  # not installed (a source checkout on sys.path)
        return "0"
