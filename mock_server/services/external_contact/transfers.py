"""Customer transfers 继承 (docs 92125, 94088, 94081, 94082, 92124, 92127, 95703). No HTTP.

A transfer waits 24 hours on the emulator clock and is then accepted automatically unless the
customer refused (a sandbox action) or the takeover member is at capacity. On-job transfers
are limited to 2 per customer per 90 days. ``settle_transfers`` applies what the clock decided.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.events import SOURCE_SANDBOX
from mock_server.core.params import get_int, get_list, get_str
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact import sandbox as sb
from mock_server.services.external_contact.paging import FrozenRow, Page, Rendered, rendered
from mock_server.services.external_contact.scrm_store import (
    DAY,
    Transfer,
    external_scrm,
    limit_or_default,
)

ACCEPT_AFTER = DAY
WINDOW = 90 * DAY
ONJOB_PER_WINDOW = 2
CUSTOMERS_PER_CALL = 100
CUSTOMER_CAPACITY = 50_000  # per member (wechatpy docstring; unconfirmed)
RESULT_PAGE = 1000
UNASSIGNED_DEFAULT = UNASSIGNED_MAX = 1000
MSG_MAX = 200
ADD_WAY_TRANSFER = 202  # "assigned by the admin" (unconfirmed for transfers)


def _member(corp: Corp, agent: Agent | None, body: dict[str, Any], key: str) -> cm.User:
    return m.require_member(corp, get_str(body, key) or "", m.visible_keys(corp, agent))


def _resigned_member(corp: Corp, body: dict[str, Any]) -> str:
    """The user key of a resigned handover member (40097 if still employed)."""
    userid = get_str(body, "handover_userid")
    if userid is None:
        raise WeComError(60111)
    key = userid.lower()
    if key in cm.contacts(corp).users:
        raise WeComError(40097)
    if key not in external_scrm(corp).resigned:
        raise WeComError(60111)
    return key


def _waiting(corp: Corp, eid: str) -> Transfer | None:
    for t in external_scrm(corp).transfers:
        if t.external_userid == eid and t.status == 2:
            return t
    return None


def onjob_count(corp: Corp, eid: str, now: int) -> int:
    """On-job transfers of a customer started in the last 90 days (refused ones count:
    unconfirmed)."""
    return sum(
        1
        for t in external_scrm(corp).transfers
        if t.external_userid == eid and t.kind == "onjob" and now - t.created_at < WINDOW
    )


def _customer_errcode(corp: Corp, handover: str, eid: Any, kind: str, now: int) -> int:
    if not isinstance(eid, str) or eid not in m.external_contact(corp).customers:
        return 40096
    if handover not in m.external_contact(corp).follows.get(eid, {}):
        return 40131
    if _waiting(corp, eid) is not None:
        return 40129
    if kind == "onjob" and onjob_count(corp, eid, now) >= ONJOB_PER_WINDOW:
        return 40128
    return 0


def _start(
    corp: Corp, kind: str, handover: str, takeover: cm.User, ids: list[Any], message: str
) -> list[dict[str, Any]]:
    now = corp.clock.time()
    st = external_scrm(corp)
    results = []
    for eid in ids:
        code = _customer_errcode(corp, handover, eid, kind, now)
        results.append({"external_userid": eid, "errcode": code})
        if code == 0:
            st.transfers.append(
                Transfer(kind, handover, takeover.key, eid, now, now + ACCEPT_AFTER, 2, message)
            )
            st.waiting_transfers += 1
            st.next_due = min(st.next_due or now + ACCEPT_AFTER, now + ACCEPT_AFTER)
            if kind == "resigned":
                st.assigned.setdefault(handover, {})[eid] = True
    return results


def _ids(body: dict[str, Any]) -> list[Any]:
    ids = get_list(body, "external_userid", item=str)
    if not ids:
        raise param_error("external_userid", "exceed min size 1")
    if len(ids) > CUSTOMERS_PER_CALL:
        raise param_error("external_userid", f"exceed max size {CUSTOMERS_PER_CALL}")
    return list(dict.fromkeys(ids))


def _takeover(corp: Corp, agent: Agent | None, body: dict[str, Any], handover: str) -> cm.User:
    takeover = _member(corp, agent, body, "takeover_userid")
    if takeover.key == handover:
        raise WeComError(40130)
    if takeover.status != 1:
        raise WeComError(41054)
    return takeover


def transfer_customer(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    handover = _member(corp, agent, body, "handover_userid")
    takeover = _takeover(corp, agent, body, handover.key)
    ids = _ids(body)
    message = get_str(body, "transfer_success_msg") or ""
    if len(message) > MSG_MAX:
        raise param_error("transfer_success_msg", f"exceed max length {MSG_MAX}")
    return {"customer": _start(corp, "onjob", handover.key, takeover, ids, message)}


def resigned_transfer_customer(
    corp: Corp, agent: Agent | None, body: dict[str, Any]
) -> dict[str, Any]:
    handover = _resigned_member(corp, body)
    takeover = _takeover(corp, agent, body, handover)
    ids = _ids(body)
    return {"customer": _start(corp, "resigned", handover, takeover, ids, "")}


def legacy_transfer(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    """The old one-customer ``transfer``: handover on the job or resigned; errors top-level."""
    userid = get_str(body, "handover_userid") or ""
    on_job = cm.contacts(corp).find_user(userid)
    if on_job is not None:
        handover = _member(corp, agent, body, "handover_userid").key
        kind = "onjob"
    else:
        handover, kind = _resigned_member(corp, body), "resigned"
    takeover = _takeover(corp, agent, body, handover)
    eid = get_str(body, "external_userid")
    code = _customer_errcode(corp, handover, eid, kind, corp.clock.time())
    if code:
        raise WeComError(code)
    message = get_str(body, "transfer_success_msg") or ""
    _start(corp, kind, handover, takeover, [eid], message)


def transfer_result(
    corp: Corp, agent: Agent | None, body: dict[str, Any], *, resigned: bool
) -> dict[str, Any]:
    handover = (
        _resigned_member(corp, body)
        if resigned
        else _member(corp, agent, body, "handover_userid").key
    )
    takeover = _member(corp, agent, body, "takeover_userid")
    kinds = ("resigned",) if resigned else ("onjob",)
    rows = [
        t
        for t in external_scrm(corp).transfers
        if t.handover == handover and t.takeover == takeover.key and t.kind in kinds
    ]
    filters = f"{handover}:{takeover.key}:{resigned}"
    cursor = body.get("cursor")
    offset = 0
    if cursor:
        offset, _ = m.decode_cursor(corp.corpid, "transfer_result", filters, cursor)
    page = rows[offset : offset + RESULT_PAGE]
    end = offset + len(page)
    return {
        "customer": [
            {
                "external_userid": t.external_userid,
                "status": t.status,
                "takeover_time": 0 if t.status == 3 else t.takeover_time,
            }
            for t in page
        ],
        "next_cursor": m.encode_cursor(corp.corpid, "transfer_result", filters, end, 0)
        if end < len(rows)
        else "",
    }


def _unassigned_rows(corp: Corp, key: str) -> Rendered:
    """A resigned member's customers as answer rows, rendered once while the member's
    relations are unchanged (they are only appended with a higher seq or removed, so
    (length, last seq) tells a change)."""
    meta = external_scrm(corp).resigned[key]
    handover, dimission = meta["userid"], meta["dimission_time"]
    rels = m.external_contact(corp).by_user.get(key, [])
    signature = (len(rels), rels[-1].seq if rels else 0, handover, dimission)

    def build(out: Rendered) -> None:
        for f in rels:
            out.add(
                {
                    "handover_userid": handover,
                    "external_userid": f.external_userid,
                    "dimission_time": dimission,
                },
                f.seq,
            )

    return rendered(external_scrm(corp), ("unassigned", key), rels, signature, build)


def unassigned(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> Page:
    """Customers of resigned members still waiting for assignment, in (member, relation)
    order. The cursor holds (member index, last relation seq); a page is a slice of each
    member's rendered rows, so paging costs one page."""
    st = external_scrm(corp)
    size = limit_or_default(get_int(body, "page_size"), UNASSIGNED_DEFAULT, UNASSIGNED_MAX)
    members = list(st.resigned)
    cursor = get_str(body, "cursor")
    page_id = get_int(body, "page_id")
    index, last, skip = 0, 0, 0
    if cursor:
        index, last = m.decode_cursor(corp.corpid, "unassigned", "", cursor)
    elif page_id:
        if page_id < 0 or page_id * size >= 50_000:
            raise param_error("page_id", "exceed range, use cursor")
        skip = page_id * size
    segments: list[tuple[Sequence[FrozenRow], int, int]] = []
    count = 0
    raws: list[memoryview] = []
    more = False
    while index < len(members):
        key = members[index]
        rows = _unassigned_rows(corp, key)
        pos = bisect_right(rows.keys, last) if last else 0
        taken = st.assigned.get(key)
        room = size - count
        if not taken and not skip:
            # fast path: nothing of this member is under assignment
            end = min(pos + room, len(rows.rows))
            segments.append((rows.rows, pos, end))
            raws.append(rows.span(pos, end))
            count += end - pos
            if end > pos:
                last = rows.keys[end - 1]
            if end < len(rows.rows):
                more = True
                break
        else:
            for i in range(pos, len(rows.rows)):
                row = rows.rows[i]
                if taken and row["external_userid"] in taken:
                    continue
                if skip:
                    skip -= 1
                    continue
                if count == size:
                    more = True
                    break
                segments.append((rows.rows, i, i + 1))
                raws.append(rows.span(i, i + 1))
                count += 1
                last = rows.keys[i]
            if more:
                break
        index += 1
        last = 0
    out: dict[str, Any] = {"info": None, "is_last": not more}  # rows built if read (``Page``)
    if not page_id or cursor:
        out["next_cursor"] = (
            m.encode_cursor(corp.corpid, "unassigned", "", index, last) if more else ""
        )
    return Page(out, "info", raws, segments)


