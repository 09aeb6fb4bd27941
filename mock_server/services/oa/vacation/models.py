"""Leave types (假期) and per-member balances; approved leave requests move the balances.

Balances are seconds: 86400 per day for day types (``time_attr`` 0), 3600 per hour for hour
types (1), whatever the type's ``perday_duration`` (doc 93376). When WeCom deducts is not
documented; here an application's duration is deducted when it becomes approved and given
back when it is revoked after approval (sp_status 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp
from mock_server.services.oa.store import Application, oa

BY_DAY, BY_HOUR = 0, 1
APPROVED, REVOKED_AFTER = 2, 6
MAX_DAYS, MAX_HOURS = 1000, 24000


@dataclass
class VacationStore:
    types: dict[int, dict[str, Any]] = field(default_factory=dict)  # getcorpconf shape
    # userid key -> vacation id -> {"assign", "used", "left"} (seconds); absent = defaults
    balances: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)
    # sp_no -> [user key, vacation id, seconds] of deductions made on approval
    deducted: dict[str, list[Any]] = field(default_factory=dict)
    # optional applicable range per vacation id: user keys (absent = whole corp)
    ranges: dict[int, list[str]] = field(default_factory=dict)


def vacation(corp: Corp) -> VacationStore:
    return corp.store("vacation")


def limited(vtype: dict[str, Any]) -> bool:
    return int(vtype.get("quota_attr", {}).get("type", 0)) != 0


def balance(corp: Corp, user_key: str, vac_id: int, *, store_it: bool = True) -> dict[str, int]:
    """The member's balance of one type (the type's grant until first changed; reads leave
    the store untouched)."""
    store = vacation(corp)
    row = store.balances.get(user_key, {}).get(vac_id)
    if row is None:
        quota = store.types[vac_id].get("quota_attr", {})
        grant = int(quota.get("autoreset_duration", 0)) if quota.get("type") in (1, 3) else 0
        row = {"assign": grant, "used": 0, "left": grant}
        if store_it:
            store.balances.setdefault(user_key, {})[vac_id] = row
    return row


def quota_list(corp: Corp, user_key: str) -> list[dict[str, Any]]:
    out = []
    for vid, vtype in sorted(vacation(corp).types.items()):
        b = balance(corp, user_key, vid, store_it=False)
        out.append(
            {
                "id": vid,
                "assignduration": b["assign"],
                "usedduration": b["used"],
                "leftduration": b["left"],
                "vacationname": vtype["name"],
                "real_assignduration": b["assign"],
            }
        )
    return out


def set_left(corp: Corp, user_key: str, body: dict[str, Any]) -> None:
    """setoneuserquota: overwrite the remaining balance (the grant follows, used stays)."""
    store = vacation(corp)
    vac_id = body.get("vacation_id")
    if isinstance(vac_id, bool) or not isinstance(vac_id, int) or vac_id not in store.types:
        raise WeComError(301063, "vacation_id invalid.")
    vtype = store.types[vac_id]
    rng = store.ranges.get(vac_id)
    if rng is not None and user_key not in rng:
        raise WeComError(301098)
    attr = body.get("time_attr")
    if isinstance(attr, bool) or attr != vtype["time_attr"]:
        raise WeComError(301063, "time_attr does not match the vacation type.")
    left = body.get("leftduration")
    if isinstance(left, bool) or not isinstance(left, int) or left < 0:
        raise WeComError(301063, "leftduration invalid.")
    step, cap = (8640, MAX_DAYS * 86400) if attr == BY_DAY else (360, MAX_HOURS * 3600)
    if left % step or left > cap:
        raise WeComError(301063, f"leftduration must be a multiple of {step} up to {cap}.")
    remarks = body.get("remarks", "")
    if not isinstance(remarks, str) or len(remarks) > 200:
        raise WeComError(301063, "remarks exceed max length 200.")
    b = balance(corp, user_key, vac_id)
    b["left"] = left
    b["assign"] = left + b["used"]


@dataclass
class Leave:
    """An approved leave request as check-in reports use it."""

    sp_no: str
    vac_id: int
    name: str
    time_attr: int
    begin: int
    end: int
    duration: int  # seconds, as requested


def leave_of(corp: Corp, app: Application) -> Leave | None:
    """The leave an application requests (its Vacation control), or None."""
    for item in app.contents:
        vac = item.get("value", {}).get("vacation") if item.get("control") == "Vacation" else None
        if not vac:
            continue
        try:
            vac_id = int(vac["selector"]["options"][0]["key"])
        except (KeyError, IndexError, ValueError):
            return None
        dr = vac["attendance"]["date_range"]
        vtype = vacation(corp).types.get(vac_id, {})
        attr = vtype.get("time_attr", BY_HOUR if dr.get("type") == "hour" else BY_DAY)
        return Leave(
            app.sp_no,
            vac_id,
            vtype.get("name", ""),
            attr,
            int(dr["new_begin"]),
            int(dr["new_end"]),
            int(dr["new_duration"]),
        )
    return None


def approved_leaves(corp: Corp) -> dict[str, list[Leave]]:
    """User key -> approved leaves, by begin time."""
    out: dict[str, list[Leave]] = {}
    for app in oa(corp).applications.values():
        if app.sp_status != APPROVED:
            continue
        leave = leave_of(corp, app)
        if leave is not None:
            out.setdefault(app.creator.lower(), []).append(leave)
    for rows in out.values():
        rows.sort(key=lambda lv: (lv.begin, lv.sp_no))
    return out


def on_status_change(corp: Corp, app: Application) -> None:
    """Deduct an approved leave from the balance; give it back when revoked after approval."""
    store = vacation(corp)
    if app.sp_status == APPROVED and app.sp_no not in store.deducted:
        leave = leave_of(corp, app)
        if leave is None or leave.vac_id not in store.types:
            return
        key = app.creator.lower()
        b = balance(corp, key, leave.vac_id)
        b["used"] += leave.duration
        if limited(store.types[leave.vac_id]):
            b["left"] = max(0, b["left"] - leave.duration)
        store.deducted[app.sp_no] = [key, leave.vac_id, leave.duration]
    elif app.sp_status == REVOKED_AFTER and app.sp_no in store.deducted:
        key, vac_id, seconds = store.deducted.pop(app.sp_no)
        b = balance(corp, key, vac_id)
        b["used"] = max(0, b["used"] - seconds)
        if limited(store.types[vac_id]):
            b["left"] += seconds
