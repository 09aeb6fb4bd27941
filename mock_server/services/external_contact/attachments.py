"""Message content of welcome and mass messages: ``text`` plus up to 9 ``attachments``.

Doc 92137 / 92135: msgtype image | link | miniprogram | video | file, each with its body under
the msgtype key; text and attachments must not both be empty. The numeric codes for "too many"
(41064) and "bad type" (41065) are the published titles; their mapping to these calls is
unconfirmed, as is 40058 for an empty message.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import utf8_len
from mock_server.core.state import Corp
from mock_server.services.messaging.media.models import require_media

ATTACHMENTS_MAX = 9
TEXT_MAX_BYTES = 4000
MSGTYPES = ("image", "link", "miniprogram", "video", "file")
# (field, max utf-8 bytes, required) per attachment kind.
_FIELDS: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "link": (
        ("title", 128, True),
        ("url", 2048, True),
        ("picurl", 2048, False),
        ("desc", 512, False),
    ),
    "miniprogram": (
        ("title", 64, True),
        ("pic_media_id", 256, True),
        ("appid", 64, True),
        ("page", 1024, True),
    ),
}


def _str_field(obj: dict[str, Any], key: str, where: str, limit: int, required: bool) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise param_error(f"{where}.{key}", "missing")
        return ""
    if not isinstance(value, str):
        raise json_type_error(40058, f"{where}.{key} expect string.")
    if utf8_len(value) > limit:
        raise param_error(f"{where}.{key}", f"exceed max length {limit}")
    return value


def parse_text(body: dict[str, Any], limit: int = TEXT_MAX_BYTES) -> dict[str, str] | None:
    text = body.get("text")
    if text is None:
        return None
    if not isinstance(text, dict):
        raise json_type_error(40058, "text expect object.")
    content = _str_field(text, "content", "text", limit, False)
    return {"content": content} if content else None


def parse_attachments(
    corp: Corp, body: dict[str, Any], *, maximum: int = ATTACHMENTS_MAX
) -> list[dict[str, Any]]:
    """Validated copies of the attachments (media ids must be live temporary media)."""
    raw = body.get("attachments")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise json_type_error(40058, "attachments expect array.")
    if len(raw) > maximum:
        raise WeComError(41064)
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise json_type_error(40058, "attachments expect array of object.")
        msgtype = item.get("msgtype")
        if msgtype not in MSGTYPES:
            raise WeComError(41065)
        inner = item.get(msgtype)
        where = f"attachments[{i}].{msgtype}"
        if not isinstance(inner, dict):
            raise param_error(where, "missing")
        if msgtype == "image":
            media_id = inner.get("media_id")
            pic_url = inner.get("pic_url")
            if media_id:  # media_id wins when both are given
                require_media(corp, media_id, types=("image",))
                content: dict[str, Any] = {"media_id": media_id}
            elif isinstance(pic_url, str) and pic_url:
                content = {"pic_url": pic_url}
            else:
                raise param_error(f"{where}.media_id", "missing")
        elif msgtype in ("video", "file"):
            require_media(corp, inner.get("media_id"), types=(msgtype,))
            content = {"media_id": inner["media_id"]}
        else:
            content = {}
            for key, limit, required in _FIELDS[msgtype]:
                value = _str_field(inner, key, where, limit, required)
                if value:
                    content[key] = value
            if msgtype == "miniprogram":
                require_media(corp, content["pic_media_id"], types=("image",))
        out.append({"msgtype": msgtype, msgtype: content})
    return out


def parse_message(
    corp: Corp, body: dict[str, Any], *, text_limit: int = TEXT_MAX_BYTES
) -> tuple[dict[str, str] | None, list[dict[str, Any]]]:
    text = parse_text(body, text_limit)
    attachments = parse_attachments(corp, body)
    if text is None and not attachments:
        raise param_error("text", "and attachments both empty")
    return text, attachments
