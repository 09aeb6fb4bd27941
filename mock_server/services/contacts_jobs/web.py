"""The export data-file download route (``GET /__files/export/<jobid>/<n>?sig=...``).

Not a ``/cgi-bin`` API: a plain HTTP file, answered before endpoint resolution so both
transports serve it (the live server through its fallback route, ``intercept()`` on the API
host). Honours ``Range`` as the real download links do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mock_server.core.pipeline import ApiResponse, Context
from mock_server.services.contacts_jobs import exports

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

PATH_RE = re.compile(r"^/__files/export/(jobid_[0-9a-f]{32})/(\d{1,6})$")
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
OCTETS = "application/octet-stream"


def _not_found() -> ApiResponse:
    return ApiResponse(b"404 not found: unknown or expired link\n", 404, {}, "text/plain")


def serve(emu: Host, ctx: Context) -> ApiResponse | None:
    """An ``on_request`` hook: the file's bytes, a 404, or None for any other path."""
    req = ctx.request
    if not req.path.startswith(exports.FILE_PATH):
        return None
    m = PATH_RE.match(req.path)
    if m is None or req.method not in ("GET", "HEAD"):
        return _not_found()
    jobid, index = m.group(1), int(m.group(2))
    data = None
    for corp in list(emu.corps.values()):
        with emu.transaction(corp):
            if jobid in exports.contacts_jobs(corp).exports:
                data = exports.download(corp, jobid, index, req.query.get("sig", ""))
                break
    if data is None:
        return _not_found()
    headers = {"Accept-Ranges": "bytes"}
    rng = {k.lower(): v for k, v in req.headers.items()}.get("range")
    if rng:
        r = RANGE_RE.match(rng.strip())
        size = len(data)
        if r is None or (not r.group(1) and not r.group(2)):
            return ApiResponse(b"", 416, {"Content-Range": f"bytes */{size}"}, OCTETS)
        if r.group(1):
            start = int(r.group(1))
            end = min(int(r.group(2)), size - 1) if r.group(2) else size - 1
        else:
            start, end = max(0, size - int(r.group(2))), size - 1
        if start > end or start >= size:
            return ApiResponse(b"", 416, {"Content-Range": f"bytes */{size}"}, OCTETS)
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return ApiResponse(data[start : end + 1], 206, headers, OCTETS)
    return ApiResponse(data, 200, headers, OCTETS)
