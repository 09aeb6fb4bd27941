"""What people do in the WeCom client (sandbox actions) and the primitives fixtures reuse.

Sandbox actions emit ``change_external_contact`` / ``change_external_chat`` domain events
with ``source=sandbox``: these are the changes the real API calls back about (doc 92130).
"""

from __future__ import annotations

import hashlib
from typing import Any

from mock_server.core.events import SOURCE_SANDBOX
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact.models import (
    ChatMember,
    Customer,
    Follow,
    GroupChat,
    external_chat_event,
    external_contact,
    external_contact_event,
    member_version,
    new_chat_id,
    new_external_userid,
    userid_of,
)

GENDERS = (0, 1, 2)


class SandboxError(ValueError):
    """A sandbox action that cannot happen (unknown member, no such relation, ...)."""


def avatar_for(external_userid: str, ctype: int) -> str:
    digest = hashlib.md5(external_userid.encode()).hexdigest()
    if ctype == 1:
        return f"https://wx.qlogo.cn/mmhead/{digest}/0"
    return f"https://p.qlogo.cn/bizmail/{digest}/0"


def create_customer(corp: Corp, fields: dict[str, Any]) -> Customer:
    """A new external contact (not yet anyone's customer until a follow relation links it)."""
    st = external_contact(corp)
    ctype = fields.get("type", 1)
    if ctype not in (1, 2):
        raise SandboxError("customer type must be 1 (WeChat) or 2 (WeCom)")
    gender = fields.get("gender", 0)
    if gender not in GENDERS:
        raise SandboxError("gender must be 0, 1 or 2")
    name = fields.get("name")
    if not isinstance(name, str) or not name:
        raise SandboxError("customer name is required")
    eid = fields.get("external_userid") or new_external_userid(corp, ctype)
    if eid in st.customers:
        raise SandboxError(f"external_userid {eid} exists")
    customer = Customer(
        external_userid=eid,
        name=name,
        type=ctype,
        gender=gender,
        avatar=fields.get("avatar") or avatar_for(eid, ctype),
        unionid=fields.get("unionid", "") if ctype == 1 else "",
        position=fields.get("position", "") if ctype == 2 else "",
        corp_name=fields.get("corp_name", "") if ctype == 2 else "",
        corp_full_name=fields.get("corp_full_name", "") if ctype == 2 else "",
        external_profile=fields.get("external_profile") if ctype == 2 else None,
    )
    st.customers[eid] = customer
    st.follows[eid] = {}
    return customer


def link(corp: Corp, user_key: str, external_userid: str, createtime: int, **kw: Any) -> Follow:
    """Insert a follow relation (no checks beyond uniqueness; callers validate)."""
    st = external_contact(corp)
    rel = st.follows[external_userid]
    if user_key in rel:
        raise SandboxError(f"{user_key} already follows {external_userid}")
    follow = Follow(user_key, external_userid, createtime, st.next_seq(), **kw)
    rel[user_key] = follow
    st.by_user.setdefault(user_key, []).append(follow)
    st.follow_users.setdefault(user_key, True)
    return follow


def unlink(corp: Corp, follow: Follow) -> None:
    st = external_contact(corp)
    del st.follows[follow.external_userid][follow.user]
    rels = st.by_user[follow.user]
    rels.remove(follow)


def _user(corp: Corp, userid: Any) -> cm.User:
    user = cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
    if user is None:
        raise SandboxError(f"unknown member {userid!r}")
    return user


def _customer(corp: Corp, external_userid: Any) -> Customer:
    customer = (
        external_contact(corp).customers.get(external_userid)
        if isinstance(external_userid, str)
        else None
    )
    if customer is None:
        raise SandboxError(f"unknown external_userid {external_userid!r}")
    return customer


