"""Identity: OAuth2 web login, QR-code (SSO) login, user tickets and JS-SDK tickets."""

from mock_server.services.identity import fixture as fixture
from mock_server.services.identity import handlers as handlers