# -- completion ----------------------------------------------------------------------------------
def settle(corp: Corp) -> None:
    """Apply what the clock decided since the last call (transfers accepted after 24 h);
    every SCRM call and sandbox action runs it first."""
    settle_transfers(corp)


def settle_transfers(corp: Corp) -> None:
    st = external_scrm(corp)
    now = corp.clock.time()
    if not st.waiting_transfers or now < st.next_due:
        return
    for t in st.transfers:
        if t.status == 2 and t.takeover_time <= now:
            _finish(corp, t, "accept")
    waiting = [t.takeover_time for t in st.transfers if t.status == 2]
    st.next_due = min(waiting) if waiting else 0


def _finish(corp: Corp, t: Transfer, outcome: str) -> None:
    st = external_scrm(corp)
    ext = m.external_contact(corp)
    rels = ext.follows.get(t.external_userid, {})
    takeover_userid = m.userid_of(corp, t.takeover)
    if (
        outcome == "accept"
        and t.takeover not in rels
        and len(ext.by_user.get(t.takeover, [])) >= CUSTOMER_CAPACITY
    ):
        outcome = "limit"
    taken = st.assigned.get(t.handover)
    if taken is not None:
        taken.pop(t.external_userid, None)
        if not taken:
            del st.assigned[t.handover]
    st.waiting_transfers -= 1
    if outcome in ("refuse", "limit"):
        t.status = 3 if outcome == "refuse" else 4
        reason = "customer_refused" if outcome == "refuse" else "customer_limit_exceed"
        corp.emit(
            m.external_contact_event(
                corp,
                "transfer_fail",
                takeover_userid,
                t.external_userid,
                extra={"FailReason": reason},
                source=SOURCE_SANDBOX,
            )
        )
        return
    t.status = 1
    t.takeover_time = min(t.takeover_time, corp.clock.time())
    old = rels.get(t.handover)
    if t.takeover not in rels:
        new = sb.link(
            corp, t.takeover, t.external_userid, t.takeover_time, add_way=ADD_WAY_TRANSFER
        )
        if old is not None:  # remarks and corp tags move with the customer (unconfirmed)
            new.remark, new.description = old.remark, old.description
            new.tag_ids = list(old.tag_ids)
        corp.emit(
            m.external_contact_event(
                corp,
                "add_external_contact",
                takeover_userid,
                t.external_userid,
                source=SOURCE_SANDBOX,
            )
        )
    if old is not None:
        sb.unlink(corp, old)
        if t.kind == "onjob":
            corp.emit(
                m.external_contact_event(
                    corp,
                    "del_external_contact",
                    m.userid_of(corp, t.handover),
                    t.external_userid,
                    extra={"Source": "DELETE_BY_TRANSFER"},
                    source=SOURCE_SANDBOX,
                )
            )


