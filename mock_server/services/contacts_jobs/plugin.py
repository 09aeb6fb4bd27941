"""The contacts-at-scale plugin: import/export jobs, invitations, lookups, linked corps."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.contacts_jobs import (
    admin,
    handlers,
    handlers_directory,
    handlers_linked,
    linked,
    store,
)
from mock_server.services.contacts_jobs.api import ContactsJobsAPI

# The directory and linked-corp endpoints are declared on the same Family as the jobs.
assert handlers_directory.api is handlers.api and handlers_linked.api is handlers.api

plugin = Plugin(
    name="contacts_jobs",
    families=(handlers.api,),
    stores={
        "contacts_jobs": lambda corp: store.JobsStore(),
        "linkedcorp": lambda corp: linked.LinkedStore(),
    },
    fixture=(linked.section,),
    api=ContactsJobsAPI,
    admin=tuple(admin.admin.actions),
)
