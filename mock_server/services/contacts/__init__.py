"""Contacts (通讯录): departments, members, tags."""

from mock_server.services.contacts import fixture as fixture
from mock_server.services.contacts import handlers as handlers
