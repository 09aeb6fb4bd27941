"""Every registered endpoint has both schemas, every schema is valid, errcodes agree."""

from __future__ import annotations

import json

import jsonschema
import pytest

from mock_server.contracts.schemas import UNSUPPORTED_KEYWORDS, SchemaStore, iter_keywords
from mock_server.core import registry
from mock_server.emulator import default_registry

STORE = SchemaStore()
ENDPOINTS = default_registry().endpoints()
IDS = [ep.name for ep in ENDPOINTS]
# A $ref's siblings are ignored by fastjsonschema (draft-07 rules): only annotations there.
REF_SIBLINGS_OK = {
    "$ref",
    "description",
    "title",
    "x-errcode",
    "x-tolerated",
    "default",
    "examples",
}


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_registered_endpoint_has_both_schemas(ep: registry.Endpoint) -> None:
    missing = [k for k in ("request", "response") if not STORE.exists(STORE.relpath(ep, k))]
    assert not missing, f"{ep.name}: no schemas/{ep.schema_stem}.<{'|'.join(missing)}>.json"


def _ref_nodes(node: object) -> list[dict]:
    out = []
    if isinstance(node, dict):
        if "$ref" in node:
            out.append(node)
        for v in node.values():
            out.extend(_ref_nodes(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(_ref_nodes(v))
    return out


@pytest.mark.parametrize("rel", STORE.files())
def test_schema_is_valid_draft_2020_12_and_compiles(rel: str) -> None:
    raw = STORE.raw(rel)
    jsonschema.Draft202012Validator.check_schema(raw)
    if rel != "common.json":
        assert raw.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    assert not UNSUPPORTED_KEYWORDS.intersection(iter_keywords(raw)), "fastjsonschema ignores it"
    for node in _ref_nodes(raw):
        extra = set(node) - REF_SIBLINGS_OK
        assert not extra, f"validation keywords beside $ref are ignored on the hot path: {extra}"
    STORE.compile(rel)  # every $ref resolves (fastjsonschema)
    STORE.validator_for_file(rel).is_valid({})  # and with jsonschema


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_schema_errcodes_agree_with_the_registry(ep: registry.Endpoint) -> None:
    """The declaration's ``errcodes`` are the one source; ``x-errcodes`` is derived from it
    (``make schemas``, i.e. ``wecom-mock schemas --sync-errcodes``) and must not drift."""
    files = [STORE.relpath(ep, k) for k in ("request", "response")]
    if not any(STORE.exists(f) for f in files):
        pytest.skip("no schemas (reported by the presence test)")
    declared = STORE.declared_errcodes(ep)
    assert declared is not None, f"{ep.name}: no x-errcodes in its schemas"
    for f in files:
        codes = STORE.raw(f).get("x-errcodes") if STORE.exists(f) else None
        if codes is not None:
            assert sorted(set(codes)) == sorted(set(ep.errcodes)), (
                f"schemas/{f}: x-errcodes {sorted(set(codes))} != registry "
                f"{sorted(set(ep.errcodes))} (run make schemas)"
            )


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_response_schema_accepts_the_error_envelope(ep: registry.Endpoint) -> None:
    if not STORE.exists(STORE.relpath(ep, "response")):
        pytest.skip("no response schema")
    assert STORE.is_valid(ep, "response", {"errcode": 40058, "errmsg": "x"})
    assert not STORE.is_valid(ep, "response", {"errcode": "0"})


def test_refs_resolve_whichever_way_common_is_written(tmp_path) -> None:
    (tmp_path / "fam").mkdir()
    (tmp_path / "common.json").write_text(
        '{"$defs": {"u": {"type": "string", "minLength": 2}}}', encoding="utf-8"
    )
    for i, ref in enumerate(
        [
            "../common.json#/$defs/u",
            "common.json#/$defs/u",
            "https://wecom-mock.invalid/schemas/common.json#/$defs/u",
        ]
    ):
        (tmp_path / "fam" / f"a{i}.request.json").write_text(
            json.dumps({"properties": {"x": {"$ref": ref}}}), encoding="utf-8"
        )
        store = SchemaStore(tmp_path)
        check = store.compile(f"fam/a{i}.request.json")
        assert check is not None
        check({"x": "ok"})
        with pytest.raises(Exception, match="must be longer than or equal to 2"):
            check({"x": "k"})


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_strict_mode_errcodes_are_declared(ep: registry.Endpoint) -> None:
    """Strict mode answers a field's ``x-errcode``: it must be one the endpoint can return."""
    rel = STORE.relpath(ep, "request")
    if not STORE.exists(rel):
        pytest.skip("no request schema")
    raw = STORE.raw(rel)
    codes = list((raw.get("x-missing-errcodes") or {}).values())
    for node in _nodes(raw):
        if "x-errcode" in node:
            codes.append(node["x-errcode"])
    allowed = set(ep.errcodes) | STORE.global_errcodes()
    assert set(codes) <= allowed, f"{ep.name}: {sorted(set(codes) - allowed)} not declared"


def _nodes(node: object) -> list[dict]:
    out = []
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            out.extend(_nodes(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(_nodes(v))
    return out
