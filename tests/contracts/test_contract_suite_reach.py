"""The contract suite reaches every endpoint it lists: each gets a secret the emulator
accepts, and the generator draws requests its schema accepts (a skip is an untested
contract)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from contract_tests.gen import valid_instances
from contract_tests.target import InProcessTarget, NoCredentials
from contract_tests.test_generated import ENDPOINTS, generation_schema
from mock_server.core import registry
from mock_server.emulator import default_registry


def test_every_endpoint_gets_a_secret_the_emulator_accepts() -> None:
    target = InProcessTarget()
    for ep in ENDPOINTS:
        scope = target.scope_for(ep)
        body = target.call(ep.name, scope=scope, json={}, params={})
        # Permission-gated endpoints are reached with an app that has the permission;
        # only an endpoint no self-built secret may call answers 48002.
        if body.get("errcode") == 48002:
            assert not ep.scopes and ep.app_permission is None, (ep.name, scope)


def test_permission_endpoints_use_the_app_granted_the_permission() -> None:
    target = InProcessTarget()
    checkin = default_registry().resolve("/cgi-bin/checkin/getcorpcheckinoption")
    assert checkin is not None and checkin.app_permission == "checkin"
    assert target.scope_for(checkin) == "app:checkin"
    assert target.secrets["app:checkin"] != target.secrets["app"]  # not the first app
    bare = registry.Endpoint("x", "POST", "x/y", handler=lambda ctx: None, app_permission="nope")
    with pytest.raises(NoCredentials, match="app:nope"):
        target.scope_for(bare)


def test_a_pattern_fixes_a_string_longer_than_free_text() -> None:
    ep = default_registry().resolve("/cgi-bin/export/user")
    assert ep is not None

    @settings(max_examples=5, database=None, suppress_health_check=list(HealthCheck))
    @given(valid_instances(generation_schema(ep)))
    def check(instance: dict) -> None:
        assert len(instance["encoding_aeskey"]) == 43

    check()
