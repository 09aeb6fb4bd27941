"""The Python API of each family, mixed into ``Emulator`` (each family owns its ``api.py``).

A mixin may define ``_init_family_<name>(self)``; the emulator calls it once at start.
"""

from __future__ import annotations

from mock_server.contracts.api import ContractsAPI
from mock_server.faults.api import FaultsAPI
from mock_server.services.apps.api import AppsAPI
from mock_server.services.callbacks.api import CallbacksAPI
from mock_server.services.contacts.api import ContactsAPI
from mock_server.services.external_contact.api import ExternalContactAPI
from mock_server.services.identity.api import IdentityAPI
from mock_server.services.messaging.api import MessagingAPI
from mock_server.services.oa.api import OAAPI


class FamilyAPIs(
    ContactsAPI,
    MessagingAPI,
    ExternalContactAPI,
    OAAPI,
    CallbacksAPI,
    AppsAPI,
    IdentityAPI,
    FaultsAPI,
    ContractsAPI,
):
    """Marker base of ``Emulator``."""
