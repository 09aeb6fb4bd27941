"""The auth plugin: gettoken and the IP-list endpoints."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.services.auth import handlers

plugin = Plugin(name="auth", families=(handlers.api,))
