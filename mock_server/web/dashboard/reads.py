"""Read views of the sandbox for the admin API and the dashboard: plain functions, no Flask.

Each takes the emulator (and a corp id) and returns JSON-ready data. Times are unix seconds,
with an ``*_iso`` twin added by :func:`with_iso` where a human reads them.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Any

from mock_server.core import errors

if TYPE_CHECKING:
    from mock_server.core.state import Corp
    from mock_server.emulator import Emulator

# Keys whose numeric value is a unix time (the journal, messages, deliveries, approvals...).
TIME_KEYS = frozenset(
    {
        "time",
        "now",
        "create_time",
        "createtime",
        "apply_time",
        "sptime",
        "issued_at",
        "expires_at",
        "join_time",
        "created",
        "since",
    }
)
MAX_DEPTH = 12


def iso(ts: float) -> str:
    """China time (UTC+8, as the WeCom client shows it), to the second."""
    tz = _dt.timezone(_dt.timedelta(hours=8))
    return _dt.datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")


def with_iso(value: Any, _depth: int = 0) -> Any:
    """A copy where every ``time``-like number gets a ``<key>_iso`` string next to it."""
    if _depth > MAX_DEPTH:
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[k] = with_iso(v, _depth + 1)
            if (
                k in TIME_KEYS
                and isinstance(v, int | float)
                and not isinstance(v, bool)
                and 946684800 <= v < 4102444800
            ):
                out[f"{k}_iso"] = iso(v)
        return out
    if isinstance(value, list):
        return [with_iso(v, _depth + 1) for v in value]
    return value


def errcode_table() -> dict[str, Any]:
    """The errcode table the emulator answers with (generated rows plus the hand-maintained
    ones): meaning, Chinese errmsg, confirmed."""
    return {str(k): v for k, v in sorted(errors.errcode_table().items())}


def _values(d: dict[Any, Any]) -> Any:
    """A store dict's values without noting them as reached: these views change nothing, so
    the next write of a ``--state`` server need not compare every row again."""
    return dict.values(d)


def _corp(emu: Emulator, corpid: str | None) -> Corp:
    try:
        return emu.corp(corpid or None)
    except KeyError:
        raise LookupError(f"no corp {corpid!r}") from None


def departments(
    emu: Emulator, corpid: str | None = None, *, member_limit: int = 0
) -> list[dict[str, Any]]:
    """The department tree, depth-first, each with its direct members (userids, the first
    ``member_limit`` of them if set) and their count."""
    from mock_server.services.contacts.models import contacts

    corp = _corp(emu, corpid)
    with corp.lock:
        st = contacts(corp)
        members: dict[int, list[str]] = {}
        for u in _values(st.users):
            for d in u.department:
                members.setdefault(d, []).append(u.userid)
        out = []
        roots = [d.id for d in _values(st.departments) if d.parentid not in st.departments]
        for root in sorted(roots):
            for did in st.subtree(root):
                dept = st.departments[did]
                out.append(
                    {
                        "id": dept.id,
                        "name": dept.name,
                        "parentid": dept.parentid,
                        "order": dept.order,
                        "depth": st.depth(did),
                        "members": members.get(did, [])[: member_limit or None],
                        "member_count": len(members.get(did, [])),
                    }
                )
    return out


def members(
    emu: Emulator,
    corpid: str | None = None,
    *,
    department: int | None = None,
    limit: int = 0,
    offset: int = 0,
) -> dict[str, Any]:
    """Members with the fields a person looks for first, a page of them (``offset``,
    ``limit``); ``total`` counts them all."""
    from mock_server.services.contacts.models import contacts

    corp = _corp(emu, corpid)
    with corp.lock:
        users = list(_values(contacts(corp).users))
        if department is not None:
            users = [u for u in users if department in u.department]
        total = len(users)
        users = users[offset : offset + limit if limit else None]
        rows = [
            {
                "userid": u.userid,
                "name": u.name,
                "department": list(u.department),
                "position": u.position,
                "mobile": u.mobile,
                "email": u.email,
                "status": u.status,
                "enable": u.enable,
            }
            for u in users
        ]
    return {"members": rows, "total": total, "offset": offset}


def tags(emu: Emulator, corpid: str | None = None) -> list[dict[str, Any]]:
    from mock_server.services.contacts.models import contacts

    corp = _corp(emu, corpid)
    with corp.lock:
        st = contacts(corp)
        return [
            {
                "tagid": t.tagid,
                "tagname": t.tagname,
                "owner": t.owner,
                "users": [st.users[k].userid if k in st.users else k for k in t.users],
                "parties": list(t.parties),
            }
            for t in _values(st.tags)
        ]


def customers(
    emu: Emulator, corpid: str | None = None, *, limit: int = 0, offset: int = 0
) -> dict[str, Any]:
    """A page of customers (``offset``, ``limit``) with their follow users (remark, tags),
    the corp's customer tags and customer groups."""
    from mock_server.services.contacts.models import contacts
    from mock_server.services.external_contact.models import external_contact

    corp = _corp(emu, corpid)
    with corp.lock:
        ext = external_contact(corp)
        users = contacts(corp).users
        tag_names = {t.id: t.name for t in _values(ext.tags) if not t.deleted}
        rows = []
        all_customers = list(_values(ext.customers))
        total = len(all_customers)
        for c in all_customers[offset : offset + limit if limit else None]:
            follows = dict.get(ext.follows, c.external_userid, {})
            rows.append(
                {
                    "external_userid": c.external_userid,
                    "name": c.name,
                    "type": c.type,
                    "corp_name": c.corp_name,
                    "follow_users": [
                        {
                            "userid": users[f.user].userid if f.user in users else f.user,
                            "remark": f.remark,
                            "createtime": f.createtime,
                            "add_way": f.add_way,
                            "tags": [tag_names.get(t, t) for t in f.tag_ids],
                            "deleted_by_customer": f.deleted_by_customer,
                        }
                        for f in follows.values()
                    ],
                }
            )
        groups = [
            {
                "group_id": g.group_id,
                "group_name": g.group_name,
                "tags": [tag_names[t] for t in g.tag_ids if t in tag_names],
            }
            for g in _values(ext.tag_groups)
            if not g.deleted
        ]
        chats = [
            {
                "chat_id": ch.chat_id,
                "name": ch.name,
                "owner": users[ch.owner].userid if ch.owner in users else ch.owner,
                "members": len(ch.members),
                "create_time": ch.create_time,
                "dismissed": ch.dismissed,
            }
            for ch in _values(ext.chats)
        ]
    return {
        "customers": rows,
        "total": total,
        "offset": offset,
        "tag_groups": groups,
        "groupchats": chats,
    }


