"""The customer contact plugin (客户联系): customers, follow users, corp tags, customer groups."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.external_contact import admin, fixture, handlers, models
from mock_server.services.external_contact.api import ExternalContactAPI

plugin = Plugin(
    name="external_contact",
    families=(handlers.api,),
    stores={"external_contact": models.ExternalStore},
    fixture=(fixture.section,),
    api=ExternalContactAPI,
    admin=tuple(admin.admin.actions),
    generators=(fixture.generator,),
)