# -- follow relations -------------------------------------------------------------------------
def customer_adds_member(
    corp: Corp,
    userid: str,
    *,
    external_userid: str | None = None,
    customer: dict[str, Any] | None = None,
    state: str = "",
    add_way: int = 1,
    welcome_code: bool = True,
) -> dict[str, Any]:
    """A customer adds a member (scans the QR code, ...): ``add_external_contact``."""
    st = external_contact(corp)
    user = _user(corp, userid)
    if external_userid is None and customer is None:
        raise SandboxError("give external_userid (existing customer) or customer (new one)")
    if not isinstance(state, str) or len(state) > 30:
        raise SandboxError("state must be a string of at most 30 chars")
    existing = _customer(corp, external_userid) if external_userid is not None else None
    if existing is not None:
        follow = st.follows[existing.external_userid].get(user.key)
        if follow is not None and not follow.deleted_by_customer:
            raise SandboxError(f"{userid} already has {external_userid} as a customer")
    # mutate (create_customer validates the new customer's fields before storing it)
    target = existing or create_customer(corp, dict(customer or {}))
    eid = target.external_userid
    now = corp.clock.time()
    follow = st.follows[eid].get(user.key)
    if follow is not None:  # the customer had deleted the member and adds them back
        follow.deleted_by_customer = False
        follow.state = state or follow.state
    else:
        follow = link(corp, user.key, eid, now, add_way=add_way, state=state, oper_userid=eid)
    extra: dict[str, Any] = {"State": state}
    code = ""
    if welcome_code:
        code = corp.ids.alnum(43)
        st.welcome_codes[code] = {"userid": user.userid, "external_userid": eid, "time": now}
        extra["WelcomeCode"] = code
    corp.emit(
        external_contact_event(
            corp, "add_external_contact", user.userid, eid, extra=extra, source=SOURCE_SANDBOX
        )
    )
    return {"external_userid": eid, "userid": user.userid, "welcome_code": code}


def customer_deletes_member(corp: Corp, userid: str, external_userid: str) -> None:
    """The customer deletes the member: ``del_follow_user`` (the member keeps the relation)."""
    user = _user(corp, userid)
    customer = _customer(corp, external_userid)
    follow = external_contact(corp).follows[customer.external_userid].get(user.key)
    if follow is None or follow.deleted_by_customer:
        raise SandboxError(f"{external_userid} does not follow {userid}")
    follow.deleted_by_customer = True
    corp.emit(
        external_contact_event(
            corp, "del_follow_user", user.userid, customer.external_userid, source=SOURCE_SANDBOX
        )
    )


def member_deletes_customer(corp: Corp, userid: str, external_userid: str) -> None:
    """The member deletes the customer: ``del_external_contact``; the relation is gone (84061)."""
    user = _user(corp, userid)
    customer = _customer(corp, external_userid)
    follow = external_contact(corp).follows[customer.external_userid].get(user.key)
    if follow is None:
        raise SandboxError(f"{userid} has no customer {external_userid}")
    unlink(corp, follow)
    corp.emit(
        external_contact_event(
            corp,
            "del_external_contact",
            user.userid,
            customer.external_userid,
            source=SOURCE_SANDBOX,
        )
    )


# -- customer groups ---------------------------------------------------------------------------
def _member_type(corp: Corp, member_id: Any) -> tuple[str, int]:
    user = cm.contacts(corp).find_user(member_id) if isinstance(member_id, str) else None
    if user is not None:
        return user.userid, 1
    if isinstance(member_id, str) and member_id in external_contact(corp).customers:
        return member_id, 2
    raise SandboxError(f"{member_id!r} is neither a member nor a known external contact")


def _chat(corp: Corp, chat_id: Any) -> GroupChat:
    chat = external_contact(corp).chats.get(chat_id) if isinstance(chat_id, str) else None
    if chat is None or chat.dismissed:
        raise SandboxError(f"no live customer group {chat_id!r}")
    return chat


def new_chat(
    corp: Corp,
    *,
    owner: str,
    name: str = "",
    notice: str = "",
    create_time: int | None = None,
    chat_id: str | None = None,
    status: int = 0,
) -> GroupChat:
    """A group with only its owner (primitive shared with the fixture loader)."""
    st = external_contact(corp)
    user = _user(corp, owner)
    now = corp.clock.time() if create_time is None else create_time
    cid = chat_id or new_chat_id(corp)
    if cid in st.chats:
        raise SandboxError(f"chat_id {cid} exists")
    chat = GroupChat(cid, name, user.key, now, st.next_seq(), notice, status)
    chat.members.append(ChatMember(user.userid, 1, now, 1))
    st.chats[cid] = chat
    return chat


