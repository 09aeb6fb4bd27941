"""Messaging: app messages, appchat, group robots, media, inbox (filled in by its issue)."""
