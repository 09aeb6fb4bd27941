"""The messaging plugin: app messages, appchat, group robots, media, the inbox."""

from __future__ import annotations

from mock_server.core.plugin import Plugin
from mock_server.core.registry import AUTH_WEBHOOK
from mock_server.services.messaging import admin, fixture, handlers, models
from mock_server.services.messaging.api import MessagingAPI
from mock_server.services.messaging.media import handlers as media_handlers
from mock_server.services.messaging.media import models as media

plugin = Plugin(
    name="messaging",
    families=(handlers.api, media_handlers.api),
    stores={
        "messaging": lambda corp: models.MessagingStore(),
        "media": lambda corp: media.MediaStore(),
    },
    fixture=(fixture.section,),
    api=MessagingAPI,
    admin=tuple(admin.admin.actions),
    callers={AUTH_WEBHOOK: handlers.resolve_robot},
)
