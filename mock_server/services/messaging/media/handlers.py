"""Media endpoints: temporary uploads (media/upload, the robots' webhook/upload_media),
permanent images (media/uploadimg), downloads (media/get)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import ApiResponse, Context
from mock_server.core.registry import APP, APPROVAL, AUTH_WEBHOOK, CONTACTS, EXTERNAL, Family
from mock_server.services.messaging.media import models as md
from mock_server.services.messaging.media.multipart import parse_upload

api = Family("messaging")

ALL_SCOPES = (CONTACTS, APP, EXTERNAL, APPROVAL)


# -- uploads and downloads -------------------------------------------------------------------------------------------------
def _content_type(ctx: Context) -> str | None:
    for k, v in ctx.request.headers.items():
        if k.lower() == "content-type":
            return v
    return None


@api.endpoint(
    "POST",
    "media/upload",
    scopes=ALL_SCOPES,
    doc="90253",
    multipart=True,
    errcodes=(40004, 40006, 40009, 40011, 44001),
)
def media_upload(ctx: Context) -> dict[str, Any]:
    """Upload temporary media (image, voice, video, file), valid for 3 days."""
    media_type = ctx.query.get("type", "")
    if media_type not in md.MEDIA_TYPES:
        raise WeComError(40004)
    upload = parse_upload(ctx.request.body, _content_type(ctx))
    md.check_upload(upload, media_type, oversize=ctx.request.oversize)
    assert upload is not None
    item = md.add_media(
        ctx.corp,
        type=media_type,
        data=upload.data,
        filename=upload.filename,
        content_type=upload.content_type,
    )
    return {"type": media_type, "media_id": item.media_id, "created_at": str(item.created_at)}


@api.endpoint(
    "POST",
    "media/uploadimg",
    scopes=ALL_SCOPES,
    doc="90256",
    multipart=True,
    errcodes=(40004, 40006, 40009, 44001),
)
def media_uploadimg(ctx: Context) -> dict[str, Any]:
    """Upload a permanent image (JPG/PNG, <= 2 MB) for use in messages; returns its URL."""
    if ctx.request.oversize:
        raise WeComError(40009)
    upload = parse_upload(ctx.request.body, _content_type(ctx))
    if upload is None or not upload.data:
        raise WeComError(44001)
    if len(upload.data) <= md.MIN_SIZE:
        raise WeComError(40006)
    if len(upload.data) > md.UPLOADIMG_MAX:
        raise WeComError(40009)
    if md.extension(upload.filename) not in ("jpg", "jpeg", "png"):
        raise WeComError(40004)
    token = ctx.emulator.ids.alnum(48)
    return {"url": f"https://wework.qpic.cn/wwpic/{token}/0"}


_PLAIN_FILENAME = re.compile(r"[\x20-\x7e]+")


def content_disposition(filename: str) -> str:
    """``attachment; filename=...`` that no upload name can break out of.

    Printable ASCII without quotes or backslashes goes as is; anything else (non-ASCII,
    CR/LF, quotes) RFC 5987-encoded, so a name with ``%0D%0A`` never splits the header.
    """
    if _PLAIN_FILENAME.fullmatch(filename) and '"' not in filename and "\\" not in filename:
        return f'attachment; filename="{filename}"'
    encoded = quote(filename.encode("utf-8", "replace"), safe="")
    return f"attachment; filename*=UTF-8''{encoded}"


@api.endpoint(
    "GET",
    "media/get",
    scopes=ALL_SCOPES,
    doc="90254",
    binary_response=True,
    errcodes=(40007,),
)
def media_get(ctx: Context) -> ApiResponse:
    """Download temporary media (binary body; errors as JSON)."""
    item = md.require_media(ctx.corp, ctx.query.get("media_id", ""))
    if item.robot_key is not None:
        raise WeComError(40007)
    disposition = content_disposition(item.filename)
    headers = {
        "Content-disposition": disposition,
        "Cache-Control": "no-cache, must-revalidate",
    }
    return ApiResponse(item.data, headers=headers, content_type=item.content_type)


@api.endpoint(
    "POST",
    "webhook/upload_media",
    auth=AUTH_WEBHOOK,
    doc="91770",
    multipart=True,
    errcodes=(40004, 40006, 40058, 44001, 93000),
)
def webhook_upload_media(ctx: Context) -> dict[str, Any]:
    """Group robot: upload a file or voice for a later file/voice message (3 days)."""
    corp, robot = ctx.corp, ctx.caller
    media_type = ctx.query.get("type", "")
    if media_type not in ("file", "voice"):
        raise WeComError(40004)
    upload = parse_upload(ctx.request.body, _content_type(ctx))
    md.check_upload(upload, media_type, robot=True, oversize=ctx.request.oversize)
    assert upload is not None
    item = md.add_media(
        corp,
        type=media_type,
        data=upload.data,
        filename=upload.filename,
        content_type=upload.content_type,
        robot_key=robot.key,
    )
    return {"type": media_type, "media_id": item.media_id, "created_at": str(item.created_at)}
