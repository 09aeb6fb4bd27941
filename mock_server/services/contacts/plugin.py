"""The contacts plugin (通讯录): departments, members, tags."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.contacts import admin, fixture, handlers, models
from mock_server.services.contacts.api import ContactsAPI

plugin = Plugin(
    name="contacts",
    families=(handlers.api,),
    stores={"contacts": models.ContactsStore},
    fixture=(fixture.section,),
    api=ContactsAPI,
    admin=tuple(admin.admin.actions),
)
