"""Contacts at scale: asynchronous import and export jobs, invitations, directory lookups."""

from mock_server.services.contacts_jobs import handlers as handlers
from mock_server.services.contacts_jobs import handlers_directory as handlers_directory
from mock_server.services.contacts_jobs import handlers_linked as handlers_linked
