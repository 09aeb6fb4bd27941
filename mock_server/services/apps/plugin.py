"""The apps plugin: agent/get|list|set, menus, menu taps, the privacy rules' hooks."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.apps import admin, fixture, handlers, models
from mock_server.services.apps.api import AppsAPI

plugin = Plugin(
    name="apps",
    families=(handlers.api,),
    stores={"apps": lambda corp: models.AppsStore()},
    fixture=(fixture.section,),
    api=AppsAPI,
    admin=tuple(admin.admin.actions),
)
