"""Messaging state and rules: recipients, delivery into the inbox, duplicate check, quotas,
recall, card updates, app group chats and group robots. No HTTP here."""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.messaging.content import render_text

INBOX_LIMIT = 10_000  # delivered messages kept per corp (oldest dropped first)
SENT_LIMIT = 5_000  # msgids remembered for recall / duplicate check
RECALL_WINDOW = 24 * 3600
RESPONSE_CODE_TTL = 72 * 3600
DUPLICATE_DEFAULT = 1800
DUPLICATE_MAX = 4 * 3600
DUPLICATE_LIMIT = 20_000  # sends remembered for the duplicate check (oldest forgotten first)
MAX_USERS, MAX_PARTIES, MAX_TAGS = 1000, 100, 100
# Per app per member: 30/min and 1000/hour; excess is silently dropped (doc 90312).
MEMBER_PER_MINUTE, MEMBER_PER_HOUR = 30, 1000
ROBOT_PER_MINUTE = 20
APPCHAT_MIN, APPCHAT_MAX = 2, 2000
CHATID_RE = re.compile(r"^[0-9A-Za-z]+$")


@dataclass
class Message:
    """One delivered message in one recipient's inbox (a user, an app group chat or a robot's chat)."""

    seq: int
    kind: str  # "app" (message/send) | "appchat" | "robot"
    msgtype: str
    content: dict[str, Any]
    text: str
    time: int
    to: str | None = None  # userid (app messages)
    chat: str | None = None  # chatid (appchat) or the robot's chat id
    robot: str | None = None  # robot key
    agentid: int | None = None
    msgid: str | None = None
    safe: int = 0
    mentioned: list[str] = field(default_factory=list)
    recalled: bool = False
    updated: int = 0  # times the template card was replaced/updated

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "msgtype": self.msgtype,
            "to": self.to,
            "chat": self.chat,
            "robot": self.robot,
            "agentid": self.agentid,
            "msgid": self.msgid,
            "time": self.time,
            "safe": self.safe,
            "content": self.content,
            "text": self.text,
            "mentioned": list(self.mentioned),
            "recalled": self.recalled,
            "updated": self.updated,
        }

    def summary(self) -> str:
        target = self.to or (f"robot {self.robot}" if self.robot else f"chat {self.chat}")
        text = self.text.replace("\n", " ")
        if len(text) > 60:
            text = text[:57] + "..."
        flags = " (recalled)" if self.recalled else ""
        return f"#{self.seq} {self.kind} {self.msgtype} -> {target}: {text!r}{flags}"


@dataclass
class Sent:
    """A message/send call that delivered: what recall and card updates act on."""

    msgid: str
    agentid: int
    time: int
    recipients: list[str]  # user keys
    msgtype: str
    card_type: str | None = None


@dataclass
class ResponseCode:
    code: str
    msgid: str
    agentid: int
    expires_at: int
    used: bool = False


@dataclass
class AppChat:
    chatid: str
    name: str
    owner: str  # user key
    members: list[str]  # user keys, in join order
    agentid: int  # the creating app
    chat_type: int = 0


@dataclass
class Robot:
    key: str
    name: str
    chatid: str
    members: list[str]  # user keys of the chat the robot is in
    sends: list[int] = field(default_factory=list)  # delivery times in the last minute


@dataclass
class MessagingStore:
    inbox: list[Message] = field(default_factory=list)
    inbox_dropped: int = 0
    seq: int = 0
    sent: dict[str, Sent] = field(default_factory=dict)
    # digest key -> (time, msgid), oldest first; bounded by DUPLICATE_LIMIT and by the clock
    duplicates: OrderedDict[str, tuple[int, str]] = field(default_factory=OrderedDict)
    member_sends: dict[str, list[int]] = field(default_factory=dict)  # "agentid:user" -> times
    quota_dropped: int = 0
    # Recipients per app per day (UTC+8): "agentid:day" -> count (doc 90236 limits).
    daily_sends: dict[str, int] = field(default_factory=dict)
    response_codes: dict[str, ResponseCode] = field(default_factory=dict)
    task_ids: dict[str, str] = field(default_factory=dict)  # "agentid:task_id" -> msgid
    appchats: dict[str, AppChat] = field(default_factory=dict)
    robots: dict[str, Robot] = field(default_factory=dict)


def messaging(corp: Corp) -> MessagingStore:
    return corp.store("messaging")


# -- inbox ---------------------------------------------------------------------------------------
def deliver(corp: Corp, **fields: Any) -> Message:
    store = messaging(corp)
    store.seq += 1
    msg = Message(seq=store.seq, time=corp.clock.time(), **fields)
    store.inbox.append(msg)
    if len(store.inbox) > INBOX_LIMIT:
        drop = len(store.inbox) - INBOX_LIMIT
        del store.inbox[:drop]
        store.inbox_dropped += drop
    return msg


