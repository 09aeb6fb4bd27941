"""gettoken and the IP-list endpoints."""

from mock_server.services.auth import handlers as handlers
