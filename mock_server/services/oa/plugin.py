"""The OA plugin: approvals, calendars and schedules, meetings."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.oa import admin, approval_handlers, fixture, store

# Their endpoints are declared on approval_handlers.api.
from mock_server.services.oa import calendars as _calendars  # noqa: F401
from mock_server.services.oa import meetings as _meetings  # noqa: F401
from mock_server.services.oa import schedules as _schedules  # noqa: F401
from mock_server.services.oa.api import OAAPI

plugin = Plugin(
    name="oa",
    families=(approval_handlers.api,),
    stores={"oa": lambda corp: store.OAStore()},
    fixture=(fixture.section,),
    api=OAAPI,
    admin=tuple(admin.admin.actions),
)