def query_inbox(
    corp: Corp,
    *,
    to: str | None = None,
    chat: str | None = None,
    robot: str | None = None,
    msgtype: str | None = None,
    since: float | None = None,
    agentid: int | None = None,
    kind: str | None = None,
) -> list[Message]:
    key = to.lower() if to else None
    out = []
    for m in messaging(corp).inbox:
        if key is not None and (m.to is None or m.to.lower() != key):
            continue
        if chat is not None and m.chat != chat:
            continue
        if robot is not None and m.robot != robot:
            continue
        if msgtype is not None and m.msgtype != msgtype:
            continue
        if since is not None and m.time < since:
            continue
        if agentid is not None and m.agentid != agentid:
            continue
        if kind is not None and m.kind != kind:
            continue
        out.append(m)
    return out


# -- recipients ----------------------------------------------------------------------------------
def split_ids(value: Any, field_name: str) -> list[str]:
    """``a|b|c`` -> ids; spaces around ``|`` are tolerated (doc examples contain them)."""
    if value is None or value == "":
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    if not isinstance(value, str):
        from mock_server.core.errors import json_type_error

        raise json_type_error(40058, f"{field_name} expect string.")
    return [p.strip() for p in value.split("|") if p.strip()]


@dataclass
class Recipients:
    users: list[str]  # user keys to deliver to, in order
    invalid_users: list[str]
    invalid_parties: list[str]
    invalid_tags: list[str]
    at_all: bool


def resolve_recipients(
    corp: Corp, agent: Agent, touser: list[str], toparty: list[str], totag: list[str]
) -> Recipients:
    """Expand users, departments and tags within the app's visible range."""
    if not touser and not toparty and not totag:
        raise WeComError(82001)
    if len(touser) > MAX_USERS:
        raise WeComError(40032)
    if len(toparty) > MAX_PARTIES:
        raise WeComError(82002)
    if len(totag) > MAX_TAGS:
        raise WeComError(82003)
    store = cm.contacts(corp)
    visible = cm.visible_user_keys(corp, agent)
    users: dict[str, None] = {}

    def add(key: str) -> None:
        u = store.users.get(key)
        if u is not None and key in visible and u.enable == 1 and u.status != 2:
            users[key] = None

    if "@all" in touser:
        for key in store.users:
            add(key)
        return Recipients(list(users), [], [], [], True)
    invalid_users: list[str] = []
    for uid in touser:
        u = store.find_user(uid)
        if u is None or u.key not in visible or u.enable != 1 or u.status == 2:
            invalid_users.append(uid.lower())
        else:
            add(u.key)
    visible_depts = cm.visible_departments(corp, agent)
    invalid_parties: list[str] = []
    for pid in toparty:
        dept = int(pid) if pid.isdecimal() else None
        if dept is None or dept not in store.departments or dept not in visible_depts:
            invalid_parties.append(pid)
            continue
        for u in store.users_in(dept, recursive=True):
            add(u.key)
    invalid_tags: list[str] = []
    for tid in totag:
        tag = store.tags.get(int(tid)) if tid.isdecimal() else None
        if tag is None:
            invalid_tags.append(tid)
            continue
        for key in tag.users:
            add(key)
        for dept in tag.parties:
            if dept in store.departments:
                for u in store.users_in(dept, recursive=True):
                    add(u.key)
    return Recipients(list(users), invalid_users, invalid_parties, invalid_tags, False)


def invalid_fields(rcpt: Recipients, *, party: bool, tag: bool) -> dict[str, str]:
    """The real response shape: ``invaliduser`` always (``""`` when none), the party/tag lists
    when parties/tags were given; all ``|``-joined strings."""
    out = {"invaliduser": "|".join(rcpt.invalid_users)}
    if party:
        out["invalidparty"] = "|".join(rcpt.invalid_parties)
    if tag:
        out["invalidtag"] = "|".join(rcpt.invalid_tags)
    return out


# -- quotas, duplicate check -----------------------------------------------------------------------
def within_member_quota(store: MessagingStore, agentid: int, user_key: str, now: int) -> bool:
    """Count one message for (app, member); False when it must be silently dropped."""
    key = f"{agentid}:{user_key}"
    times = store.member_sends.get(key)
    if times is None:
        times = store.member_sends[key] = []
    elif times and times[0] <= now - 3600:
        del times[: bisect.bisect_right(times, now - 3600)]
    if len(times) >= MEMBER_PER_HOUR:
        return False
    if len(times) - bisect.bisect_right(times, now - 60) >= MEMBER_PER_MINUTE:
        return False
    times.append(now)
    return True


