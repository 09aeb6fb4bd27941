"""Property-based contract checks of every endpoint with schemas (the registry is iterated,
so endpoints of every family are covered as soon as they are registered).

* A request valid by its request schema gets errcode 0 or an errcode the endpoint declares
  (or a global one: token, scope, rate limit), and a response that conforms.
* A request made invalid on purpose (a required field dropped, a field of the wrong JSON
  type) gets a non-zero declared errcode.

Against the real API only read endpoints are fuzzed; writes happen in the state machines,
inside a sandbox department.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from contract_tests.conftest import call_or_skip
from contract_tests.gen import property_names, valid_instances
from contract_tests.target import Target
from mock_server.contracts.schemas import default_store, inline_refs
from mock_server.core import registry
from mock_server.emulator import default_registry

STORE = default_store()
READ_WORDS = ("get", "list", "convert_to", "getuserid", "getcallbackip", "get_api_domain_ip")
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    suppress_health_check=list(HealthCheck),
)


def _testable(ep: registry.Endpoint) -> bool:
    return (
        ep.auth in (registry.AUTH_TOKEN, registry.AUTH_WEBHOOK)
        and not ep.multipart
        and not ep.binary_response
        and all(STORE.exists(STORE.relpath(ep, k)) for k in ("request", "response"))
    )


ENDPOINTS = [ep for ep in default_registry().endpoints() if _testable(ep)]
IDS = [ep.name for ep in ENDPOINTS]


def is_write(ep: registry.Endpoint) -> bool:
    """Reads are safe to fuzz against the real API; anything else is a write."""
    last = ep.name.rsplit("/", 1)[-1]
    return not any(last.startswith(w) or last == w for w in READ_WORDS)


def generation_schema(ep: registry.Endpoint) -> dict[str, Any]:
    """The request schema inlined, with only its declared fields (no random extra keys)."""
    schema = dict(inline_refs(STORE, STORE.relpath(ep, "request")))
    schema.setdefault("type", "object")
    # Not additionalProperties: false, which would also forbid the fields that only
    # if/then branches define (``text`` when ``msgtype`` is text).
    schema["propertyNames"] = {"enum": sorted(property_names(schema))}
    return schema


def send(target: Target, ep: registry.Endpoint, instance: dict[str, Any]) -> dict[str, Any]:
    if ep.method == "GET":
        return call_or_skip(target, ep.name, params=instance)
    return call_or_skip(target, ep.name, json=instance)


def allowed_errcodes(ep: registry.Endpoint) -> set[int]:
    return set(ep.errcodes) | set(STORE.global_errcodes())


def assert_conforms(ep: registry.Endpoint, body: dict[str, Any], sent: Any) -> None:
    if not STORE.is_valid(ep, "response", body):
        problems = [v.text() for v in STORE.explain(ep, "response", body, "response")]
        raise AssertionError(
            f"{ep.name} response does not conform: {problems}\nsent: {json.dumps(sent, ensure_ascii=False)}"
            f"\ngot: {json.dumps(body, ensure_ascii=False)[:1500]}"
        )


def _guard_writes(target: Target, ep: registry.Endpoint) -> None:
    if is_write(ep) and not target.is_emulator:
        pytest.skip(
            "random writes never go to the real API (the state machines write in a sandbox)"
        )


@pytest.mark.parametrize("ep", ENDPOINTS, ids=IDS)
def test_valid_requests_get_ok_or_a_declared_errcode(ep: registry.Endpoint, fresh: Target) -> None:
    _guard_writes(fresh, ep)

    @SETTINGS
    @given(instance=valid_instances(generation_schema(ep)))
    def check(instance: dict[str, Any]) -> None:
        body = send(fresh, ep, instance)
        code = body.get("errcode")
        assert code == 0 or code in allowed_errcodes(ep), (
            f"{ep.name}: undeclared errcode {code} ({body.get('errmsg')}) for {instance!r}"
        )
        assert_conforms(ep, body, instance)

    _run(check, ep)


def _run(check: Any, ep: registry.Endpoint) -> None:
    try:
        check()
    except Unsatisfiable:
        # Not a skip: an endpoint whose schema yields no valid request is an untested
        # contract (fix the schema or contract_tests/gen.py).
        pytest.fail(f"{ep.name}: the generator cannot draw valid requests from its schema")


WRONG_TYPE = {
    "string": {"x": 1},
    "integer": {"x": 1},
    "number": {"x": 1},
    "boolean": {"x": 1},
    "array": {"x": 1},
    "object": [1, 2],
}


def _single_type(sub: dict[str, Any]) -> str | None:
    """The one JSON type a field must have (None for type lists, unions, untyped fields:
    there is no single value that is surely of a wrong type for those)."""
    t = sub.get("type")
    return t if isinstance(t, str) and t in WRONG_TYPE else None


def mutations(ep: registry.Endpoint, schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, field) pairs that make a valid request invalid in a way the real API rejects."""
    out = [("drop", f) for f in schema.get("required", ())]
    if ep.method == "POST":
        for name, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and _single_type(sub) and "x-tolerated" not in sub:
                out.append(("type", name))
    else:
        for name, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and sub.get("pattern") == "^[0-9]+$":
                out.append(("not-a-number", name))
    return out


MUTABLE = [ep for ep in ENDPOINTS if mutations(ep, generation_schema(ep))]


@pytest.mark.parametrize("ep", MUTABLE, ids=[ep.name for ep in MUTABLE])
def test_invalid_requests_get_a_declared_errcode(ep: registry.Endpoint, fresh: Target) -> None:
    _guard_writes(fresh, ep)
    schema = generation_schema(ep)
    options = mutations(ep, schema)

    @SETTINGS
    @given(instance=valid_instances(schema), pick=st.sampled_from(options))
    def check(instance: dict[str, Any], pick: tuple[str, str]) -> None:
        kind, field = pick
        bad = dict(instance)
        if kind == "drop":
            bad.pop(field, None)
        elif kind == "type":
            bad[field] = WRONG_TYPE[str(_single_type(schema["properties"][field]))]
        else:
            bad[field] = "not-a-number"
        body = send(fresh, ep, bad)
        code = body.get("errcode")
        assert code != 0, f"{ep.name} accepted {kind} {field}: {bad!r}"
        assert code in allowed_errcodes(ep), (
            f"{ep.name}: undeclared errcode {code} ({body.get('errmsg')}) for {kind} {field}"
        )
        assert_conforms(ep, body, bad)

    _run(check, ep)
