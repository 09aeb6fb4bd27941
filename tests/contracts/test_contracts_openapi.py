"""The OpenAPI export is a valid 3.1 document, and schemathesis finds no 500 and no
non-conforming response against a live emulator (a peer check of the contract suite)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from mock_server import Emulator, registry
from mock_server.contracts.openapi import build
from mock_server.emulator import default_registry
from mock_server.web.server import ServerThread

DOC = build(default_registry())
# Schemathesis (4.x) cannot generate bodies whose schema uses `if`/`then` (the per-msgtype
# rules of message/send, appchat/send, webhook/send), positive or negative: those are left to
# contract_tests' own generator (run in-process and over HTTP by `make test`).
CONDITIONAL = sorted(
    path
    for path, ops in DOC["paths"].items()
    for op in ops.values()
    for ref in [op.get("requestBody", {}).get("content", {}).get("application/json", {})]
    if '"if":'
    in json.dumps(
        DOC["components"]["schemas"].get(ref.get("schema", {}).get("$ref", "").split("/")[-1])
    )
)
SCHEMA = schemathesis.openapi.from_dict(DOC)
if CONDITIONAL:
    SCHEMA = SCHEMA.exclude(path=CONDITIONAL)


def test_openapi_document_is_valid_3_1() -> None:
    validate(DOC)
    assert DOC["openapi"] == "3.1.0"


def test_every_registered_endpoint_is_an_operation() -> None:
    for ep in default_registry().endpoints():
        op = DOC["paths"][ep.path][ep.method.lower()]
        assert op["x-errcodes"] == sorted(set(ep.errcodes))
        assert "x-missing-schemas" not in op, f"{ep.name} lacks schemas"


def test_cli_writes_the_same_document(tmp_path) -> None:
    out = tmp_path / "openapi.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from mock_server.cli import main; sys.exit(main(sys.argv[1:]))",
            "openapi",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["paths"].keys() == DOC["paths"].keys()


def token_for(emu: Emulator, ep: registry.Endpoint) -> str | None:
    """A token of a secret the endpoint accepts (contacts first, then app, external, approval)."""
    if ep.auth != registry.AUTH_TOKEN:
        return None
    for scope in ("contacts", "app", "external", "approval"):
        if scope in ep.scopes:
            return emu.token(scope)
    return emu.token("app")


@pytest.fixture(scope="module")
def live() -> Iterator[ServerThread]:
    server = ServerThread(Emulator(mode="server"), port=0).start()
    yield server
    server.stop()


@SCHEMA.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_schemathesis_against_live_emulator(case: schemathesis.Case, live: ServerThread) -> None:
    check_case(case, live)


def check_case(case: schemathesis.Case, live: ServerThread) -> None:
    ep = default_registry().resolve(case.path)
    assert ep is not None
    if ep.auth == registry.AUTH_WEBHOOK and "key" not in (case.query or {}):
        # A robot of the demo fixture, unless schemathesis generated a (bogus) key itself.
        case.query = {**(case.query or {}), "key": live.emulator.robots()[0]["key"]}
    token = token_for(live.emulator, ep)
    if token is not None:
        case.query = {**(case.query or {}), "access_token": token}
    response = case.call(base_url=live.url)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    assert response.status_code == 200