DAILY_PER_ACCOUNT = 200  # an app may reach account limit x 200 recipients a day
DEFAULT_ACCOUNT_LIMIT = 200  # the corp's seat limit when settings.account_limit is unset


def within_daily_quota(corp: Corp, store: MessagingStore, agentid: int, n: int, now: int) -> bool:
    """Count ``n`` recipients against the app's daily quota; False (nothing counted) if over.

    Doc 90236: each app may send at most "account limit x 200" person-times a day (one
    call to 1000 members counts 1000). The answer past the limit is not documented: the
    whole call is refused with 45009 here (unconfirmed).
    """
    limit = int(corp.settings.get("account_limit", DEFAULT_ACCOUNT_LIMIT)) * DAILY_PER_ACCOUNT
    day = (now + 8 * 3600) // 86400
    key = f"{agentid}:{day}"
    used = store.daily_sends.get(key, 0)
    if used + n > limit:
        return False
    if key not in store.daily_sends:
        store.daily_sends = {k: v for k, v in store.daily_sends.items() if k.endswith(f":{day}")}
    store.daily_sends[key] = used + n
    return True


def new_msgid(corp: Corp) -> str:
    """An opaque 86-character URL-safe id like the real ones (seeded, one draw)."""
    n = corp.ids.randint(0, (1 << 512) - 1)
    return base64.urlsafe_b64encode(n.to_bytes(64, "big")).decode().rstrip("=")


