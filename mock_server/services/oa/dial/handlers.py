"""``dial/get_dial_record`` (doc 93662): public-phone call records.

Calls happen on phones, so records come from the fixture (``dial_records``) or the sandbox
(``wecom.add_dial_record``). Callers: a self-built app listed under 公费电话 (fixture
permission ``dial``); records involving members outside its visibility are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.plugin import FixtureSection
from mock_server.core.registry import Family
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host as Emulator

api = Family("oa")
WINDOW = 30 * 86400
PAGE = 100


@dataclass
class DialStore:
    records: list[dict[str, Any]] = field(default_factory=list)  # the API shape, by call_time


def dial(corp: Corp) -> DialStore:
    return corp.store("dial")


PARTY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "userid": {"type": "string"},
        "phone": {"type": "integer"},
        "duration": {"type": "integer", "minimum": 0},
    },
}
SECTION: dict[str, Any] = {
    "type": "array",
    "description": "Public-phone call records (connected calls only), as dial/get_dial_record returns them.",
    "items": {
        "type": "object",
        "required": ["call_time", "total_duration", "call_type", "caller", "callee"],
        "additionalProperties": False,
        "properties": {
            "call_time": {"type": "integer"},
            "total_duration": {"type": "integer", "minimum": 0},
            "call_type": {"enum": [1, 2], "description": "1 one-to-one, 2 multi-party"},
            "caller": PARTY,
            "callee": {"type": "array", "items": PARTY, "minItems": 1},
        },
    },
}


def add_record(corp: Corp, record: dict[str, Any]) -> dict[str, Any]:
    """Store one connected call (members referenced by userid must exist)."""
    users = cm.contacts(corp)
    for party in [record.get("caller", {}), *record.get("callee", [])]:
        if "userid" in party and users.find_user(party["userid"]) is None:
            raise ValueError(f"dial record: unknown user {party['userid']!r}")
    rows = dial(corp).records
    rows.append(record)
    rows.sort(key=lambda r: r["call_time"])
    return record


def load_dial(emu: Emulator, corp: Corp, section: list[dict[str, Any]] | None) -> None:
    for record in section or []:
        add_record(corp, dict(record))


section = FixtureSection("dial_records", SECTION, load_dial, order=49)


def _opt_int(body: dict[str, Any], key: str) -> int | None:
    raw = body.get(key)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 0xFFFFFFFF:
        raise WeComError(40058, f"{key} invalid.")
    return raw


@api.endpoint(
    "POST",
    "dial/get_dial_record",
    app_permission="dial",
    doc="93662",
    errcodes=(40058, 48002, 600018),
)
def get_dial_record(ctx: Context) -> dict[str, Any]:
    """Connected public-phone calls in [start_time, end_time] (30 days at most; default the
    last 30 days), paged by offset/limit (limit over 100 is served as 100)."""
    body = ctx.json()
    start, end = _opt_int(body, "start_time"), _opt_int(body, "end_time")
    end = ctx.now if end is None else end
    start = end - WINDOW if start is None else start
    if end < start:
        raise WeComError(600018)
    start = max(start, end - WINDOW)  # a longer span is clamped, not refused
    offset = _opt_int(body, "offset") or 0
    limit = min(_opt_int(body, "limit") or PAGE, PAGE)
    corp = ctx.corp
    visible = cm.visible_user_keys(corp, ctx.agent) if ctx.agent is not None else None

    def seen(r: dict[str, Any]) -> bool:
        if visible is None:
            return True
        ids = [p["userid"] for p in [r["caller"], *r["callee"]] if "userid" in p]
        return all(u.lower() in visible for u in ids)

    rows = [r for r in dial(corp).records if start <= r["call_time"] <= end and seen(r)]
    return {"record": rows[offset : offset + limit]}
