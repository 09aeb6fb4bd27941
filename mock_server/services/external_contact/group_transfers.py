"""Customer-group transfers (docs 92127, 95703): ``groupchat/transfer`` assigns groups of a
*resigned* owner, ``groupchat/onjob_transfer`` those of an owner still employed (some SDKs and
integrations swap the two; the official docs decide). No HTTP here.

Failures are per group in ``failed_chat_list``; the owner changes at once. API changes emit no
``change_external_chat`` event (doc 92130; unconfirmed for transfers).
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.params import get_list, get_str
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.scrm_store import DAY, day_of, external_scrm

CHATS_MAX = 100
ONJOB_PER_WINDOW = 2  # per group per 90 days
WINDOW = 90 * DAY
PER_OWNER_PER_DAY = 300
ERRMSG = {
    90500: "the owner of this chat is not resigned",
    90501: "chat is not external group chat",
    90502: "the owner of this chat is resigned",
    90504: "the new owner is the same as the old owner",
    90507: "the chat is being transferred",
    40128: "transfer too frequently",
}


def transfer_groups(
    corp: Corp, agent: Agent | None, body: dict[str, Any], *, resigned: bool
) -> dict[str, Any]:
    ids = get_list(body, "chat_id_list", item=str)
    if not ids:
        raise param_error("chat_id_list", "exceed min size 1")
    if len(ids) > CHATS_MAX:
        raise param_error("chat_id_list", f"exceed max size {CHATS_MAX}")
    new_owner = m.require_member(
        corp, get_str(body, "new_owner") or "", m.visible_keys(corp, agent)
    )
    if new_owner.status != 1:
        raise WeComError(41054)
    st = external_scrm(corp)
    now = corp.clock.time()
    users = cm.contacts(corp).users
    chats = m.external_contact(corp).chats
    failed: list[dict[str, Any]] = []
    done: list[tuple[m.GroupChat, str]] = []
    per_owner: dict[str, int] = {}
    for cid in dict.fromkeys(ids):
        chat = chats.get(cid)
        code = 0
        if chat is None or chat.dismissed:
            code = 90501
        elif chat.owner == new_owner.key:
            code = 90504
        elif resigned and chat.owner in users:
            code = 90500
        elif not resigned and chat.owner not in users:
            code = 90502
        elif not resigned and _recent(st, cid, now) >= ONJOB_PER_WINDOW:
            code = 40128  # the published per-group limit; its errcode is unconfirmed
        else:
            count = _today(st, chat.owner, now) + per_owner.get(chat.owner, 0)
            if count >= PER_OWNER_PER_DAY:
                code = 40128  # 300 groups of one owner per day (errcode unconfirmed)
        if code:
            failed.append({"chat_id": cid, "errcode": code, "errmsg": ERRMSG.get(code, "")})
            continue
        assert chat is not None
        per_owner[chat.owner] = per_owner.get(chat.owner, 0) + 1
        done.append((chat, chat.owner))
    # mutate
    for chat, old in done:
        chat.owner = new_owner.key
        chat.status = 3 if resigned else 0  # 3 = inherited
        if not any(mm.userid == new_owner.userid for mm in chat.members):
            chat.members.append(m.ChatMember(new_owner.userid, 1, now, 1))
            chat.version += 1
        st.group_transfers.append(
            {
                "chat_id": chat.chat_id,
                "from": old,
                "to": new_owner.key,
                "time": now,
                "resigned": resigned,
            }
        )
    return {"failed_chat_list": failed}


def _recent(st: Any, chat_id: str, now: int) -> int:
    return sum(
        1
        for t in st.group_transfers
        if t["chat_id"] == chat_id and not t["resigned"] and now - t["time"] < WINDOW
    )


def _today(st: Any, owner: str, now: int) -> int:
    return sum(
        1 for t in st.group_transfers if t["from"] == owner and day_of(t["time"]) == day_of(now)
    )