def duplicate_key(agentid: int, body: dict[str, Any]) -> str:
    """A digest of the message (a 2 MB body must not be kept as its own key)."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return f"{agentid}:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def duplicate_interval(value: int | None) -> int:
    """Default 1800 s; capped at the documented maximum of 4 hours."""
    if value is None or value <= 0:
        return DUPLICATE_DEFAULT
    return min(value, DUPLICATE_MAX)


def find_duplicate(store: MessagingStore, key: str, interval: int, now: int) -> str | None:
    hit = store.duplicates.get(key)
    if hit is not None and now - hit[0] < interval:
        return hit[1]
    return None


def remember_sent(store: MessagingStore, sent: Sent, dup_key: str | None) -> None:
    store.sent[sent.msgid] = sent
    if len(store.sent) > SENT_LIMIT:
        oldest = next(iter(store.sent))
        del store.sent[oldest]
    if dup_key is not None:
        dups = store.duplicates
        dups[dup_key] = (sent.time, sent.msgid)
        dups.move_to_end(dup_key)
        cutoff = sent.time - DUPLICATE_MAX
        # Oldest first: drop what the clock expired and what is over the count (O(1) each).
        while dups:
            when, _msgid = next(iter(dups.values()))
            if len(dups) <= DUPLICATE_LIMIT and when > cutoff:
                break
            dups.popitem(last=False)


# -- recall, template card update ---------------------------------------------------------------------
def recall(corp: Corp, agentid: int | None, msgid: str) -> None:
    store = messaging(corp)
    sent = store.sent.get(msgid)
    if sent is None or sent.agentid != agentid:
        raise param_error("msgid", "invalid")
    if corp.clock.time() - sent.time > RECALL_WINDOW:
        raise WeComError(42052)
    for m in store.inbox:
        if m.msgid == msgid:
            m.recalled = True


def new_response_code(corp: Corp, msgid: str, agentid: int) -> str:
    store = messaging(corp)
    code = corp.ids.alnum(40)
    store.response_codes[code] = ResponseCode(
        code, msgid, agentid, corp.clock.time() + RESPONSE_CODE_TTL
    )
    return code


def use_response_code(corp: Corp, code: Any, agentid: int) -> tuple[ResponseCode, Sent]:
    store = messaging(corp)
    rc = store.response_codes.get(code) if isinstance(code, str) else None
    if rc is None or rc.used or corp.clock.time() >= rc.expires_at:
        raise WeComError(60140)
    if rc.agentid != agentid:
        raise WeComError(42015)
    sent = store.sent.get(rc.msgid)
    if sent is None:
        raise WeComError(60140)
    return rc, sent


# -- app group chats ------------------------------------------------------------------------------
def check_appchat_allowed(agent: Agent | None) -> None:
    """Only self-built apps whose visible range is the root department (else 48002).

    A fixture may also grant the ``appchat`` permission explicitly to an app without root
    visibility (the demo gives it to 1000002, which is root-visible anyway).
    """
    if agent is None:
        raise WeComError(48002)
    if cm.ROOT in agent.allow_party or "appchat" in agent.permissions:
        return
    raise WeComError(48002)


def get_appchat(corp: Corp, chatid: Any, agentid: int) -> AppChat:
    if chatid is None or chatid == "":
        raise WeComError(86201)
    if not isinstance(chatid, str):
        raise WeComError(86001)
    chat = messaging(corp).appchats.get(chatid)
    if chat is None:
        raise WeComError(86003)
    if chat.agentid != agentid:
        raise WeComError(86008)
    return chat


def _member_keys(corp: Corp, ids: list[Any], errcode: int) -> list[str]:
    store = cm.contacts(corp)
    out: list[str] = []
    for uid in ids:
        u = store.find_user(uid) if isinstance(uid, str) else None
        if u is None:
            raise WeComError(errcode)
        if u.key not in out:
            out.append(u.key)
    return out


def _check_name(name: Any) -> str:
    if name is None:
        return ""
    if not isinstance(name, str):
        raise WeComError(86004)
    return name[:50]  # longer names are truncated to 50 characters


def create_appchat(
    corp: Corp,
    agentid: int,
    *,
    name: Any,
    owner: Any,
    userlist: Any,
    chatid: Any,
) -> AppChat:
    store = messaging(corp)
    title = _check_name(name)
    if userlist is None or userlist == []:
        raise WeComError(86204)
    if not isinstance(userlist, list):
        raise WeComError(86007)
    members = _member_keys(corp, userlist, 86007)
    if not APPCHAT_MIN <= len(members) <= APPCHAT_MAX:
        raise WeComError(86006)
    if owner is None or owner == "":
        owner_key = members[corp.ids.randint(0, len(members) - 1)]
    else:
        u = cm.contacts(corp).find_user(owner) if isinstance(owner, str) else None
        if u is None:
            raise WeComError(86005)
        if u.key not in members:
            raise WeComError(86207)
        owner_key = u.key
    if chatid is None or chatid == "":
        new_id = "wr" + corp.ids.alnum(22)
    else:
        if isinstance(chatid, int) and not isinstance(chatid, bool):
            raise WeComError(86206)
        if not isinstance(chatid, str) or not CHATID_RE.match(chatid):
            raise WeComError(86001)
        if len(chatid) > 32:
            raise WeComError(86205)
        if chatid in store.appchats:
            raise WeComError(86215)
        new_id = chatid
    chat = AppChat(new_id, title, owner_key, members, agentid)
    store.appchats[new_id] = chat
    return chat


def update_appchat(
    corp: Corp,
    chat: AppChat,
    *,
    name: Any,
    owner: Any,
    add_user_list: Any,
    del_user_list: Any,
) -> None:
    title = _check_name(name) if name is not None else None
    store = cm.contacts(corp)
    add = add_user_list or []
    delete = del_user_list or []
    if not isinstance(add, list) or not isinstance(delete, list):
        raise WeComError(86216)
    add_keys = _member_keys(corp, add, 86216)
    del_keys = _member_keys(corp, delete, 86216)
    if any(k not in chat.members for k in del_keys):
        raise WeComError(86216)
    members = [k for k in chat.members if k not in del_keys]
    members += [k for k in add_keys if k not in members]
    if owner is not None and owner != "":
        u = store.find_user(owner) if isinstance(owner, str) else None
        if u is None:
            raise WeComError(86005)
        owner_key = u.key
    elif chat.owner in del_keys:
        raise WeComError(86203)
    else:
        owner_key = chat.owner
    if owner_key not in members:
        raise WeComError(86207)
    if not APPCHAT_MIN <= len(members) <= APPCHAT_MAX:
        raise WeComError(86006)
    if title is not None:
        chat.name = title
    chat.owner = owner_key
    chat.members = members


def appchat_info(corp: Corp, chat: AppChat) -> dict[str, Any]:
    users = cm.contacts(corp).users
    return {
        "chatid": chat.chatid,
        "name": chat.name,
        "owner": users[chat.owner].userid if chat.owner in users else chat.owner,
        "userlist": [users[k].userid if k in users else k for k in chat.members],
        "chat_type": chat.chat_type,
    }


# -- robots -------------------------------------------------------------------------------------
def find_robot(emulator_corps: dict[str, Corp], key: str) -> tuple[Corp, Robot] | None:
    for corp in emulator_corps.values():
        robot = messaging(corp).robots.get(key)
        if robot is not None:
            return corp, robot
    return None


def robot_allows(robot: Robot, now: int) -> bool:
    """The robot limit: 20 messages per rolling minute."""
    return len(robot.sends) - bisect.bisect_right(robot.sends, now - 60) < ROBOT_PER_MINUTE


def robot_sent(robot: Robot, now: int) -> None:
    del robot.sends[: bisect.bisect_right(robot.sends, now - 60)]
    robot.sends.append(now)


def deliver_text(corp: Corp, msgtype: str, content: dict[str, Any], **fields: Any) -> Message:
    return deliver(
        corp, msgtype=msgtype, content=content, text=render_text(msgtype, content), **fields
    )
