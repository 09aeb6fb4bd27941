"""Customers and their follow relations (客户): the ``externalcontact/get`` and
``batch/get_by_user`` renderings, the reads, and the member's writes (remark, mark_tag).

No HTTP here. Reads take the caller's agent (None for the customer-contact system secret):
the real API only considers follow users inside the app's visibility.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.events import SOURCE_API
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact.models import (
    CURSOR_ERRCODE,
    Customer,
    ExternalStore,
    Follow,
    decode_cursor,
    encode_cursor,
    external_contact,
    external_contact_event,
    in_view,
    require_customer,
    require_follow,
    require_member,
    userid_of,
    visible_keys,
)

FOLLOW_USER_PAGE = 500  # externalcontact/get pages follow_user beyond 500
CUSTOMER_TAG_LIMIT = 3000  # corp tags on one customer (40144)


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------
def contact_dict(c: Customer) -> dict[str, Any]:
    """``external_contact`` as the API returns it (a copy: callers may mutate responses)."""
    return dict(c.view)


def _tags_of(st: ExternalStore, f: Follow) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tid in f.tag_ids:
        tag = st.tags.get(tid)
        if tag is None or tag.deleted:
            continue
        group = st.tag_groups[tag.group_id]
        out.append({"group_name": group.group_name, "tag_name": tag.name, "tag_id": tid, "type": 1})
    for p in f.personal_tags:
        out.append({"group_name": p.get("group_name", ""), "tag_name": p["tag_name"], "type": 2})
    return out


def _follow_common(corp: Corp, f: Follow) -> dict[str, Any]:
    return {
        "userid": userid_of(corp, f.user),
        "remark": f.remark,
        "description": f.description,
        "createtime": f.createtime,
    }


def _follow_tail(f: Follow, out: dict[str, Any]) -> dict[str, Any]:
    out["remark_corp_name"] = f.remark_corp_name
    out["remark_mobiles"] = list(f.remark_mobiles)
    out["oper_userid"] = f.oper_userid
    out["add_way"] = f.add_way
    if f.state:
        out["state"] = f.state
    return out


def follow_user_dict(corp: Corp, st: ExternalStore, f: Follow) -> dict[str, Any]:
    """An element of ``externalcontact/get``'s ``follow_user``."""
    out = _follow_common(corp, f)
    out["tags"] = _tags_of(st, f)
    return _follow_tail(f, out)


def follow_info_dict(
    corp: Corp, st: ExternalStore, f: Follow, users: dict[str, cm.User] | None = None
) -> dict[str, Any]:
    """``batch/get_by_user``'s ``follow_info``: corp tag ids only, no personal tags."""
    tags = st.tags
    user = (cm.contacts(corp).users if users is None else users).get(f.user)
    out: dict[str, Any] = {
        "userid": user.userid if user is not None else f.user,
        "remark": f.remark,
        "description": f.description,
        "createtime": f.createtime,
        "tag_id": [t for t in f.tag_ids if t in tags and not tags[t].deleted],
        "remark_corp_name": f.remark_corp_name,
        "remark_mobiles": list(f.remark_mobiles),
        "oper_userid": f.oper_userid,
        "add_way": f.add_way,
    }
    if f.state:
        out["state"] = f.state
    return out


# ---------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------
def follow_user_list(corp: Corp, agent: Agent | None) -> list[str]:
    keys = visible_keys(corp, agent)
    users = cm.contacts(corp).users
    return [
        users[k].userid
        for k in external_contact(corp).follow_users
        if k in users and in_view(keys, k)
    ]


def customers_of(corp: Corp, agent: Agent | None, userid: Any) -> list[str]:
    user = require_member(corp, userid, visible_keys(corp, agent))
    st = external_contact(corp)
    rels = st.by_user.get(user.key, [])
    if user.key not in st.follow_users or not rels:
        # 2019 capture: a member who is no follow user (or has no customer) gets 84061 and
        # keeps the empty list.
        raise WeComError(84061, extra={"external_userid": []})
    return [f.external_userid for f in rels]


def get_customer(
    corp: Corp, agent: Agent | None, external_userid: Any, cursor: str | None
) -> dict[str, Any]:
    st = external_contact(corp)
    empty: dict[str, Any] = {"follow_user": []}
    customer = st.customers.get(external_userid) if isinstance(external_userid, str) else None
    if customer is None:
        raise WeComError(40096, extra=empty)
    keys = visible_keys(corp, agent)
    users = cm.contacts(corp).users
    follows = sorted(
        (
            f
            for f in st.follows.get(customer.external_userid, {}).values()
            if f.user in users and in_view(keys, f.user)
        ),
        key=lambda f: f.seq,
    )
    if not follows:
        # A customer nobody follows any more: 84061 (2022 capture). Follow users that all lie
        # outside the app's visibility: 40096 (doc 90313 help; no capture, unconfirmed).
        if any(f.user in users for f in st.follows.get(customer.external_userid, {}).values()):
            raise WeComError(40096, extra=empty)
        raise WeComError(84061, extra=empty)
    start = 0
    if cursor:
        _, last = decode_cursor(corp.corpid, "get", customer.external_userid, cursor)
        start = bisect_right(follows, last, key=lambda f: f.seq)
    page = follows[start : start + FOLLOW_USER_PAGE]
    out: dict[str, Any] = {
        "external_contact": contact_dict(customer),
        "follow_user": [follow_user_dict(corp, st, f) for f in page],
    }
    if start + FOLLOW_USER_PAGE < len(follows):
        out["next_cursor"] = encode_cursor(
            corp.corpid, "get", customer.external_userid, 0, page[-1].seq
        )
    return out


