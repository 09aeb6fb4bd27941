"""Messaging: app messages, appchat, group robots, media, inbox."""

from mock_server.services.messaging import fixture as fixture
from mock_server.services.messaging import handlers as handlers
from mock_server.services.messaging import media as media
