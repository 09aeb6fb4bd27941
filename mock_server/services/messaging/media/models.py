"""Temporary media: stored bytes valid for 3 days, upload rules; no HTTP.

Other families look media ids up here (``require_media``), the only messaging module they
may import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp

MEDIA_TTL = 3 * 24 * 3600
# Bytes of live media kept per corp; over it the oldest items are dropped (a known difference:
# the real API keeps every upload for 3 days). Expired media are purged on every upload.
MEDIA_MAX_BYTES = 128 * 1024 * 1024
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


def media(corp: Corp) -> MediaStore:
    return corp.store("media")


def find_media(corp: Corp, media_id: str, *, types: tuple[str, ...] | None = None) -> Media | None:
    """A live media item (not expired, of one of ``types`` if given), or None."""
    item = media(corp).items.get(media_id) if isinstance(media_id, str) else None
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
    now = corp.clock.time()
    item = Media(media_id, type, filename, content_type, data, now, robot_key)
    items = media(corp).items
    items[media_id] = item
    purge_media(corp, now)
    return item


def purge_media(corp: Corp, now: int) -> int:
    """Drop expired media, then the oldest while over ``MEDIA_MAX_BYTES``; returns how many."""
    items = media(corp).items
    gone = [k for k, m in items.items() if m.expired(now)]
    total = sum(len(m.data) for k, m in items.items() if not m.expired(now))
    for key in list(items):  # insertion order: oldest first
        if total <= MEDIA_MAX_BYTES or len(items) - len(gone) <= 1:
            break
        if key not in gone:
            gone.append(key)
            total -= len(items[key].data)
    for key in gone:
        del items[key]
    return len(gone)


# -- uploads (media/upload, media/uploadimg, webhook/upload_media) -------------------------------
MIN_SIZE = 5  # "every file must be larger than 5 bytes"
MAX_SIZE = {
    "image": 10 * 1024 * 1024,
    "voice": 2 * 1024 * 1024,
    "video": 10 * 1024 * 1024,
    "file": 20 * 1024 * 1024,
}
# The size errcode per type when over the limit.
SIZE_ERRCODE = {"image": 40009, "voice": 40006, "video": 40011, "file": 40006}
ALLOWED_EXTS: dict[str, tuple[str, ...] | None] = {
    "image": ("jpg", "jpeg", "png"),
    "voice": ("amr",),
    "video": ("mp4",),
    "file": None,
}
UPLOADIMG_MAX = 2 * 1024 * 1024


@dataclass
class Upload:
    """One file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_upload(
    upload: Upload | None, media_type: str, *, robot: bool = False, oversize: int = 0
) -> Upload:
    """Size and format rules of a temporary media upload; raises the real errcodes.

    ``oversize``: the body was over the request limit and not read (a file too large).
    """
    if oversize:
        raise WeComError(SIZE_ERRCODE[media_type])
    if upload is None or not upload.data:
        raise WeComError(44001)
    size = len(upload.data)
    if size <= MIN_SIZE:
        raise WeComError(40006)
    if size > MAX_SIZE[media_type]:
        raise WeComError(SIZE_ERRCODE[media_type])
    allowed = ALLOWED_EXTS[media_type]
    if allowed is not None and extension(upload.filename) not in allowed:
        raise WeComError(40004)
    return upload
