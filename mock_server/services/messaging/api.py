"""Python API of Messaging: app messages, appchat, group robots, media, inbox, mixed into ``Emulator``."""

from __future__ import annotations


class MessagingAPI:
    pass