def create_group(
    corp: Corp, owner: str, *, name: str = "", notice: str = "", members: list[str] | None = None
) -> dict[str, Any]:
    """A member creates a customer group: ``change_external_chat`` / ``create``."""
    _user(corp, owner)
    resolved = [_member_type(corp, m) for m in members or []]
    chat = new_chat(corp, owner=owner, name=name, notice=notice)
    owner_user = _user(corp, owner)
    for mid, mtype in resolved:
        if any(m.userid == mid for m in chat.members):
            continue
        chat.members.append(ChatMember(mid, mtype, chat.create_time, 1, owner_user.userid))
    corp.emit(external_chat_event(corp, chat.chat_id, "create", source=SOURCE_SANDBOX))
    return {"chat_id": chat.chat_id, "member_version": member_version(chat)}


def join_group(
    corp: Corp,
    chat_id: str,
    member_ids: list[str],
    *,
    join_scene: int = 1,
    invitor: str | None = None,
    group_nickname: str = "",
) -> dict[str, Any]:
    """Customers/members join: ``change_external_chat`` / ``update`` / ``add_member``."""
    chat = _chat(corp, chat_id)
    if join_scene not in (1, 2, 3):
        raise SandboxError("join_scene must be 1 (direct invite), 2 (invite link) or 3 (QR code)")
    inv = _user(corp, invitor).userid if invitor else ""
    resolved = [_member_type(corp, m) for m in member_ids]
    present = {m.userid for m in chat.members}
    if not resolved or any(mid in present for mid, _ in resolved):
        raise SandboxError("members must be given and not already in the group")
    now = corp.clock.time()
    last = member_version(chat)
    for mid, mtype in resolved:
        chat.members.append(ChatMember(mid, mtype, now, join_scene, inv, group_nickname))
    chat.version += 1
    # The event numbers join scenes differently: 0 invited directly or by link, 3 QR code.
    extra = {
        "UpdateDetail": "add_member",
        "JoinScene": 3 if join_scene == 3 else 0,
        "MemChangeCnt": len(resolved),
        "MemChangeList": {"Item": [mid for mid, _ in resolved]},
        "LastMemVer": last,
        "CurMemVer": member_version(chat),
    }
    corp.emit(external_chat_event(corp, chat.chat_id, "update", extra, source=SOURCE_SANDBOX))
    return {"chat_id": chat.chat_id, "member_version": member_version(chat)}


def leave_group(
    corp: Corp, chat_id: str, member_ids: list[str], *, quit_scene: int = 0
) -> dict[str, Any]:
    """Members leave (0) or are removed (1): ``change_external_chat`` / ``del_member``."""
    chat = _chat(corp, chat_id)
    if quit_scene not in (0, 1):
        raise SandboxError("quit_scene must be 0 (left) or 1 (removed by owner/admin)")
    ids = [_member_type(corp, m)[0] for m in member_ids]
    present = {m.userid for m in chat.members}
    if not ids or any(mid not in present for mid in ids):
        raise SandboxError("members must be given and be in the group")
    if userid_of(corp, chat.owner) in ids:
        raise SandboxError("the owner cannot leave; dismiss the group instead")
    last = member_version(chat)
    chat.members = [m for m in chat.members if m.userid not in ids]
    chat.admin_list = [a for a in chat.admin_list if userid_of(corp, a) not in ids]
    chat.version += 1
    extra = {
        "UpdateDetail": "del_member",
        "QuitScene": quit_scene,
        "MemChangeCnt": len(ids),
        "MemChangeList": {"Item": ids},
        "LastMemVer": last,
        "CurMemVer": member_version(chat),
    }
    corp.emit(external_chat_event(corp, chat.chat_id, "update", extra, source=SOURCE_SANDBOX))
    return {"chat_id": chat.chat_id, "member_version": member_version(chat)}


def dismiss_group(corp: Corp, chat_id: str) -> None:
    """The owner dismisses the group: ``change_external_chat`` / ``dismiss`` (then 49008)."""
    chat = _chat(corp, chat_id)
    chat.dismissed = True
    corp.emit(external_chat_event(corp, chat.chat_id, "dismiss", source=SOURCE_SANDBOX))
