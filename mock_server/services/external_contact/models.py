"""Customer contact (客户联系) records: customers, follow relations, corp tags, customer
groups, the store holding them, their ids, cursors, visibility, lookups and events.

No HTTP here. The resources' rules live in their own modules (``customers``, ``tags``,
``groups``, ``contact_ways``, ``transfers``, ...); this module is what they share.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import struct
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.events import DomainEvent
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm

BATCH_USERS_MAX = 100
BATCH_LIMIT_DEFAULT = 50
BATCH_LIMIT_MAX = 100
GROUP_LIMIT_MAX = 1000
GROUP_OWNERS_MAX = 100
GROUP_VISIBLE_MAX = 1000  # groupchat/list without owner_filter: 81017 beyond this
# Doc 92117 (2024-2025 text): "每个企业最多可配置10000个企业标签". The 2024 errcode title
# of 40126 still said 3000; the 2025 title dropped the number, so the limit was raised.
CORP_TAG_LIMIT = 10000
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


def external_contact(corp: Corp) -> ExternalStore:
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
    st = external_contact(corp)
    while True:
        eid = make_id(corp, "customer", st.next_index("customer"), "wm" if ctype == 1 else "wo", 32)
        if eid not in st.customers:
            return eid


def new_tag_id(corp: Corp) -> str:
    st = external_contact(corp)
    while True:
        tid = make_id(corp, "tag", st.next_index("tag"), "et", 32)
        if tid not in st.tags and tid not in st.tag_groups:
            return tid


def new_chat_id(corp: Corp) -> str:
    st = external_contact(corp)
    while True:
        cid = make_id(corp, "chat", st.next_index("chat"), "wr", 30)
        if cid not in st.chats:
            return cid


def member_version(chat: GroupChat) -> str:
    return hashlib.md5(f"{chat.chat_id}:{chat.version}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------
# Cursors: opaque 43-char strings like the real ones, bound to the query they came from
# ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)  # a pager asks for the same binding page after page
def _binding(corpid: str, kind: str, filters: str) -> bytes:
    return hashlib.sha256(f"{corpid}|{kind}|{filters}".encode()).digest()[:8]


_CURSOR_SALT = b"wecom-mock-cursor"


def _mask(data: bytes, check: bytes) -> bytes:
    """``data`` (20 bytes) XOR a keystream derived from ``check`` (one integer XOR)."""
    stream = hashlib.sha256(_CURSOR_SALT + check).digest()[:20]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(20, "big")


def encode_cursor(corpid: str, kind: str, filters: str, index: int, seq: int) -> str:
    payload = _binding(corpid, kind, filters) + struct.pack(">IQ", index, seq)
    check = hashlib.sha256(_CURSOR_SALT + payload).digest()[:12]
    masked = _mask(payload, check)
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
    payload = _mask(raw[12:], check)
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


def in_view(keys: AbstractSet[str] | None, key: str) -> bool:
    return keys is None or key in keys


def require_customer(corp: Corp, external_userid: Any) -> Customer:
    customer = (
        external_contact(corp).customers.get(external_userid)
        if isinstance(external_userid, str)
        else None
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
    if not in_view(keys, user.key):
        # Out of the app's visibility (unconfirmed code for customer contact).
        raise WeComError(60011)
    return user


def require_follow(corp: Corp, user: cm.User, external_userid: str) -> Follow:
    follow = external_contact(corp).follows.get(external_userid, {}).get(user.key)
    if follow is None:
        raise WeComError(84061)
    return follow


def userid_of(corp: Corp, key: str) -> str:
    user = cm.contacts(corp).users.get(key)
    return user.userid if user is not None else key


# ---------------------------------------------------------------------------------------
# Rendering (Customer.view)
# ---------------------------------------------------------------------------------------
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
