"""Approval endpoints (审批): gettemplatedetail, applyevent, getapprovalinfo, getapprovaldetail."""

from __future__ import annotations

import base64
from collections.abc import Set as AbstractSet
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import Family
from mock_server.services.contacts import models as cm
from mock_server.services.oa import approval_views as views
from mock_server.services.oa import approvals as ap
from mock_server.services.oa.common import approval_endpoint, visible_member
from mock_server.services.oa.store import oa

api = Family("oa")
MAX_SPAN = 31 * 86400
MAX_SIZE = 100


def _visible(ctx: Context, userid: str) -> bool:
    return visible_member(ctx.corp, ctx.agent, userid) is not None


def _visible_keys(ctx: Context) -> AbstractSet[str] | None:
    """Lower-cased userids the caller sees (None: the approval secret sees everyone)."""
    if ctx.agent is None:
        return None
    return cm.visible_user_keys(ctx.corp, ctx.agent)


@approval_endpoint(api, "POST", "oa/gettemplatedetail", doc="91982", errcodes=(301025, 48002))
def gettemplatedetail(ctx: Context) -> dict[str, Any]:
    """An approval template's names and controls."""
    tpl = ap.get_template(ctx.corp, ctx.json().get("template_id"))
    return {
        "template_names": [{"text": tpl.name, "lang": "zh_CN"}],
        "template_content": {"controls": tpl.controls},
    }


@approval_endpoint(
    api, "POST", "oa/applyevent", doc="91853", errcodes=(301025, 301055, 301079, 40007, 48002)
)
def applyevent(ctx: Context) -> dict[str, Any]:
    """Submit an approval application (validated against the template's controls)."""
    app = ap.apply(
        ctx.corp,
        ctx.json(),
        agent=ctx.agent,
        actor_scope=ctx.scope,
        actor_agentid=ctx.agentid,
    )
    return {"sp_no": app.sp_no}


def _time(body: dict[str, Any], key: str) -> int:
    raw = body.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdecimal():
        raise WeComError(301025, f"{key} invalid.")
    return int(raw)


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"spcur:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(raw: Any) -> int:
    if raw in (None, ""):
        return 0
    try:
        text = base64.urlsafe_b64decode(str(raw) + "=" * (-len(str(raw)) % 4)).decode()
        prefix, offset = text.split(":")
        if prefix != "spcur" or not offset.isdecimal():
            raise ValueError
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise WeComError(301025, "new_cursor invalid.") from None


def _filters(body: dict[str, Any]) -> dict[str, list[str]]:
    raw = body.get("filters", body.get("filter", []))  # wechatpy 1.8.18 sends "filter"
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        raise WeComError(301025, "filters must be an array.")
    out: dict[str, list[str]] = {}
    for f in raw:
        if not isinstance(f, dict):
            raise WeComError(301025, "filters[] must be {key, value}.")
        key = f.get("key")
        if key not in ("template_id", "creator", "department", "sp_status", "record_type"):
            raise WeComError(301025, f"filter key {key} invalid.")
        value = f.get("value", "")
        if not isinstance(value, str):
            # A real capture: {"key": "sp_status", "value": 2} answers 301025 with the
            # "Warning: wrong json format." prefix (the field is a string in the protocol).
            raise WeComError(301025, f"filter {key} value must be a string.", json_warning=True)
        out.setdefault(key, []).append(value)
    return out


@approval_endpoint(api, "POST", "oa/getapprovalinfo", doc="91816", errcodes=(301025, 301112, 48002))
def getapprovalinfo(ctx: Context) -> dict[str, Any]:
    """Approval numbers submitted in a time window (<= 31 days), paged by cursor."""
    body = ctx.json()
    start, end = _time(body, "starttime"), _time(body, "endtime")
    if end <= start:
        raise WeComError(301025, "endtime must be after starttime.")
    if end - start > MAX_SPAN:
        raise WeComError(301112)
    size = body.get("size", MAX_SIZE)
    if isinstance(size, bool) or not isinstance(size, int | str) or not str(size).isdecimal():
        raise WeComError(301025, "size invalid.")
    # Documented maximum 100: larger sizes are served as 100 (unconfirmed: cap vs. error).
    size = min(int(size), MAX_SIZE) or MAX_SIZE
    legacy = "new_cursor" not in body and "cursor" in body
    if legacy:
        offset = body.get("cursor") or 0
        if isinstance(offset, bool) or not str(offset).isdecimal():
            raise WeComError(301025, "cursor invalid.")
        offset = int(offset)
    else:
        offset = _decode_cursor(body.get("new_cursor"))
    filters = _filters(body)
    corp = ctx.corp
    store = cm.contacts(corp)
    visible = _visible_keys(ctx)

    def keep(app: ap.Application) -> bool:
        if not start <= app.apply_time <= end:
            return False
        if visible is not None and app.creator.lower() not in visible:
            return False
        if "template_id" in filters and app.template_id not in filters["template_id"]:
            return False
        if "creator" in filters and app.creator.lower() not in {
            c.lower() for c in filters["creator"]
        }:
            return False
        if "department" in filters:
            wanted = {int(d) for d in filters["department"] if d.isdecimal()}
            user = store.find_user(app.creator)
            if not wanted.intersection(user.department if user else [app.partyid]):
                return False
        if "sp_status" in filters and str(app.sp_status) not in filters["sp_status"]:
            return False
        return not ("record_type" in filters and str(app.record_type) not in filters["record_type"])

    apps = sorted(oa(corp).applications.values(), key=lambda a: (a.apply_time, a.sp_no))
    matched = [a.sp_no for a in apps if keep(a)]
    page = matched[offset : offset + size]
    out: dict[str, Any] = {"sp_no_list": page}
    more = offset + size < len(matched)
    if more:
        if legacy:
            out["next_cursor"] = offset + size
        else:
            out["new_next_cursor"] = _encode_cursor(offset + size)
    return out


@approval_endpoint(
    api, "POST", "oa/getapprovaldetail", doc="91983", errcodes=(301025, 301055, 48002)
)
def getapprovaldetail(ctx: Context) -> dict[str, Any]:
    """One approval application with its records, CC list, form data and comments."""
    app = ap.find(ctx.corp, ctx.json().get("sp_no"))
    if not _visible(ctx, app.creator):
        raise WeComError(301055)  # the real errmsg carries no detail
    return {"info": views.detail(app)}
