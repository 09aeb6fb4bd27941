"""The multipart/form-data body of an upload, read with the standard library's MIME parser.

Both transports hand the handlers the raw body bytes, so no web framework is needed.
"""

from __future__ import annotations

from mock_server.services.messaging.media.models import Upload


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
