"""Customer-contact statistics (docs 92132, 92133), computed from what happened in the sandbox.

Member behaviour comes from the activity journal (``add_external_contact``,
``del_follow_user`` ... recorded as they happen) and the messages members sent to customers
(welcome messages, mass messages, conclusions). Group statistics come from the groups' state
(creation and join times) and the mass messages sent to groups. Nothing is invented: a day
without activity reads zero; customer-initiated chats do not exist in the sandbox, so
``reply_percentage`` and ``avg_reply_time`` are never present (the doc omits them then).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.params import get_int, get_list, get_obj
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.scrm_store import (
    DAY,
    day_of,
    external_scrm,
    member_or_resigned,
)

SPAN_DAYS = 30
WINDOW_DAYS = 180
IDS_MAX = 100
OWNERS_VISIBLE_MAX = 1000
ORDER_KEYS = {1: "new_chat_cnt", 2: "chat_total", 3: "new_member_cnt", 4: "member_total"}
ACTIVITY_MAX = 200_000  # journal entries kept per corp (oldest dropped)


def record(corp: Corp, kind: str, userid: str, external_userid: str, when: int) -> None:
    """Journal one change of a follow relation (called for every customer-contact event)."""
    st = external_scrm(corp)
    st.activity.append(
        {"time": when, "kind": kind, "userid": userid, "external_userid": external_userid}
    )
    if len(st.activity) > ACTIVITY_MAX:
        del st.activity[: len(st.activity) - ACTIVITY_MAX]


def _days(corp: Corp, start: int, end: int, *, latest_offset: int) -> list[int]:
    """Beijing day numbers from start to end inclusive, with the range rules checked."""
    first, last = day_of(start), day_of(end)
    today = day_of(corp.clock.time())
    if last < first:
        raise param_error("end_time", "earlier than start_time")
    if last - first > SPAN_DAYS:
        raise param_error("end_time", f"span exceed {SPAN_DAYS} days")
    if first < today - WINDOW_DAYS or last > today - latest_offset:
        raise param_error("start_time", f"out of the last {WINDOW_DAYS} days")
    return list(range(first, last + 1))


def _member_keys(
    corp: Corp, agent: Agent | None, userids: list[str], parties: list[int]
) -> set[str]:
    keys = m.visible_keys(corp, agent)
    contacts = cm.contacts(corp)
    out = {member_or_resigned(corp, uid, keys)[1] for uid in userids}
    for dept in parties:
        if dept not in contacts.departments:
            raise WeComError(40066)
        out.update(
            u.key for u in contacts.users_in(dept, recursive=True) if keys is None or u.key in keys
        )
    return out


def resigned_userid(corp: Corp, key: str) -> str:
    meta = external_scrm(corp).resigned.get(key)
    return str(meta["userid"]) if meta else key


def user_behavior(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    userids = get_list(body, "userid", item=str) or []
    parties = get_list(body, "partyid", item=int) or []
    if not userids and not parties:
        raise param_error("userid", "and partyid both empty")
    if len(userids) > IDS_MAX or len(parties) > IDS_MAX:
        raise param_error(
            "userid" if len(userids) > IDS_MAX else "partyid", f"exceed max size {IDS_MAX}"
        )
    start = get_int(body, "start_time")
    end = get_int(body, "end_time")
    if start is None or end is None:
        raise param_error("start_time" if start is None else "end_time", "missing")
    days = _days(corp, start, end, latest_offset=0)
    keys = _member_keys(corp, agent, userids, parties)
    users = cm.contacts(corp).users
    names = {users[k].userid if k in users else resigned_userid(corp, k) for k in keys}
    per_day: dict[int, dict[str, Any]] = {
        d: {"new_apply": 0, "new_contact": 0, "negative": 0, "chats": set(), "messages": 0}
        for d in days
    }
    for a in external_scrm(corp).activity:
        row = per_day.get(day_of(a["time"]))
        if row is None or a["userid"] not in names:
            continue
        if a["kind"] == "add_external_contact":
            row["new_contact"] += 1
        elif a["kind"] == "del_follow_user":
            row["negative"] += 1
    for o in external_scrm(corp).outbox:
        row = per_day.get(day_of(o["time"]))
        if row is not None and o["userid"] in names:
            row["messages"] += 1
            row["chats"].add(o["external_userid"])
    return {
        "behavior_data": [
            {
                "stat_time": d * DAY - 8 * 3600,
                "chat_cnt": len(per_day[d]["chats"]),
                "message_cnt": per_day[d]["messages"],
                "negative_feedback_cnt": per_day[d]["negative"],
                "new_apply_cnt": per_day[d]["new_apply"],
                "new_contact_cnt": per_day[d]["new_contact"],
            }
            for d in days
        ]
    }


# -- customer groups ---------------------------------------------------------------------------
def _owners(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> list[str]:
    keys = m.visible_keys(corp, agent)
    owner_filter = get_obj(body, "owner_filter")
    wanted = get_list(owner_filter, "userid_list", item=str) if owner_filter else None
    if wanted:
        if len(wanted) > IDS_MAX:
            raise param_error("owner_filter.userid_list", f"exceed max size {IDS_MAX}")
        return [m.require_member(corp, u, keys).key for u in dict.fromkeys(wanted)]
    visible = list(cm.contacts(corp).users) if keys is None else sorted(keys)
    if len(visible) > OWNERS_VISIBLE_MAX:
        raise WeComError(81017)
    chats = m.external_contact(corp).chats.values()
    owning = {c.owner for c in chats}
    return [k for k in visible if k in owning]


def _group_day(corp: Corp, owners: Iterable[str], day: int) -> dict[str, int]:
    """One day's figures for a set of owners; totals as of the end of that day."""
    end = (day + 1) * DAY - 8 * 3600
    start = end - DAY
    owner_set = set(owners)
    users = cm.contacts(corp).users
    owner_ids = {users[k].userid if k in users else k for k in owner_set}
    out = dict.fromkeys(
        (
            "new_chat_cnt",
            "chat_total",
            "chat_has_msg",
            "new_member_cnt",
            "member_total",
            "member_has_msg",
            "msg_total",
            "migrate_trainee_chat_cnt",
        ),
        0,
    )
    owned = set()
    for chat in m.external_contact(corp).chats.values():
        if chat.owner not in owner_set or chat.create_time >= end or chat.dismissed:
            continue
        owned.add(chat.chat_id)
        out["chat_total"] += 1
        out["new_chat_cnt"] += chat.create_time >= start
        for mem in chat.members:
            if mem.join_time < end:
                out["member_total"] += 1
                out["new_member_cnt"] += mem.join_time >= start
    chats_with_msg, senders = set(), set()
    for msg in external_scrm(corp).groupmsgs.values():
        if msg.chat_type != "group":
            continue
        for userid, rows in msg.sends.items():
            for row in rows:
                t = row.get("send_time", 0)
                if (
                    row["status"] == 1
                    and start <= t < end
                    and row["chat_id"] in owned
                    and userid in owner_ids
                ):
                    out["msg_total"] += 1
                    chats_with_msg.add(row["chat_id"])
                    senders.add(userid)
    out["chat_has_msg"] = len(chats_with_msg)
    out["member_has_msg"] = len(senders)
    del out["migrate_trainee_chat_cnt"]  # only for education/training corps
    return out


