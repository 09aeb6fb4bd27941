"""The faults plugin: fault rules, modelled rate limits, trusted IPs, secret rotation."""

from __future__ import annotations

from mock_server.core.pipeline import Host
from mock_server.core.plugin import Mark, Marker, PersistedPart, Plugin
from mock_server.faults import admin, limits
from mock_server.faults.api import FaultsAPI
from mock_server.faults.rules import FaultEngine


def _fault_marker(engine: Host, mark: Mark) -> None:
    specs = [dict(a) for a in mark.args if isinstance(a, dict)]
    if mark.kwargs:
        specs.append(dict(mark.kwargs))
    engine.api("faults", FaultsAPI).add_faults(specs)


def _limits_marker(engine: Host, mark: Mark) -> None:
    engine.api("faults", FaultsAPI).set_rate_limits(*mark.args, **mark.kwargs)


def _rules(engine: Host) -> FaultEngine:
    return engine.api("faults", FaultsAPI).rules_engine


plugin = Plugin(
    name="faults",
    stores={"faults": lambda corp: limits.LimitsStore()},
    api=FaultsAPI,
    admin=tuple(admin.admin.actions),
    # Fault rules and their remaining counts survive a restart with --state.
    persist=(
        PersistedPart("faults", lambda e: _rules(e).saved(), lambda e, v: _rules(e).restore(v)),
    ),
    markers=(
        Marker(
            "wecom_fault",
            "wecom_fault(path=..., errcode=..., times=..., ...): a fault rule for the whole test",
            _fault_marker,
        ),
        Marker(
            "wecom_limits",
            "wecom_limits(enabled=True, limits=[...]): modelled rate limits (off by default in process)",
            _limits_marker,
        ),
    ),
)
