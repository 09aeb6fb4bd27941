"""``corp/getapprovaldata`` (doc 91530): the deprecated bulk approval export.

Served from the same applications as ``getapprovalinfo``: ``sp_num`` is the ``sp_no`` as a
JSON number, ``comm.apply_data`` a JSON-encoded string (the newer array form), and leave
requests carry the old ``leave`` object (hours).
"""

from __future__ import annotations

import json
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import APPROVAL
from mock_server.services.contacts import models as cm
from mock_server.services.oa.approval_handlers import api
from mock_server.services.oa.store import Application, oa
from mock_server.services.oa.vacation import models as vm

MAX_SPAN = 30 * 86400
PAGE = 100
# Old leave_type numbers by leave name (1 annual, 2 personal, 3 sick, 4 in lieu, ... 8 other).
LEAVE_TYPES = {"年假": 1, "事假": 2, "病假": 3, "调休假": 4, "婚假": 5, "产假": 6, "陪产假": 7}


def _uint(body: dict[str, Any], key: str, required: bool = True) -> int | None:
    raw = body.get(key)
    if raw is None and not required:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 2**63:
        raise WeComError(301025, f"{key} invalid.")
    return raw


def _value(item: dict[str, Any]) -> Any:
    v = item.get("value", {})
    for key in ("text", "new_number", "new_money"):
        if key in v:
            return v[key]
    return {k: x for k, x in v.items() if x not in ([], {}, "")}


def _row(ctx: Context, app: Application) -> dict[str, Any]:
    corp = ctx.corp
    store = cm.contacts(corp)
    user = store.find_user(app.creator)
    dept = store.departments.get(app.partyid)
    names = []
    for lv in app.levels:
        for d in lv["details"]:
            approver = store.find_user(d["userid"])
            names.append(approver.name if approver else d["userid"])
    notify = [u.name for u in (store.find_user(x) for x in app.notifyer) if u]
    row: dict[str, Any] = {
        "spname": app.sp_name,
        "apply_name": user.name if user else app.creator,
        "apply_org": dept.name if dept else "",
        "approval_name": names,
        "notify_name": notify,
        "sp_status": app.sp_status,
        "sp_num": int(app.sp_no),
        "apply_time": app.apply_time,
        "apply_user_id": app.creator,
    }
    leave = vm.leave_of(corp, app)
    if leave is not None:
        reason = next((_value(c) for c in app.contents if c.get("control") == "Textarea"), "")
        row["leave"] = {
            "timeunit": 1 if leave.time_attr == vm.BY_HOUR else 0,
            "leave_type": LEAVE_TYPES.get(leave.name, 8),
            "start_time": leave.begin,
            "end_time": leave.end,
            "duration": leave.duration // 3600,
            "reason": reason if isinstance(reason, str) else "",
        }
    data = [
        {
            "id": c["id"],
            "type": c["control"],
            "title": c["title"][0]["text"] if c["title"] else "",
            "value": _value(c),
        }
        for c in app.contents
    ]
    row["comm"] = {"apply_data": json.dumps(data, ensure_ascii=False, separators=(",", ":"))}
    return row


@api.endpoint(
    "POST", "corp/getapprovaldata", scopes=(APPROVAL,), app_permission="approval",
    doc="91530", errcodes=(301025, 48002),
)  # fmt: skip
def getapprovaldata(ctx: Context) -> dict[str, Any]:
    """Approvals submitted in a window (<= 30 days), 100 a page from next_spnum (deprecated API)."""
    body = ctx.json()
    start, end = _uint(body, "starttime"), _uint(body, "endtime")
    assert start is not None and end is not None
    if end <= start or end - start > MAX_SPAN:
        raise WeComError(301025, "starttime/endtime invalid.")
    after = _uint(body, "next_spnum", required=False)
    corp = ctx.corp
    visible = cm.visible_user_keys(corp, ctx.agent) if ctx.agent is not None else None
    apps = sorted(
        (
            a
            for a in oa(corp).applications.values()
            if start <= a.apply_time <= end and (visible is None or a.creator.lower() in visible)
        ),
        key=lambda a: int(a.sp_no),
    )
    rest = [a for a in apps if after is None or int(a.sp_no) >= after]
    page = rest[:PAGE]
    out: dict[str, Any] = {
        "count": len(page),
        "total": len(apps),
        "data": [_row(ctx, a) for a in page],
    }
    if len(rest) > PAGE:
        out["next_spnum"] = int(rest[PAGE].sp_no)
    elif page:
        out["next_spnum"] = int(page[-1].sp_no)
    return out
