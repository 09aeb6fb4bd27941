"""Request validation (a pipeline validator) and response conformance (an ``on_response`` hook).

Request: a request the schema rejects is answered as the real API would (the handler decides),
with a contract warning in the journal entry (``warnings``); in strict mode the first
violation becomes the errcode the real API gives for that field (the schema's ``x-errcode``,
40058 with a field prefix otherwise), like Prism's validation proxy.

Response: switched on by ``WECOM_MOCK_CONFORMANCE=1`` (the pytest plugin sets it from the
``wecom_conformance`` ini option); every handler response is checked against the endpoint's
response schema and its declared errcodes; violations are collected for the test run.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from mock_server.contracts.schemas import SchemaStore, Violation, default_store
from mock_server.core.errors import WeComError, json_type_error

if TYPE_CHECKING:
    from mock_server.core.pipeline import ApiResponse, Context, Host
    from mock_server.core.registry import Endpoint

CONFORMANCE_ENV = "WECOM_MOCK_CONFORMANCE"
STRICT_ENV = "WECOM_MOCK_STRICT"
WARNING_PREFIX = "contract: "
_TYPE_WORDS = {
    "string": "string",
    "integer": "int",
    "number": "number",
    "array": "array",
    "object": "object",
    "boolean": "bool",
}


def request_instance(ctx: Context, store: SchemaStore | None = None) -> tuple[str, Any]:
    """What the request schema describes: the query (GET) or the JSON body (POST)."""
    ep = ctx.endpoint
    assert ep is not None
    if ep.method == "GET":
        query: dict[str, Any] = {k: v for k, v in ctx.query.items() if k != "access_token"}
        for name, kind in (store or default_store()).query_coercions(ep).items():
            value = query.get(name)
            if isinstance(value, str):
                query[name] = _coerce(value, kind)
        return "query", query
    return "body", ctx.json()


def _coerce(value: str, kind: str) -> Any:
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def strict_error(v: Violation) -> WeComError:
    """The errcode the real API gives for the field, with its usual 40058-style prefix."""
    code = v.errcode if v.errcode is not None else 40058
    if code != 40058:  # a dedicated errcode (41009 userid missing, ...) says it all
        return WeComError(code)
    field = v.location.split(".", 1)[1] if "." in v.location else v.field
    if v.keyword == "required":
        return WeComError(code, f"{field} missing.")
    if v.keyword == "type":
        expected = v.message.rsplit("'", 2)[-2] if v.message.count("'") >= 2 else "value"
        return json_type_error(code, f"{field} expect {_TYPE_WORDS.get(expected, expected)}.")
    return WeComError(code, f"{field} invalid.")


class Observations:
    """What the contract hooks saw in this process (bounded): for the pytest plugin."""

    def __init__(self, size: int = 10_000) -> None:
        self._lock = threading.Lock()
        self.response_violations: deque[dict[str, Any]] = deque(maxlen=size)
        self.request_violations: deque[dict[str, Any]] = deque(maxlen=size)
        self.seq = 0
        # (path, errcode) -> count: errcode coverage
        self.errcodes: dict[tuple[str, int], int] = {}

    def add_response_violation(self, item: dict[str, Any]) -> None:
        with self._lock:
            self.seq += 1
            item["seq"] = self.seq
            self.response_violations.append(item)

    def add_request_violation(self, item: dict[str, Any]) -> None:
        with self._lock:
            self.request_violations.append(item)

    def count_errcode(self, path: str, errcode: int) -> None:
        key = (path, errcode)
        with self._lock:
            self.errcodes[key] = self.errcodes.get(key, 0) + 1

    def response_violations_since(self, seq: int) -> list[dict[str, Any]]:
        with self._lock:
            return [v for v in self.response_violations if v["seq"] > seq]


OBSERVED = Observations()
RECORD_ERRCODES = False  # set by the pytest plugin's --wecom-errcode-coverage


class ContractHooks:
    """The hooks one emulator installs; they share the process-wide schema store."""

    def __init__(self, emu: Host, store: SchemaStore | None = None) -> None:
        self.emu = emu
        self.store = store or default_store()

    # -- requests --------------------------------------------------------------------
    def validate_request(self, ctx: Context) -> None:
        ep = ctx.endpoint
        if ep is None or ep.multipart:
            return  # an upload's form is not JSON; its handler checks it
        check = self.store.check(ep, "request")
        if check is None:
            return
        where, instance = request_instance(ctx, self.store)
        import fastjsonschema

        try:
            check(instance)
            if not ctx.json_warning:
                return
        except fastjsonschema.JsonSchemaException:
            pass
        violations = self.store.explain(ep, "request", instance, where)
        if ctx.json_warning:
            violations.insert(0, Violation(where, "", "type", "body is not a JSON object"))
        if not violations:  # the fast and the explaining validator disagree: say so
            violations = [Violation(where, "", "schema", "rejected by the request schema")]
        for v in violations:
            ctx.warnings.append(WARNING_PREFIX + v.text())
        OBSERVED.add_request_violation(
            {"endpoint": ep.name, "violations": [v.text() for v in violations]}
        )
        if self.emu.strict:
            first = violations[0]
            if first.message == "body is not a JSON object":
                raise json_type_error(40058, None)
            raise strict_error(first)

    # -- responses -------------------------------------------------------------------
    def conformance(self, ctx: Context, resp: ApiResponse) -> None:
        problems = response_problems(self.store, ctx.endpoint, ctx, resp)
        if problems:
            ep = ctx.endpoint
            OBSERVED.add_response_violation(
                {
                    "endpoint": ep.name if ep else ctx.request.path,
                    "errcode": resp.errcode,
                    "problems": problems,
                    "body": _short(resp.body),
                }
            )

    def count_errcode(self, ctx: Context, resp: ApiResponse) -> None:
        code = resp.errcode
        if code is not None and RECORD_ERRCODES:
            OBSERVED.count_errcode(ctx.request.path, code)


def response_problems(
    store: SchemaStore, ep: Endpoint | None, ctx: Context | None, resp: ApiResponse
) -> list[str]:
    """Why a response breaks its endpoint's contract (empty when it conforms)."""
    if ep is None or not isinstance(resp.body, dict):
        return []
    if ctx is not None and (ctx.fault or ctx.notes.get("replayed")):
        # Injected on purpose (faults) or recorded upstream truth (replay): not the handler's.
        return []
    check = store.check(ep, "response")
    if check is None:
        return []
    import fastjsonschema

    problems: list[str] = []
    try:
        check(resp.body)
    except fastjsonschema.JsonSchemaException:
        problems += [v.text() for v in store.explain(ep, "response", resp.body, "response")]
        if not problems:
            problems.append("response: rejected by the response schema")
    code = resp.errcode
    if code not in (None, 0) and code not in ep.errcodes and code not in store.global_errcodes():
        problems.append(f"errcode {code} is not declared for {ep.name}")
    if ctx is not None and "exception" in ctx.notes:
        problems.append(f"handler crashed: {ctx.notes['exception']}")
    return problems


def _short(body: Any) -> Any:
    text = repr(body)
    return body if len(text) <= 2000 else text[:2000] + "..."


def conformance_enabled() -> bool:
    return os.environ.get(CONFORMANCE_ENV, "") not in ("", "0", "false")


def strict_from_env() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false")
