"""Temporary media (素材): uploads kept 3 days that other families look ids up in."""

from typing import Any


def __getattr__(name: str) -> Any:
    """State files written before media became a package name ``media.Media`` and
    ``media.MediaStore``: resolve those two lazily, so reading such a file still works."""
    if name in ("Media", "MediaStore"):
        from mock_server.services.messaging.media import models

        return getattr(models, name)
    raise AttributeError(name)
