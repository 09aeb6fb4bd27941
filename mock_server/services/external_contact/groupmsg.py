"""Mass messaging 企业群发 (docs 92135, 93338, 97610, 97611). No HTTP here.

``add_msg_template`` only creates a task per member; nothing reaches a customer until the
member confirms in the client (the sandbox action ``confirm``). A customer (or customer
group) receives at most one mass message per Beijing-time day; later ones get send status 3.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.params import get_int, get_list, get_obj, get_str
from mock_server.core.state import Agent, Corp
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.attachments import parse_message
from mock_server.services.external_contact.paging import Page, Rendered, rendered
from mock_server.services.external_contact.sandbox import SandboxError
from mock_server.services.external_contact.scrm_store import (
    DAY,
    GroupMsg,
    day_of,
    deliver,
    external_scrm,
    limit_or_default,
    member_or_resigned,
    new_msg_id,
    next_cursor,
    page_cursor,
)

EXTERNAL_MAX = 10_000
CHATS_MAX = 2000
TAGS_PER_GROUP_MAX = 100
REMINDS_PER_DAY = 3
LIST_SPAN_MAX = 31 * DAY  # "span of at most one month"
LIST_DEFAULT, LIST_MAX = 50, 100
TASK_DEFAULT, TASK_MAX = 500, 1000
LEGACY_DEFAULT = LEGACY_MAX = 10_000


def _tag_groups(body: dict[str, Any]) -> list[list[str]]:
    tag_filter = get_obj(body, "tag_filter")
    if tag_filter is None:
        return []
    groups = get_list(tag_filter, "group_list") or []
    out: list[list[str]] = []
    for g in groups:
        tags = g.get("tag_list") if isinstance(g, dict) else None
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise param_error("tag_filter.group_list.tag_list", "expect array of string")
        if len(tags) > TAGS_PER_GROUP_MAX:
            raise param_error("tag_filter.group_list.tag_list", "exceed max size 100")
        if tags:
            out.append(tags)
    return out


def _matches(tag_ids: list[str], groups: list[list[str]]) -> bool:
    """OR inside a group, AND across groups."""
    have = set(tag_ids)
    return all(have.intersection(g) for g in groups)


def _route(corp: Corp, keys: Any, eid: str, sender: str | None) -> m.Follow | None:
    """The follow relation a customer's message goes through: the sender's, or the visible
    follow user who interacted last (approximated by the newest relation)."""
    rels = m.external_contact(corp).follows.get(eid, {})
    if sender is not None:
        f = rels.get(sender)
        return f if f is not None and not f.deleted_by_customer else None
    live = [
        f
        for f in rels.values()
        if not f.deleted_by_customer
        and f.user in m.cm.contacts(corp).users
        and m.in_view(keys, f.user)
    ]
    return max(live, key=lambda f: (f.createtime, f.seq)) if live else None


def add_msg_template(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    chat_type = get_str(body, "chat_type") or "single"
    if chat_type not in ("single", "group"):
        raise param_error("chat_type", "invalid")
    text, attachments = parse_message(corp, body)
    keys = m.visible_keys(corp, agent)
    sender_id = get_str(body, "sender")
    sender = m.require_member(corp, sender_id, keys) if sender_id is not None else None
    fail: list[str] = []
    tasks: dict[str, dict[str, Any]] = {}
    sends: list[dict[str, Any]] = []
    chat_ids: list[str] = []
    users = m.cm.contacts(corp).users
    if chat_type == "single":
        ids = get_list(body, "external_userid", item=str)
        if ids is not None and len(ids) > EXTERNAL_MAX:
            raise param_error("external_userid", f"exceed max size {EXTERNAL_MAX}")
        groups = _tag_groups(body)
        if not ids and not groups and sender is None:
            raise param_error("sender", "external_userid and tag_filter all empty")
        skey = sender.key if sender is not None else None
        pairs: list[tuple[str, str]] = []
        if ids:
            for eid in dict.fromkeys(ids):
                f = _route(corp, keys, eid, skey)
                if f is None:
                    fail.append(eid)
                else:
                    pairs.append((f.user, eid))
        else:
            st = m.external_contact(corp)
            candidates = (
                [f.external_userid for f in st.by_user.get(skey, [])] if skey else list(st.follows)
            )
            for eid in candidates:
                f = _route(corp, keys, eid, skey)
                if f is not None and _matches(f.tag_ids, groups):
                    pairs.append((f.user, eid))
        for key, eid in pairs:
            userid = users[key].userid
            tasks.setdefault(userid, {"status": 0})
            sends.append({"external_userid": eid, "userid": userid, "status": 0})
    else:
        if sender is None:
            raise param_error("sender", "missing")
        wanted = get_list(body, "chat_id_list", item=str) or []
        if len(wanted) > CHATS_MAX:
            raise param_error("chat_id_list", f"exceed max size {CHATS_MAX}")
        chats = m.external_contact(corp).chats
        for cid in dict.fromkeys(wanted):
            chat = chats.get(cid)
            if chat is None or chat.dismissed or chat.owner != sender.key:
                fail.append(cid)
            else:
                chat_ids.append(cid)
        if wanted and not chat_ids:
            raise WeComError(41048, extra={"fail_list": fail})
        tasks[sender.userid] = {"status": 0}
    if not tasks:
        raise WeComError(41048, extra={"fail_list": fail})
    # mutate
    msg = GroupMsg(
        msgid=new_msg_id(corp, "groupmsg"),
        chat_type=chat_type,
        create_time=corp.clock.time(),
        text=text,
        attachments=attachments,
        tasks=tasks,
        chat_ids=chat_ids,
    )
    for row in sends:
        msg.sends.setdefault(row["userid"], []).append(row)
    external_scrm(corp).groupmsgs[msg.msgid] = msg
    return {"fail_list": fail, "msgid": msg.msgid}


def require_msg(corp: Corp, body: dict[str, Any]) -> GroupMsg:
    msgid = get_str(body, "msgid", missing=41046)
    msg = external_scrm(corp).groupmsgs.get(msgid or "")
    if msg is None:
        raise WeComError(41047)
    return msg


def confirm(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """The member confirms the mass message in the client: it is sent to each recipient
    that is still a customer and has not received another mass message that day."""
    msg = external_scrm(corp).groupmsgs.get(payload.get("msgid") or "")
    if msg is None:
        raise SandboxError(f"unknown msgid {payload.get('msgid')!r}")
    user = m.cm.contacts(corp).find_user(payload.get("userid") or "")
    task = msg.tasks.get(user.userid) if user is not None else None
    if user is None or task is None:
        raise SandboxError("this member has no task in this mass message")
    if msg.cancelled:
        raise SandboxError("the mass message was cancelled")
    if task["status"] == 2:
        raise SandboxError("the member already sent this mass message")
    now = corp.clock.time()
    today = day_of(now)
    received = external_scrm(corp).received_day
    if msg.chat_type == "group":
        picked = payload.get("chat_ids", msg.chat_ids)
        if not isinstance(picked, list) or not picked:
            raise SandboxError("give chat_ids: the groups the member picks")
        chats = m.external_contact(corp).chats
        for cid in picked:
            chat = chats.get(cid)
            if chat is None or chat.dismissed or chat.owner != user.key:
                raise SandboxError(f"{cid!r} is not a live group owned by {user.userid}")
        rows = [{"chat_id": cid, "userid": user.userid, "status": 0} for cid in picked]
        msg.sends[user.userid] = rows
    rows = msg.sends.get(user.userid, [])
    exclude = set(payload.get("exclude") or [])
    counts = {0: 0, 1: 0, 2: 0, 3: 0}
    done: list[dict[str, Any]] = []  # new rows: a row list is replaced, never edited
    for row in rows:
        row = dict(row)
        done.append(row)
        target = row.get("external_userid") or row["chat_id"]
        if target in exclude:
            counts[0] += 1
            continue
        if "external_userid" in row:
            f = m.external_contact(corp).follows.get(target, {}).get(user.key)
            if f is None or f.deleted_by_customer:
                row["status"] = 2
                counts[2] += 1
                continue
        if received.get(target) == today:
            row["status"] = 3
            counts[3] += 1
            continue
        row["status"] = 1
        row["send_time"] = now
        received[target] = today
        counts[1] += 1
        if "external_userid" in row:
            deliver(corp, target, user.userid, "groupmsg", _content(msg))
    msg.sends[user.userid] = done
    task["status"] = 2
    task["send_time"] = now
    return {
        "msgid": msg.msgid,
        "userid": user.userid,
        "sent": counts[1],
        "not_friend": counts[2],
        "quota_used": counts[3],
    }


def _content(msg: GroupMsg) -> dict[str, Any]:
    return {"msgid": msg.msgid, "text": msg.text, "attachments": msg.attachments}


# -- reads -------------------------------------------------------------------------------------
def list_v2(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    chat_type = get_str(body, "chat_type") or "single"
    if chat_type not in ("single", "group"):
        raise param_error("chat_type", "invalid")
    start = get_int(body, "start_time")
    end = get_int(body, "end_time")
    if start is None or end is None:
        raise param_error("start_time" if start is None else "end_time", "missing")
    if start > end or end - start > LIST_SPAN_MAX:
        raise param_error("end_time", "time range exceed one month")
    filter_type = get_int(body, "filter_type")
    filter_type = 2 if filter_type is None else filter_type
    if filter_type not in (0, 1, 2):
        raise param_error("filter_type", "exceed range [0, 2]")
    creator = get_str(body, "creator")
    limit = limit_or_default(get_int(body, "limit"), LIST_DEFAULT, LIST_MAX)
    rows = [
        g
        for g in external_scrm(corp).groupmsgs.values()
        if g.chat_type == chat_type
        and start <= g.create_time <= end
        and (filter_type == 2 or g.create_type == filter_type)
        and (creator is None or g.creator.lower() == creator.lower())
    ]
    filters = f"{chat_type}:{start}:{end}:{filter_type}:{creator}"
    offset = page_cursor(corp, "groupmsg_list", filters, body.get("cursor"), len(rows))
    page = rows[offset : offset + limit]
    out = []
    for g in page:
        item: dict[str, Any] = {"msgid": g.msgid}
        if g.creator:
            item["creator"] = g.creator
        item.update({"create_time": g.create_time, "create_type": g.create_type})
        if g.text:
            item["text"] = dict(g.text)
        item["attachments"] = [dict(a) for a in g.attachments]
        out.append(item)
    end_at = offset + len(page)
    return {
        "next_cursor": next_cursor(corp, "groupmsg_list", filters, end_at, len(rows)),
        "group_msg_list": out,
    }


def task_list(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    msg = require_msg(corp, body)
    keys = m.visible_keys(corp, agent)
    limit = limit_or_default(get_int(body, "limit"), TASK_DEFAULT, TASK_MAX)
    rows = [(u, t) for u, t in msg.tasks.items() if keys is None or u.lower() in keys]
    offset = page_cursor(corp, "groupmsg_task", msg.msgid, body.get("cursor"), len(rows))
    page = rows[offset : offset + limit]
    out = []
    for userid, t in page:
        item = {"userid": userid, "status": t["status"]}
        if t["status"] == 2:
            item["send_time"] = t["send_time"]
        out.append(item)
    end_at = offset + len(page)
    return {
        "next_cursor": next_cursor(corp, "groupmsg_task", msg.msgid, end_at, len(rows)),
        "task_list": out,
    }


def send_result(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> Page:
    msg = require_msg(corp, body)
    userid, key = member_or_resigned(corp, get_str(body, "userid"), m.visible_keys(corp, agent))
    limit = limit_or_default(get_int(body, "limit"), TASK_DEFAULT, TASK_MAX)
    source = msg.sends.get(userid, [])
    group = msg.chat_type == "group"

    def build(out: Rendered) -> None:
        for r in source:
            if not group or r["status"] == 1:  # unsent group rows do not exist yet
                out.add(r)

    rows = rendered(
        external_scrm(corp), ("groupmsg_send", msg.msgid, userid), source, len(source), build
    )
    total = len(rows.rows)
    filters = f"{msg.msgid}:{key}"
    offset = page_cursor(corp, "groupmsg_send", filters, body.get("cursor"), total)
    end_at = min(offset + limit, total)
    out = {
        "next_cursor": next_cursor(corp, "groupmsg_send", filters, end_at, total),
        "send_list": None,  # the rows, built only if read (``Page``)
    }
    return Page(out, "send_list", [rows.span(offset, end_at)], [(rows.rows, offset, end_at)])


def legacy_result(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    msg = require_msg(corp, body)
    keys = m.visible_keys(corp, agent)
    limit = limit_or_default(get_int(body, "limit"), LEGACY_DEFAULT, LEGACY_MAX)
    rows = [
        r for userid, rs in msg.sends.items() if keys is None or userid.lower() in keys for r in rs
    ]
    offset = page_cursor(corp, "groupmsg_legacy", msg.msgid, body.get("cursor"), len(rows))
    page = rows[offset : offset + limit]
    end_at = offset + len(page)
    return {
        "detail_list": [dict(r) for r in page],
        "next_cursor": next_cursor(corp, "groupmsg_legacy", msg.msgid, end_at, len(rows)),
    }


# -- remind / cancel ---------------------------------------------------------------------------
def remind(corp: Corp, body: dict[str, Any]) -> None:
    msg = require_msg(corp, body)
    if msg.cancelled:
        raise WeComError(41093)
    now = corp.clock.time()
    recent = [t for t in msg.reminds if now - t < DAY]
    if len(recent) >= REMINDS_PER_DAY:
        raise WeComError(41094)
    msg.reminds = [*recent, now]


def cancel(corp: Corp, body: dict[str, Any]) -> None:
    """Stops the task for members who have not sent; sent messages are not recalled."""
    msg = require_msg(corp, body)
    msg.cancelled = True
