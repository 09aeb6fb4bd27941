"""The identity plugin: OAuth2 / QR-code login codes, user tickets, JS-SDK tickets."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.identity import admin, fixture, handlers, models
from mock_server.services.identity.api import IdentityAPI

plugin = Plugin(
    name="identity",
    families=(handlers.api,),
    stores={"identity": lambda corp: models.IdentityStore()},
    fixture=(fixture.section,),
    api=IdentityAPI,
    admin=tuple(admin.admin.actions),
)
