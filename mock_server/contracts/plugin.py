"""The contracts plugin: request validation against the schemas, strict mode, warnings."""

from __future__ import annotations

from mock_server.contracts import admin
from mock_server.contracts.api import ContractsAPI
from mock_server.core.pipeline import Host
from mock_server.core.plugin import Mark, Marker, Plugin


def _strict_marker(engine: Host, mark: Mark) -> None:
    engine.strict = bool(mark.args[0]) if mark.args else True


plugin = Plugin(
    name="contracts",
    api=ContractsAPI,
    admin=tuple(admin.admin.actions),
    markers=(
        Marker(
            "wecom_strict",
            "contract warnings become errors (the real errcode, 40058 usually) for this test",
            _strict_marker,
        ),
    ),
)
