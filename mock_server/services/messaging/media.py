"""Temporary media (media/upload): stored bytes valid for 3 days; other families look ids up here."""

from __future__ import annotations

from dataclasses import dataclass, field

from mock_server.errors import WeComError
from mock_server.state import Corp, register_store

MEDIA_TTL = 3 * 24 * 3600
MEDIA_TYPES = ("image", "voice", "video", "file")


@dataclass
class Media:
    media_id: str
    type: str  # image | voice | video | file
    filename: str
    content_type: str
    data: bytes
    created_at: int
    # Group-robot uploads (webhook/upload_media) are usable by that robot only.
    robot_key: str | None = None

    def expired(self, now: int) -> bool:
        return now >= self.created_at + MEDIA_TTL


@dataclass
class MediaStore:
    items: dict[str, Media] = field(default_factory=dict)


def media_store(corp: Corp) -> MediaStore:
    return corp.store("media")  # type: ignore[no-any-return]


register_store("media", lambda corp: MediaStore())


def find_media(corp: Corp, media_id: str, *, types: tuple[str, ...] | None = None) -> Media | None:
    """A live media item (not expired, of one of ``types`` if given), or None."""
    item = media_store(corp).items.get(media_id) if isinstance(media_id, str) else None
    if item is None or item.expired(corp.clock.time()):
        return None
    if types is not None and item.type not in types:
        return None
    return item


def require_media(corp: Corp, media_id: object, *, types: tuple[str, ...] | None = None) -> Media:
    """Like ``find_media`` but raises the real errcode 40007 (invalid media_id)."""
    item = find_media(corp, media_id, types=types) if isinstance(media_id, str) else None
    if item is None:
        raise WeComError(40007)
    return item


def add_media(
    corp: Corp,
    *,
    type: str,
    data: bytes,
    filename: str = "file",
    content_type: str = "application/octet-stream",
    robot_key: str | None = None,
) -> Media:
    """Store bytes as a temporary media item (also for test setup through the Python API)."""
    media_id = "3" + corp.ids.alnum(63)
    item = Media(media_id, type, filename, content_type, data, corp.clock.time(), robot_key)
    media_store(corp).items[media_id] = item
    return item
