"""The customer contact plugin (客户联系): customers, follow users, corp tags, customer groups."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.external_contact import (
    admin,
    contact_way_handlers,
    fixture,
    groupmsg_handlers,
    handlers,
    join_way_handlers,
    models,
    moment_handlers,
    scrm_store,
    statistic_handlers,
    transfer_handlers,
)
from mock_server.services.external_contact.api import ExternalContactAPI

# Imported for their endpoint declarations on ``handlers.api``.
SCRM_HANDLERS = (
    contact_way_handlers,
    groupmsg_handlers,
    join_way_handlers,
    moment_handlers,
    statistic_handlers,
    transfer_handlers,
)

plugin = Plugin(
    name="external_contact",
    # The SCRM handler modules declare their endpoints on the same Family as handlers.py.
    families=(handlers.api,),
    stores={"external_contact": models.ExternalStore, "external_scrm": scrm_store.ScrmStore},
    fixture=(fixture.section,),
    api=ExternalContactAPI,
    admin=tuple(admin.admin.actions),
    generators=(fixture.generator,),
)