def resolve(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """Sandbox: the customer accepts or refuses now, or the takeover is at capacity."""
    outcome = payload.get("outcome", "accept")
    if outcome not in ("accept", "refuse", "limit"):
        raise sb.SandboxError("outcome must be accept, refuse or limit")
    t = _waiting(corp, payload.get("external_userid") or "")
    if t is None:
        raise sb.SandboxError("no waiting transfer for this customer")
    _finish(corp, t, outcome)
    return {"external_userid": t.external_userid, "status": t.status}


def resign(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """Sandbox: a member leaves the corp. Their customers wait in get_unassigned_list and
    their customer groups get status 1 (owner resigned)."""
    user = cm.contacts(corp).find_user(payload.get("userid") or "")
    if user is None:
        raise sb.SandboxError(f"unknown member {payload.get('userid')!r}")
    cm.delete_users(corp, [user.userid], actor_scope=None)
    record_resignation(corp, user.userid, corp.clock.time())
    return {"userid": user.userid, "dimission_time": corp.clock.time()}


def record_resignation(corp: Corp, userid: str, when: int) -> None:
    key = userid.lower()
    st = external_scrm(corp)
    if key in cm.contacts(corp).users or key in st.resigned:
        return
    st.resigned[key] = {"userid": userid, "dimission_time": when}
    for chat in m.external_contact(corp).chats.values():
        if chat.owner == key and chat.status == 0:
            chat.status = 1
