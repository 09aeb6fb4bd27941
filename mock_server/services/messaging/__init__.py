"""Messaging: app messages, appchat, group robots, media, inbox."""

from mock_server.services.messaging import media as media
