"""Customer groups (客户群): ``groupchat/list`` and ``groupchat/get`` reads."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact.models import (
    GROUP_VISIBLE_MAX,
    GroupChat,
    decode_cursor,
    encode_cursor,
    external_contact,
    member_version,
    userid_of,
    visible_keys,
)


def list_chats(
    corp: Corp,
    agent: Agent | None,
    *,
    status_filter: int,
    owners: list[str] | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """Groups by creation order; the cursor is the last chat's creation seq (stable)."""
    keys = visible_keys(corp, agent)
    contacts = cm.contacts(corp)
    if owners is None:
        visible = len(contacts.users) if keys is None else len(keys)
        if visible > GROUP_VISIBLE_MAX:
            raise WeComError(81017)
        owner_keys = None
    else:
        owner_keys = {u.lower() for u in owners}
    filters = f"{status_filter}|{','.join(sorted(owner_keys or ()))}|{owners is None}"
    last = 0
    if cursor:
        _, last = decode_cursor(corp.corpid, "groupchat", filters, cursor)
    chats = [
        c
        for c in external_contact(corp).chats.values()
        if not c.dismissed
        # groups of a resigned owner (status 1) stay listed for assignment
        and (keys is None or c.owner in keys or c.owner not in contacts.users)
        and (owner_keys is None or c.owner in owner_keys)
        and (status_filter == 0 or c.status == status_filter)
    ]
    start = bisect_right(chats, last, key=lambda c: c.seq) if last else 0
    page = chats[start : start + limit]
    more = start + limit < len(chats)
    return {
        "group_chat_list": [{"chat_id": c.chat_id, "status": c.status} for c in page],
        "next_cursor": encode_cursor(corp.corpid, "groupchat", filters, 0, page[-1].seq)
        if more
        else "",
    }


def require_chat(corp: Corp, chat_id: Any) -> GroupChat:
    chat = external_contact(corp).chats.get(chat_id) if isinstance(chat_id, str) else None
    if chat is None:
        raise WeComError(86001)  # 40058 is also cited for bad chat ids (unconfirmed which)
    if chat.dismissed:
        raise WeComError(49008)
    return chat


def get_chat(corp: Corp, agent: Agent | None, chat_id: Any, need_name: bool) -> dict[str, Any]:
    chat = require_chat(corp, chat_id)
    keys = visible_keys(corp, agent)
    if keys is not None and chat.owner not in keys:
        raise WeComError(60011)  # owner must be in the app's visibility (code unconfirmed)
    st = external_contact(corp)
    contacts = cm.contacts(corp)
    members = []
    for m in chat.members:
        row: dict[str, Any] = {"userid": m.userid, "type": m.type}
        if m.type == 2:
            customer = st.customers.get(m.userid)
            if customer is not None and customer.type == 1 and customer.unionid:
                row["unionid"] = customer.unionid
        row["join_time"] = m.join_time
        row["join_scene"] = m.join_scene
        if m.invitor:
            row["invitor"] = {"userid": m.invitor}
        row["group_nickname"] = m.group_nickname
        if need_name:
            if m.type == 1:
                user = contacts.find_user(m.userid)
                row["name"] = user.name if user else m.userid
            else:
                customer = st.customers.get(m.userid)
                row["name"] = customer.name if customer else ""
        if m.state:
            row["state"] = m.state
        members.append(row)
    return {
        "group_chat": {
            "chat_id": chat.chat_id,
            "name": chat.name,
            "owner": userid_of(corp, chat.owner),
            "create_time": chat.create_time,
            "notice": chat.notice,
            "member_list": members,
            "admin_list": [{"userid": userid_of(corp, a)} for a in chat.admin_list],
            "member_version": member_version(chat),
        }
    }
