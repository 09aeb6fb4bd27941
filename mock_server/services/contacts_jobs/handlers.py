"""Bulk import and export job endpoints: thin handlers over ``imports`` and ``exports``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import get_str
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, CONTACTS, Family
from mock_server.services.contacts_jobs import exports, imports
from mock_server.services.messaging.media.models import find_media

api = Family("contacts_jobs")
TOKEN_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")
REAL_HOST = "qyapi.weixin.qq.com"
IMPORT_ERRCODES = (40007, 41006, 40058, 40092, 302008, 48002)


def _callback(body: dict[str, Any]) -> dict[str, str] | None:
    """The job's own callback receiver (url, token, encodingaeskey), if it gave one."""
    raw = body.get("callback")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise json_type_error(40058, "callback expect object.")
    url = get_str(raw, "url")
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[" (an unclosed IPv6 bracket)
        raise param_error("callback.url", "invalid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise param_error("callback.url", "invalid")
    token = get_str(raw, "token") or ""
    key = get_str(raw, "encodingaeskey") or ""
    if not TOKEN_RE.match(token):
        raise param_error("callback.token", "invalid")
    if not exports.KEY_RE.match(key):
        raise param_error("callback.encodingaeskey", "invalid")
    return {"url": url, "token": token, "encodingaeskey": key}


def _submit_import(ctx: Context, jobtype: str) -> dict[str, Any]:
    body = ctx.json()
    corp = ctx.corp
    media_id = get_str(body, "media_id", missing=41006)
    to_invite = body.get("to_invite", True)
    if jobtype == "replace_party":
        to_invite = False
    elif to_invite in (0, 1) and not isinstance(to_invite, float):
        to_invite = bool(to_invite)
    else:
        raise json_type_error(40058, "to_invite expect bool.")
    callback = _callback(body)
    # Another media type (an image, a voice) answers like an unknown id: the real answer is
    # undocumented.
    media = find_media(corp, media_id or "", types=("file",))
    if media is None:
        raise WeComError(40007)
    job = imports.submit(
        corp,
        jobtype,
        media.data,
        to_invite=to_invite,
        callback=callback,
        actor_scope=ctx.scope,
        actor_agentid=ctx.agentid,
    )
    return {"jobid": job.jobid}


@api.endpoint("POST", "batch/syncuser", scopes=(CONTACTS,), doc="90980", errcodes=IMPORT_ERRCODES)
def batch_syncuser(ctx: Context) -> dict[str, Any]:
    """Import members from a CSV: create or update the listed ones (asynchronous job)."""
    return _submit_import(ctx, "sync_user")


@api.endpoint(
    "POST", "batch/replaceuser", scopes=(CONTACTS,), doc="90981", errcodes=IMPORT_ERRCODES
)
def batch_replaceuser(ctx: Context) -> dict[str, Any]:
    """Import members from a CSV: the file becomes the member list (others are deleted)."""
    return _submit_import(ctx, "replace_user")


@api.endpoint(
    "POST", "batch/replaceparty", scopes=(CONTACTS,), doc="90982", errcodes=IMPORT_ERRCODES
)
def batch_replaceparty(ctx: Context) -> dict[str, Any]:
    """Import departments from a CSV: the file becomes the department tree."""
    return _submit_import(ctx, "replace_party")


@api.endpoint(
    "GET", "batch/getresult", scopes=(CONTACTS,), doc="90983", errcodes=(40088, 40089, 48002)
)
def batch_getresult(ctx: Context) -> dict[str, Any]:
    """Status, progress and per-row result of an import job."""
    jobid = ctx.query.get("jobid") or ""
    if not jobid or len(jobid.encode()) > 64:
        raise WeComError(40088)
    corp = ctx.corp
    imports.settle(corp)
    return imports.result_body(imports.find(corp, jobid))


# -- exports ------------------------------------------------------------------------------------
EXPORT_SCOPES = (CONTACTS, APP)


def _submit_export(ctx: Context, kind: str) -> dict[str, Any]:
    job = exports.submit(
        ctx.corp,
        kind,
        ctx.json(),
        agent=ctx.agent,
        actor_scope=ctx.scope,
        actor_agentid=ctx.agentid,
    )
    return {"jobid": job.jobid}


@api.endpoint("POST", "export/simple_user", scopes=EXPORT_SCOPES, doc="94849", errcodes=(40058,))
def export_simple_user(ctx: Context) -> dict[str, Any]:
    """Export the visible members (userid, name, departments) as encrypted files."""
    return _submit_export(ctx, "simple_user")


@api.endpoint("POST", "export/user", scopes=EXPORT_SCOPES, doc="94851", errcodes=(40058,))
def export_user(ctx: Context) -> dict[str, Any]:
    """Export the visible members with details as encrypted files."""
    return _submit_export(ctx, "user")


@api.endpoint("POST", "export/department", scopes=EXPORT_SCOPES, doc="94852", errcodes=(40058,))
def export_department(ctx: Context) -> dict[str, Any]:
    """Export the visible departments as encrypted files."""
    return _submit_export(ctx, "department")


@api.endpoint(
    "POST", "export/taguser", scopes=EXPORT_SCOPES, doc="94853", errcodes=(40058, 40068, 60011)
)
def export_taguser(ctx: Context) -> dict[str, Any]:
    """Export a tag's visible members and departments as encrypted files."""
    return _submit_export(ctx, "taguser")


def base_url(ctx: Context) -> str:
    """Where this emulator is reached: the Host a live server was called on, else the real
    API host (in-process, the intercept serves the files there too)."""
    host = ctx.request.headers.get("Host") or ctx.request.headers.get("host")
    if host and host.split(":")[0] != REAL_HOST:
        return f"http://{host}"
    return f"https://{REAL_HOST}"


@api.endpoint("GET", "export/get_result", scopes=EXPORT_SCOPES, doc="94854", errcodes=(40088,))
def export_get_result(ctx: Context) -> dict[str, Any]:
    """Status of an export job and, once done, its file URLs with size and md5."""
    jobid = ctx.query.get("jobid") or ""
    corp = ctx.corp
    exports.settle(corp)
    job = exports.find(corp, jobid, ctx.scope, ctx.agentid)
    return exports.result_body(job, base_url(ctx))