def batch_by_user(
    corp: Corp, agent: Agent | None, userids: list[str], cursor: str | None, limit: int
) -> dict[str, Any]:
    """One page of (customer, follow user) pairs for up to 100 members.

    Order: members in request order, each member's relations by creation. The cursor holds
    (member index, last relation seq), so a relation that existed when paging started is
    returned exactly once, however many are added or deleted meanwhile; relations added
    during paging are returned at most once (if their member has not been passed yet).
    """
    st = external_contact(corp)
    contacts = cm.contacts(corp)
    keys = visible_keys(corp, agent)
    order: list[str] = []
    seen: set[str] = set()
    known = 0
    users = contacts.users
    for uid in userids:
        key = uid.lower()
        if key not in users:
            continue
        known += 1
        if key in seen or not in_view(keys, key):
            continue
        seen.add(key)
        order.append(key)
    if not known:
        raise WeComError(60111)
    filters = ",".join(u.lower() for u in userids)
    index, last = 0, 0
    if cursor:
        index, last = decode_cursor(corp.corpid, "batch", filters, cursor)
        if index > len(order):
            raise WeComError(CURSOR_ERRCODE)
    result: list[dict[str, Any]] = []
    next_cursor = ""
    while index < len(order):
        rels = st.by_user.get(order[index], [])
        pos = bisect_right(rels, last, key=lambda f: f.seq) if last else 0
        room = limit - len(result)
        chunk = rels[pos : pos + room]
        customers = st.customers
        for f in chunk:
            result.append(
                {
                    "external_contact": dict(customers[f.external_userid].view),
                    "follow_info": follow_info_dict(corp, st, f, users),
                }
            )
        if len(result) >= limit:
            if pos + len(chunk) < len(rels):
                next_cursor = encode_cursor(corp.corpid, "batch", filters, index, chunk[-1].seq)
            elif any(st.by_user.get(k) for k in order[index + 1 :]):
                next_cursor = encode_cursor(corp.corpid, "batch", filters, index + 1, 0)
            break
        index += 1
        last = 0
    return {"external_contact_list": result, "next_cursor": next_cursor}


# ---------------------------------------------------------------------------------------
# Follow-relation writes (API: no change_external_contact callback per doc 92130)
# ---------------------------------------------------------------------------------------
def _check_len(value: Any, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise WeComError(40058, f"{name} expect string.", json_warning=True)
    if len(value) > limit:
        raise param_error(name, f"exceed max length {limit}")
    return value


def remark(
    corp: Corp,
    agent: Agent | None,
    body: dict[str, Any],
    *,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> None:
    user = require_member(corp, body.get("userid"), visible_keys(corp, agent))
    customer = require_customer(corp, body.get("external_userid"))
    follow = require_follow(corp, user, customer.external_userid)
    new_remark = _check_len(body.get("remark"), "remark", 20)
    description = _check_len(body.get("description"), "description", 150)
    company = _check_len(body.get("remark_company"), "remark_company", 20)
    pic = _check_len(body.get("remark_pic_mediaid"), "remark_pic_mediaid", 256)
    mobiles = body.get("remark_mobiles")
    if mobiles is not None:
        if not isinstance(mobiles, list) or not all(isinstance(m, str) for m in mobiles):
            raise WeComError(40058, "remark_mobiles expect array of string.", json_warning=True)
        if len(mobiles) > 5:
            raise param_error("remark_mobiles", "exceed max size 5")
    if all(v in (None, "") for v in (new_remark, description, company, pic)) and not mobiles:
        raise param_error(
            "remark",
            "remark, description, remark_company, remark_mobiles, remark_pic_mediaid all empty",
        )
    if pic:
        from mock_server.services.messaging.media.models import require_media

        require_media(corp, pic, types=("image",))
    # mutate
    if new_remark is not None:
        follow.remark = new_remark
    if description is not None:
        follow.description = description
    if company is not None and customer.type == 1:
        follow.remark_corp_name = company  # only effective for WeChat customers
    if pic is not None:
        follow.remark_pic_mediaid = pic
    if mobiles is not None:
        follow.remark_mobiles = [m for m in mobiles if m]
    _emit_edit(corp, follow, actor_scope, actor_agentid)


def _emit_edit(
    corp: Corp, follow: Follow, actor_scope: str | None, actor_agentid: int | None
) -> None:
    # The real API sends no callback for API-made changes (92130); emitted with
    # source=api so the dispatcher can apply that rule (and tests can observe the change).
    corp.emit(
        external_contact_event(
            corp,
            "edit_external_contact",
            userid_of(corp, follow.user),
            follow.external_userid,
            source=SOURCE_API,
            actor_scope=actor_scope,
            actor_agentid=actor_agentid,
        )
    )


def mark_tag(
    corp: Corp,
    agent: Agent | None,
    body: dict[str, Any],
    *,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> None:
    st = external_contact(corp)
    user = require_member(corp, body.get("userid"), visible_keys(corp, agent))
    customer = require_customer(corp, body.get("external_userid"))
    follow = require_follow(corp, user, customer.external_userid)
    add = _tag_id_list(body, "add_tag")
    remove = _tag_id_list(body, "remove_tag")
    if not add and not remove:
        raise param_error("add_tag", "and remove_tag both empty")
    for tid in add + remove:
        tag = st.tags.get(tid)
        if tag is None or tag.deleted:
            raise WeComError(40068)
    new_ids = [t for t in follow.tag_ids if t not in remove]
    for tid in add:
        if tid not in new_ids and tid not in remove:
            new_ids.append(tid)
    if len(new_ids) > CUSTOMER_TAG_LIMIT:
        raise WeComError(40144)
    follow.tag_ids = new_ids
    _emit_edit(corp, follow, actor_scope, actor_agentid)


def _tag_id_list(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WeComError(40058, f"{key} expect array of string.", json_warning=True)
    return list(dict.fromkeys(value))
