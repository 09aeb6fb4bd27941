"""Apps: agent settings, custom menus and the per-app privacy rules."""

from mock_server.services.apps import fixture as fixture
from mock_server.services.apps import handlers as handlers
from mock_server.services.apps import privacy as privacy
