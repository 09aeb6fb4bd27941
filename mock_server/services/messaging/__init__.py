"""Messaging: app messages, appchat, group robots, media, inbox (the plugin spec: ``plugin.py``)."""
