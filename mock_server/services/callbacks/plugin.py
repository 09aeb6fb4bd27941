"""The callbacks plugin: receivers, URL verification, encrypted event delivery, sandbox."""

from __future__ import annotations

from mock_server.core.pipeline import Host
from mock_server.core.plugin import Mark, Marker, PersistedPart, Plugin
from mock_server.services.callbacks import admin, fixture, models
from mock_server.services.callbacks.api import CallbacksAPI
from mock_server.services.callbacks.delivery import Dispatcher


def _callbacks_marker(engine: Host, mark: Mark) -> None:
    engine.api("callbacks", CallbacksAPI).configure_callbacks(**mark.kwargs)


def _dispatcher(engine: Host) -> Dispatcher:
    return engine.api("callbacks", CallbacksAPI).dispatcher


plugin = Plugin(
    name="callbacks",
    stores={"callbacks": lambda corp: models.CallbacksStore()},
    fixture=(fixture.section,),
    api=CallbacksAPI,
    admin=tuple(admin.admin.actions),
    # Delivery settings, ids and sequence numbers survive a restart with --state.
    persist=(
        PersistedPart(
            "callbacks",
            lambda e: _dispatcher(e).saved(),
            lambda e, v: _dispatcher(e).restore(v),
        ),
    ),
    markers=(
        Marker(
            "callbacks",
            "callbacks(timeout=0.3, retries=3, ...): callback delivery settings for this test",
            _callbacks_marker,
        ),
    ),
)