def company(
    emu: Emulator, corpid: str | None = None, *, limit: int = 200, member_limit: int = 30
) -> dict[str, Any]:
    """Everything the Company view shows for one corp: long lists cut at ``limit`` (the
    page loads more from ``/contacts/members`` and ``/external/overview``), each
    department's member list at ``member_limit``."""
    from mock_server.services.messaging.models import messaging

    corp = _corp(emu, corpid)
    with corp.lock:
        robots = [
            {"key": r.key, "name": r.name, "chatid": r.chatid, "members": list(r.members)}
            for r in _values(messaging(corp).robots)
        ]
        appchats = [
            {"chatid": c.chatid, "name": c.name, "owner": c.owner, "members": list(c.members)}
            for c in _values(messaging(corp).appchats)
        ]
    return {
        **corp.describe(),
        "robots": robots,
        "appchats": appchats,
        "departments": departments(emu, corp.corpid, member_limit=member_limit),
        **members(emu, corp.corpid, limit=limit),
        "tags": tags(emu, corp.corpid),
        "external": customers(emu, corp.corpid, limit=limit),
    }


def state_summary(emu: Emulator) -> dict[str, Any]:
    """Where the state is kept and a digest of it (equal digests: equal state)."""
    import hashlib

    fp = emu.state_fingerprint()
    digest = hashlib.sha256(
        json.dumps(fp, sort_keys=True, default=repr, ensure_ascii=False).encode()
    ).hexdigest()
    return {**emu.storage.info(), "fingerprint": digest}
