"""Temporary media (media/upload): stored bytes valid for 3 days; other families look ids up here."""

from __future__ import annotations

from dataclasses import dataclass, field

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp

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
    return corp.store("media")


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


def parse_upload(body: bytes, content_type: str | None, field_name: str = "media") -> Upload | None:
    """The ``media`` part of a multipart/form-data body (both transports give the raw bytes).

    Parsed by the standard library's MIME parser, so domain code needs no web framework.
    """
    from email import policy
    from email.parser import BytesParser

    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        return None
    head = f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n".encode("utf-8", "replace")
    try:
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    except Exception:  # the parser is lenient; anything it still refuses is no upload
        return None
    if not message.is_multipart() or message.defects:
        return None
    files = []
    for part in message.iter_parts():
        filename = part.get_filename()
        if filename is None:
            continue  # a plain form field, not a file
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        mimetype = part.get_content_type() if "Content-Type" in part else ""
        files.append(
            (name, _text(filename) or "file", mimetype or "application/octet-stream", data)
        )
    if not files:
        return None
    # Clients name the part differently at times; the first file part is the media.
    chosen = next((f for f in files if f[0] == field_name), files[0])
    return Upload(chosen[1], chosen[2], chosen[3])


def _text(value: str) -> str:
    """A header value read from raw bytes: UTF-8 file names (what clients send) decoded."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return value


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_upload(upload: Upload | None, media_type: str, *, robot: bool = False) -> Upload:
    """Size and format rules of a temporary media upload; raises the real errcodes."""
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
