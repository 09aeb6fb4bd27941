"""Calendars (日历) and their rules; no HTTP.

An app sees only the calendars it created (90466); a deleted one answers 90459.
"""

from __future__ import annotations

import re
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.common import text_field, userids
from mock_server.services.oa.store import Calendar, oa

COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_ADMINS = 3
MAX_SHARES = 2000
MAX_IDS = 1000  # calendar/get's cal_id_list


def find_calendar(corp: Corp, cal_id: Any, agentid: int | None) -> Calendar:
    """A live calendar of this app: 90457 unknown, 90459 deleted, 90466 another app's."""
    cal = oa(corp).calendars.get(cal_id) if isinstance(cal_id, str) else None
    if cal is None:
        raise WeComError(90457)
    if cal.owner != agentid:
        raise WeComError(90466)
    if cal.deleted:
        raise WeComError(90459)
    return cal


def default_calendar(corp: Corp, agentid: int | None) -> Calendar | None:
    """The app's live calendar marked ``set_as_default``, if any."""
    return next(
        (
            c
            for c in oa(corp).calendars.values()
            if c.owner == agentid and c.data.get("set_as_default") and not c.deleted
        ),
        None,
    )


def _shares(corp: Corp, raw: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Valid shares and the per-item failures (``fail_result.shares``)."""
    if raw is None:
        return [], []
    if not isinstance(raw, list) or len(raw) > MAX_SHARES:
        raise WeComError(40058, f"shares must be an array of at most {MAX_SHARES}.")
    ok: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    store = cm.contacts(corp)
    for s in raw:
        uid = s.get("userid") if isinstance(s, dict) else None
        user = store.find_user(uid) if isinstance(uid, str) else None
        if user is None:
            # Per-item codes of fail_result are unconfirmed; 1 "invalid userid" as in the doc.
            failed.append({"errcode": 1, "errmsg": "invalid userid", "userid": str(uid)})
            continue
        entry: dict[str, Any] = {"userid": user.userid}
        if "readonly" in s:  # old shape
            entry["readonly"] = 1 if s["readonly"] else 0
        else:
            perm = s.get("permission", 1)
            if perm not in (1, 3):
                raise WeComError(40058, "shares[].permission must be 1 or 3.")
            entry["permission"] = perm
        ok.append(entry)
    return ok, failed


def read_calendar(
    corp: Corp, cal: dict[str, Any], existing: Calendar | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate a calendar object (add or overwrite); returns the stored data and failures."""
    summary = cal.get("summary")
    if not isinstance(summary, str) or not summary:
        raise WeComError(40058, "summary required.")
    summary = text_field(cal, "summary", 128)
    color = cal.get("color")
    if not isinstance(color, str) or not COLOR.match(color):
        raise WeComError(90473)
    description = text_field(cal, "description", 512)
    shares, failed = _shares(corp, cal.get("shares"))
    admins = userids(corp, cal.get("admins"), "admins", 40058)
    if len(admins) > MAX_ADMINS:
        raise WeComError(40058, f"admins at most {MAX_ADMINS}.")
    shared = {s["userid"] for s in shares}
    if any(a not in shared for a in admins):
        raise WeComError(90492)
    organizer = existing.data.get("organizer") if existing else None
    if "organizer" in cal:  # old shape: organizer required, immutable
        org = userids(corp, [cal["organizer"]], "organizer", 90456)[0] if cal["organizer"] else None
        if org is None:
            raise WeComError(90456)
        if existing is not None and organizer and org != organizer:
            raise WeComError(90463)
        organizer = org
    is_public = existing.data["is_public"] if existing else (1 if cal.get("is_public") else 0)
    is_corp = (
        existing.data["is_corp_calendar"] if existing else (1 if cal.get("is_corp_calendar") else 0)
    )
    public_range = cal.get("public_range")
    if public_range is not None:
        if not isinstance(public_range, dict):
            raise WeComError(40058, "public_range must be an object.")
        public_range = {
            "userids": userids(
                corp, public_range.get("userids", []), "public_range.userids", 40058
            ),
            "partyids": [p for p in public_range.get("partyids", []) if isinstance(p, int)],
        }
    if (is_public or is_corp) and not public_range and existing is None:
        raise WeComError(90483)
    data: dict[str, Any] = {
        "summary": summary,
        "color": color,
        "description": description,
        "admins": admins,
        "shares": shares,
        "is_public": is_public,
        "public_range": public_range or {"userids": [], "partyids": []},
        "is_corp_calendar": is_corp,
        "set_as_default": 1 if cal.get("set_as_default") else 0,
    }
    if organizer:
        data["organizer"] = organizer
        data["readonly"] = 1 if cal.get("readonly", 1) else 0
    return data, failed


def add_calendar(corp: Corp, agentid: int | None, data: dict[str, Any], now: int) -> str:
    """Store a new calendar of the app; a new default one takes the flag from the others."""
    cal_id = "wc" + corp.ids.alnum(27) + "AAA"
    if data["set_as_default"]:
        for other in oa(corp).calendars.values():
            if other.owner == agentid:
                other.data["set_as_default"] = 0
    oa(corp).calendars[cal_id] = Calendar(cal_id, agentid, data, now)
    return cal_id


def update_calendar(stored: Calendar, data: dict[str, Any], *, skip_public_range: bool) -> None:
    """Overwrite a calendar (is_public and the default flag are kept)."""
    if skip_public_range:
        data["public_range"] = stored.data["public_range"]
    data["set_as_default"] = stored.data["set_as_default"]
    stored.data = data


def delete_calendar(cal: Calendar) -> None:
    """Delete a calendar; a default calendar cannot be deleted (90712)."""
    if cal.data.get("set_as_default"):
        raise WeComError(90712)
    cal.deleted = True


def calendar_dict(cal: Calendar) -> dict[str, Any]:
    d = cal.data
    out: dict[str, Any] = {"cal_id": cal.cal_id}
    if "organizer" in d:
        out["organizer"] = d["organizer"]
        out["readonly"] = d["readonly"]
    out.update(
        admins=d["admins"],
        summary=d["summary"],
        color=d["color"],
        description=d["description"],
        shares=d["shares"],
        is_public=d["is_public"],
        public_range=d["public_range"],
        is_corp_calendar=d["is_corp_calendar"],
    )
    return out
