"""State of the SCRM calls (contact ways, welcome, mass messages, transfers): plain data.

One store per corp (``corp.store("external_scrm")``) next to the customer-contact store, so
a rejected request can be proven to change nothing (``state_fingerprint``). Time rules
(welcome-code window, 24 h transfer acceptance) are settled lazily against the emulator clock
by ``settle()``, which every SCRM call and sandbox action runs first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp
from mock_server.services.external_contact import models as m

OUTBOX_MAX = 10_000  # messages kept in the sandbox view of customers (oldest dropped)
DAY = 86400
BEIJING = 8 * 3600  # WeCom days are Beijing-time days


@dataclass
class ContactWay:
    config_id: str
    type: int
    scene: int
    create_time: int
    owner: int | None  # agentid of the creating app (None: system secret)
    style: int = 0
    remark: str = ""
    skip_verify: bool = True
    state: str = ""
    user: list[str] = field(default_factory=list)  # userids as given
    party: list[int] = field(default_factory=list)
    is_temp: bool = False
    expires_in: int = 0
    chat_expires_in: int = 0
    unionid: str = ""
    is_exclusive: bool = False
    mark_source: bool = True
    conclusions: dict[str, Any] | None = None
    qr_code: str = ""
    used: bool = False  # temp ways stop working after the first add
    next_member: int = 0  # round-robin position for multi-member ways


@dataclass
class GroupMsg:
    msgid: str
    chat_type: str  # single | group
    create_time: int
    text: dict[str, Any] | None
    attachments: list[dict[str, Any]]
    creator: str = ""  # empty for API-created (enterprise) messages
    create_type: int = 0
    cancelled: bool = False
    reminds: list[int] = field(default_factory=list)
    # userid -> {"status": 0|2, "send_time": int}
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    # userid -> rows {"external_userid" | "chat_id", "userid", "status", "send_time"}; a
    # member's row list is replaced when it changes, never edited in place (answers are
    # rendered once per list, see paging.py)
    sends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    chat_ids: list[str] = field(default_factory=list)  # group: preset chats (chat_id_list)


@dataclass
class Transfer:
    kind: str  # onjob | resigned | legacy
    handover: str  # user key
    takeover: str  # user key
    external_userid: str
    created_at: int
    takeover_time: int
    status: int = 2  # 1 taken over, 2 waiting, 3 refused, 4 takeover at capacity
    message: str = ""


class ScrmStore:
    """Per-corp SCRM state (plain data; ``_`` attributes would be caches)."""

    def __init__(self, corp: Corp) -> None:
        self.contact_ways: dict[str, ContactWay] = {}
        self.temp_ways_by_day: dict[int, int] = {}
        # (userid key, external_userid) -> {"config_id", "time", "customer"}: adds waiting for
        # the member to accept (ways with skip_verify false).
        self.pending: list[dict[str, Any]] = []
        # Temporary chats opened through temp ways: "user|eid" -> {"expires", "closed"}.
        self.temp_chats: dict[str, dict[str, Any]] = {}
        self.outbox: list[dict[str, Any]] = []
        # {"time", "kind", "userid", "external_userid"}: follow-relation changes, for statistics
        self.activity: list[dict[str, Any]] = []
        self.group_templates: dict[str, dict[str, Any]] = {}
        self.join_ways: dict[str, dict[str, Any]] = {}
        self.moments: dict[str, dict[str, Any]] = {}
        self.moment_jobs: dict[str, dict[str, Any]] = {}
        self.groupmsgs: dict[str, GroupMsg] = {}
        # customer or chat_id -> Beijing day of the last mass message it received
        self.received_day: dict[str, int] = {}
        self.transfers: list[Transfer] = []
        self.waiting_transfers = 0  # transfers with status 2
        self.next_due = 0  # earliest automatic acceptance among them
        # {"chat_id", "from", "to", "time", "resigned"} per group transfer
        self.group_transfers: list[dict[str, Any]] = []
        # handover key -> external_userids of a resigned member's customers under assignment
        self.assigned: dict[str, dict[str, bool]] = {}
        # user key -> {"userid", "dimission_time"} for members who left the corp.
        self.resigned: dict[str, dict[str, Any]] = {}
        self.counter = 0


def external_scrm(corp: Corp) -> ScrmStore:
    return corp.store("external_scrm")


def member_or_resigned(corp: Corp, userid: Any, keys: AbstractSet[str] | None) -> tuple[str, str]:
    """(userid, key) of a member the caller sees (60111/60011 otherwise); a member who has
    left the corp is accepted too, so their history (mass-message results, statistics)
    stays readable (unconfirmed: the docs do not say)."""
    if isinstance(userid, str):
        key = userid.lower()
        meta = external_scrm(corp).resigned.get(key)
        if meta is not None and key not in m.cm.contacts(corp).users:
            return str(meta["userid"]), key
    user = m.require_member(corp, userid, keys)
    return user.userid, user.key


def new_hex_id(corp: Corp, kind: str) -> str:
    """32 lower-case hex chars, stable for (corp, seed, kind, index): config_id shape."""
    st = external_scrm(corp)
    st.counter += 1
    raw = f"{corp.corpid}:{corp.ids.seed}:{kind}:{st.counter}"
    return hashlib.md5(raw.encode()).hexdigest()


def new_msg_id(corp: Corp, kind: str) -> str:
    """``msg`` + 25 alphanumerics, like mass-message ids and welcome template ids."""
    st = external_scrm(corp)
    st.counter += 1
    return m.make_id(corp, kind, st.counter, "msg", 28)


def day_of(ts: int) -> int:
    """Beijing-time day number of a unix time."""
    return (ts + BEIJING) // DAY


def midnight(ts: int) -> int:
    """00:00 Beijing time of the day ``ts`` falls in."""
    return day_of(ts) * DAY - BEIJING


def deliver(
    corp: Corp, external_userid: str, userid: str, kind: str, content: dict[str, Any]
) -> None:
    """A message reaches a customer (the sandbox's view of what customers received)."""
    st = external_scrm(corp)
    st.outbox.append(
        {
            "time": corp.clock.time(),
            "kind": kind,
            "userid": userid,
            "external_userid": external_userid,
            **content,
        }
    )
    if len(st.outbox) > OUTBOX_MAX:
        del st.outbox[: len(st.outbox) - OUTBOX_MAX]


def chatted(corp: Corp, userid: str, external_userid: str, since: int | None = None) -> bool:
    """Whether the member already sent the customer something (after ``since``)."""
    return any(
        o["userid"] == userid
        and o["external_userid"] == external_userid
        and (since is None or o["time"] >= since)
        for o in external_scrm(corp).outbox
    )


# -- paging ------------------------------------------------------------------------------------
def page_cursor(corp: Corp, kind: str, filters: str, cursor: Any, total: int) -> int:
    """Start offset from an opaque cursor bound to the query (50100 when foreign/tampered)."""
    if cursor in (None, ""):
        return 0
    index, _ = m.decode_cursor(corp.corpid, kind, filters, cursor)
    if index > total:
        raise WeComError(m.CURSOR_ERRCODE)
    return index


def next_cursor(corp: Corp, kind: str, filters: str, end: int, total: int) -> str:
    return m.encode_cursor(corp.corpid, kind, filters, end, 0) if end < total else ""


def limit_or_default(value: int | None, default: int, maximum: int) -> int:
    """The SCRM paging quirk: absent, non-positive or above-maximum limits fall back to the
    default (not clamped to the maximum)."""
    if value is None or value <= 0 or value > maximum:
        return default
    return value