def _fold(daily: list[dict[str, int]]) -> dict[str, int]:
    """Several days for one owner: ``new_*`` and message counts summed, totals of the last
    day (the doc does not say; unconfirmed)."""
    out = dict(daily[-1])
    for key in ("new_chat_cnt", "new_member_cnt", "msg_total", "chat_has_msg", "member_has_msg"):
        out[key] = sum(d[key] for d in daily)
    return out


def _group_days(corp: Corp, body: dict[str, Any]) -> list[int]:
    begin = get_int(body, "day_begin_time")
    if begin is None:
        raise param_error("day_begin_time", "missing")
    end = get_int(body, "day_end_time")
    return _days(corp, begin, begin if end is None else end, latest_offset=1)


def group_statistic(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    days = _group_days(corp, body)
    owners = _owners(corp, agent, body)
    order_by = get_int(body, "order_by") or 1
    order_asc = get_int(body, "order_asc") or 0
    if order_by not in ORDER_KEYS or order_asc not in (0, 1):
        raise param_error("order_by" if order_by not in ORDER_KEYS else "order_asc", "invalid")
    offset = get_int(body, "offset") or 0
    limit = get_int(body, "limit")
    limit = 500 if limit is None else limit
    if offset < 0 or not 1 <= limit <= 1000:
        raise param_error("limit" if offset >= 0 else "offset", "exceed range")
    users = cm.contacts(corp).users
    items: list[dict[str, Any]] = [
        {
            "owner": users[k].userid if k in users else k,
            "data": _fold([_group_day(corp, [k], d) for d in days]),
        }
        for k in owners
    ]
    key = ORDER_KEYS[order_by]
    items.sort(key=lambda i: i["data"][key], reverse=not order_asc)
    page = items[offset : offset + limit]
    return {"total": len(items), "next_offset": offset + len(page), "items": page}


def group_statistic_by_day(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    days = _group_days(corp, body)
    owners = _owners(corp, agent, body)
    return {
        "items": [
            {"stat_time": d * DAY - 8 * 3600, "data": _group_day(corp, owners, d)} for d in days
        ]
    }
