"""Customer contact (客户联系) domain: customers, follow relations, corp tags, customer groups.

No HTTP here. Writes validate first and mutate last. Reads take the caller's agent (None for
the customer-contact system secret) because only follow users inside the app's visibility
are considered by the real API.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from bisect import bisect_right
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.events import SOURCE_API, DomainEvent
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm

FOLLOW_USER_PAGE = 500  # externalcontact/get pages follow_user beyond 500
BATCH_USERS_MAX = 100
BATCH_LIMIT_DEFAULT = 50
BATCH_LIMIT_MAX = 100
GROUP_LIMIT_MAX = 1000
GROUP_OWNERS_MAX = 100
GROUP_VISIBLE_MAX = 1000  # groupchat/list without owner_filter: 81017 beyond this
# Doc 92117 (2024-2025 text): "每个企业最多可配置10000个企业标签". The 2024 errcode title
# of 40126 still said 3000; the 2025 title dropped the number, so the limit was raised.
CORP_TAG_LIMIT = 10000
CUSTOMER_TAG_LIMIT = 3000
NAME_MAX = 30
CURSOR_ERRCODE = 50100  # "分页查询的游标无效"; 60268 also exists (unconfirmed which is live)


@dataclass
class Customer:
    external_userid: str
    name: str
    type: int  # 1 WeChat user, 2 WeCom user
    gender: int = 0
    avatar: str = ""
    unionid: str = ""
    position: str = ""
    corp_name: str = ""
    corp_full_name: str = ""
    external_profile: dict[str, Any] | None = None
    # The rendered ``external_contact`` object (customers never change after creation).
    view: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.view = _render_contact(self)


@dataclass
class Follow:
    """One (member, customer) relation: what ``follow_user`` / ``follow_info`` show."""

    user: str  # contacts user key (lower-case userid)
    external_userid: str
    createtime: int
    seq: int  # corp-wide creation order: the cursor of batch/get_by_user
    remark: str = ""
    description: str = ""
    remark_corp_name: str = ""
    remark_mobiles: list[str] = field(default_factory=list)
    remark_pic_mediaid: str = ""
    add_way: int = 0
    state: str = ""
    oper_userid: str = ""
    tag_ids: list[str] = field(default_factory=list)
    personal_tags: list[dict[str, str]] = field(default_factory=list)
    # The customer deleted the member: the relation still counts for the member (84061 doc).
    deleted_by_customer: bool = False


@dataclass
class CorpTag:
    id: str
    name: str
    group_id: str
    create_time: int
    order: int = 0
    deleted: bool = False


@dataclass
class TagGroup:
    group_id: str
    group_name: str
    create_time: int
    order: int = 0
    owner: int | None = None  # agentid of the creating app; None = admin console / system secret
    tag_ids: list[str] = field(default_factory=list)
    deleted: bool = False


@dataclass
class ChatMember:
    userid: str  # member userid or external_userid
    type: int  # 1 internal member, 2 external contact
    join_time: int
    join_scene: int = 1  # 1 direct invite, 2 invite link, 3 group QR code
    invitor: str = ""
    group_nickname: str = ""
    state: str = ""  # the join way's state for members who joined through one


@dataclass
class GroupChat:
    chat_id: str
    name: str
    owner: str  # user key
    create_time: int
    seq: int
    notice: str = ""
    status: int = 0  # 0 normal, 1 owner resigned, 2 inheriting, 3 inherited
    members: list[ChatMember] = field(default_factory=list)
    admin_list: list[str] = field(default_factory=list)  # user keys
    version: int = 1
    dismissed: bool = False


class ExternalStore:
    """All customer-contact state of one corp (plain data)."""

    def __init__(self, corp: Corp) -> None:
        self.corpid = corp.corpid
        # Members with customer contact enabled (使用范围), user keys in insertion order.
        self.follow_users: dict[str, bool] = {}
        self.customers: dict[str, Customer] = {}
        # external_userid -> user key -> Follow (the same objects as in by_user).
        self.follows: dict[str, dict[str, Follow]] = {}
        # user key -> follows in ascending seq (append-only order, deletions removed).
        self.by_user: dict[str, list[Follow]] = {}
        self.tag_groups: dict[str, TagGroup] = {}
        self.tags: dict[str, CorpTag] = {}
        self.chats: dict[str, GroupChat] = {}
        self.welcome_codes: dict[str, dict[str, Any]] = {}
        self.seq = 0
        self.counters: dict[str, int] = {}

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def next_index(self, kind: str) -> int:
        n = self.counters.get(kind, 0)
        self.counters[kind] = n + 1
        return n


def store(corp: Corp) -> ExternalStore:
    return corp.store("external_contact")


# ---------------------------------------------------------------------------------------
# Ids: shaped like the real ones, stable for (corpid, seed, index)
# ---------------------------------------------------------------------------------------
def _alnum_digest(text: str, length: int) -> str:
    """``length`` (<= 43) alphanumerics derived from ``text``."""
    digest = hashlib.sha256(text.encode()).digest()
    return base64.b64encode(digest, altchars=b"Ab").decode()[:length]


@lru_cache(maxsize=64)
def _corp_part(corpid: str) -> str:
    # Real ids share a per-corp middle part (e.g. "AJ2GCAAA", "OgQhDgAA").
    return _alnum_digest("corp:" + corpid, 6) + "AA"


def make_id(corp: Corp, kind: str, index: int, prefix: str, length: int) -> str:
    """``prefix`` + per-corp part + hashed part + ``AAA``: 32 chars like ``woAJ2GCAAAXt...HAAA``."""
    unique = length - len(prefix) - 8 - 3
    body = _alnum_digest(f"{corp.corpid}:{corp.ids.seed}:{kind}:{index}", unique)
    return prefix + _corp_part(corp.corpid) + body + "AAA"


def new_external_userid(corp: Corp, ctype: int) -> str:
    # wm = WeChat user, wo = WeCom user: the mapping of prefix to type is (unconfirmed).
    st = store(corp)
    while True:
        eid = make_id(corp, "customer", st.next_index("customer"), "wm" if ctype == 1 else "wo", 32)
        if eid not in st.customers:
            return eid


def new_tag_id(corp: Corp) -> str:
    st = store(corp)
    while True:
        tid = make_id(corp, "tag", st.next_index("tag"), "et", 32)
        if tid not in st.tags and tid not in st.tag_groups:
            return tid


def new_chat_id(corp: Corp) -> str:
    st = store(corp)
    while True:
        cid = make_id(corp, "chat", st.next_index("chat"), "wr", 30)
        if cid not in st.chats:
            return cid


def member_version(chat: GroupChat) -> str:
    return hashlib.md5(f"{chat.chat_id}:{chat.version}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------
# Cursors: opaque 43-char strings like the real ones, bound to the query they came from
# ---------------------------------------------------------------------------------------
def _binding(corpid: str, kind: str, filters: str) -> bytes:
    return hashlib.sha256(f"{corpid}|{kind}|{filters}".encode()).digest()[:8]


_CURSOR_SALT = b"wecom-mock-cursor"


def _keystream(check: bytes) -> bytes:
    return hashlib.sha256(_CURSOR_SALT + check).digest()[:20]


def encode_cursor(corpid: str, kind: str, filters: str, index: int, seq: int) -> str:
    payload = _binding(corpid, kind, filters) + struct.pack(">IQ", index, seq)
    check = hashlib.sha256(_CURSOR_SALT + payload).digest()[:12]
    masked = bytes(a ^ b for a, b in zip(payload, _keystream(check), strict=True))
    return base64.urlsafe_b64encode(check + masked).decode().rstrip("=")


def decode_cursor(corpid: str, kind: str, filters: str, cursor: Any) -> tuple[int, int]:
    """(index, seq) of a cursor; a foreign, tampered or re-filtered cursor -> 50100."""
    if not isinstance(cursor, str) or len(cursor) != 43:
        raise WeComError(CURSOR_ERRCODE)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=")
    except (ValueError, TypeError):
        raise WeComError(CURSOR_ERRCODE) from None
    if len(raw) != 32:
        raise WeComError(CURSOR_ERRCODE)
    check = raw[:12]
    payload = bytes(a ^ b for a, b in zip(raw[12:], _keystream(check), strict=True))
    if hashlib.sha256(_CURSOR_SALT + payload).digest()[:12] != check or payload[:8] != _binding(
        corpid, kind, filters
    ):
        raise WeComError(CURSOR_ERRCODE)
    index, seq = struct.unpack(">IQ", payload[8:])
    return int(index), int(seq)


# ---------------------------------------------------------------------------------------
# Visibility and lookups
# ---------------------------------------------------------------------------------------
def visible_keys(corp: Corp, agent: Agent | None) -> AbstractSet[str] | None:
    """User keys the caller may see; None = everyone (customer-contact system secret)."""
    return None if agent is None else cm.visible_user_keys(corp, agent)


def _visible(keys: AbstractSet[str] | None, key: str) -> bool:
    return keys is None or key in keys


def require_customer(corp: Corp, external_userid: Any) -> Customer:
    customer = (
        store(corp).customers.get(external_userid) if isinstance(external_userid, str) else None
    )
    if customer is None:
        raise WeComError(40096)
    return customer


def require_member(corp: Corp, userid: Any, keys: AbstractSet[str] | None) -> cm.User:
    if userid is None or userid == "":
        raise WeComError(60111)
    user = cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
    if user is None:
        raise WeComError(60111)
    if not _visible(keys, user.key):
        # Out of the app's visibility (unconfirmed code for customer contact).
        raise WeComError(60011)
    return user


def require_follow(corp: Corp, user: cm.User, external_userid: str) -> Follow:
    follow = store(corp).follows.get(external_userid, {}).get(user.key)
    if follow is None:
        raise WeComError(84061)
    return follow


def userid_of(corp: Corp, key: str) -> str:
    user = cm.contacts(corp).users.get(key)
    return user.userid if user is not None else key


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------
def contact_dict(c: Customer) -> dict[str, Any]:
    """``external_contact`` as the API returns it (a copy: callers may mutate responses)."""
    return dict(c.view)


def _render_contact(c: Customer) -> dict[str, Any]:
    out: dict[str, Any] = {"external_userid": c.external_userid, "name": c.name}
    if c.type == 2:
        out["position"] = c.position
    out["avatar"] = c.avatar
    if c.type == 2:
        out["corp_name"] = c.corp_name
        out["corp_full_name"] = c.corp_full_name
    out["type"] = c.type
    out["gender"] = c.gender
    if c.type == 1 and c.unionid:
        out["unionid"] = c.unionid
    if c.type == 2 and c.external_profile is not None:
        out["external_profile"] = c.external_profile
    return out


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
    return [users[k].userid for k in store(corp).follow_users if k in users and _visible(keys, k)]


def customers_of(corp: Corp, agent: Agent | None, userid: Any) -> list[str]:
    user = require_member(corp, userid, visible_keys(corp, agent))
    st = store(corp)
    rels = st.by_user.get(user.key, [])
    if user.key not in st.follow_users or not rels:
        # 2019 capture: a member who is no follow user (or has no customer) gets 84061 and
        # keeps the empty list.
        raise WeComError(84061, extra={"external_userid": []})
    return [f.external_userid for f in rels]


def get_customer(
    corp: Corp, agent: Agent | None, external_userid: Any, cursor: str | None
) -> dict[str, Any]:
    st = store(corp)
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
            if f.user in users and _visible(keys, f.user)
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
    st = store(corp)
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
        if key in seen or not _visible(keys, key):
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
    st = store(corp)
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


# ---------------------------------------------------------------------------------------
# Events (data = XML elements after the common header, as callbacks.md §9 orders them)
# ---------------------------------------------------------------------------------------
def external_contact_event(
    corp: Corp,
    change_type: str,
    userid: str,
    external_userid: str,
    *,
    extra: dict[str, Any] | None = None,
    source: str,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> DomainEvent:
    data: dict[str, Any] = {
        "ChangeType": change_type,
        "UserID": userid,
        "ExternalUserID": external_userid,
    }
    data.update(extra or {})
    return DomainEvent(
        corpid=corp.corpid,
        kind="change_external_contact",
        data=data,
        time=corp.clock.time(),
        source=source,
        actor_scope=actor_scope,
        actor_agentid=actor_agentid,
    )


def external_chat_event(
    corp: Corp, chat_id: str, change_type: str, extra: dict[str, Any] | None = None, **kw: Any
) -> DomainEvent:
    data: dict[str, Any] = {"ChatId": chat_id, "ChangeType": change_type}
    data.update(extra or {})
    return DomainEvent(
        corpid=corp.corpid, kind="change_external_chat", data=data, time=corp.clock.time(), **kw
    )


def external_tag_event(
    corp: Corp, id: str, tag_type: str, change_type: str, **kw: Any
) -> DomainEvent:
    data = {"Id": id, "TagType": tag_type, "ChangeType": change_type}
    return DomainEvent(
        corpid=corp.corpid, kind="change_external_tag", data=data, time=corp.clock.time(), **kw
    )
