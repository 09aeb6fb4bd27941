"""The rest of the directory: invitations, the join QR code, 2FA approval, activity counts,
e-mail lookups and the open_userid converters. No HTTP here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.events import SOURCE_API, DomainEvent
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.contacts_jobs.sandbox import day_of, mark_active
from mock_server.services.contacts_jobs.store import contacts_jobs

MAX_INVITE_USERS, MAX_INVITE_PARTIES, MAX_INVITE_TAGS = 1000, 100, 100
QR_SIZES = (1, 2, 3, 4)
ACTIVE_STAT_DAYS = 30
MAX_OPEN_USERIDS = 1000


def _ids(value: Any, field: str) -> list[Any]:
    """A list of department/tag ids; numeric strings are accepted (WxJava sends them)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise json_type_error(40058, f"{field} expect array.")
    out: list[Any] = []
    for v in value:
        if isinstance(v, str) and v.strip().isdecimal():
            out.append(int(v))
        elif isinstance(v, int) and not isinstance(v, bool):
            out.append(v)
        else:
            out.append(v)  # reported back as invalid
    return out


def invite(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    """Invite unactivated members; unknown or invisible targets come back in the lists."""
    users = body.get("user") or []
    if not isinstance(users, list):
        raise json_type_error(40058, "user expect array.")
    parties = _ids(body.get("party"), "party")
    tags = _ids(body.get("tag"), "tag")
    if not users and not parties and not tags:
        raise WeComError(82001)
    if len(users) > MAX_INVITE_USERS:
        raise WeComError(40032)
    if len(parties) > MAX_INVITE_PARTIES:
        raise param_error("party", f"exceed max size {MAX_INVITE_PARTIES}")
    if len(tags) > MAX_INVITE_TAGS:
        raise param_error("tag", f"exceed max size {MAX_INVITE_TAGS}")
    store = cm.contacts(corp)
    visible_users = cm.visible_user_keys(corp, agent)
    visible_depts = cm.visible_departments(corp, agent)
    targets: list[cm.User] = []
    out: dict[str, Any] = {"invaliduser": [], "invalidparty": [], "invalidtag": []}
    for uid in users:
        user = store.find_user(uid) if isinstance(uid, str) else None
        if user is None or user.key not in visible_users:
            out["invaliduser"].append(uid if isinstance(uid, str) else str(uid))
        else:
            targets.append(user)
    for pid in parties:
        if not isinstance(pid, int) or pid not in store.departments or pid not in visible_depts:
            out["invalidparty"].append(pid)
        else:
            targets.extend(u for u in store.users_in(pid, recursive=True) if u.key in visible_users)
    for tagid in tags:
        tag = store.tags.get(tagid) if isinstance(tagid, int) else None
        if tag is None:
            out["invalidtag"].append(tagid)
            continue
        targets.extend(store.users[k] for k in tag.users if k in store.users and k in visible_users)
        for pid in tag.parties:
            if pid in store.departments:
                targets.extend(
                    u for u in store.users_in(pid, recursive=True) if u.key in visible_users
                )
    now = corp.clock.time()
    invited = contacts_jobs(corp).invited
    for user in targets:
        # Only members who have not joined yet get a notice; others are accepted silently.
        if user.status == 4 and user.enable:
            invited[user.key] = now
    return {k: v for k, v in out.items() if v}


def join_qrcode(corp: Corp, size_type: int) -> str:
    if size_type not in QR_SIZES:
        raise param_error("size_type", "invalid")
    vcode = corp.ids.hex(29)
    return (
        "https://work.weixin.qq.com/wework_admin/genqrcode?action=join"
        f"&vcode={vcode}&r=hb_share_api_mjoin&qr_size={size_type}"
    )


def authsucc(corp: Corp, userid: str, actor_scope: str | None) -> None:
    """Second-factor approval: a member waiting to join becomes active."""
    user = cm.contacts(corp).find_user(userid)
    if user is None:
        raise WeComError(60111)
    if user.status == 4 and user.enable:
        user.status = 1
        cm.contacts(corp).touch()
        contacts_jobs(corp).invited.pop(user.key, None)
        mark_active(corp, user)
        corp.emit(
            DomainEvent(
                corpid=corp.corpid,
                kind="change_contact",
                data={"ChangeType": "update_user", "UserID": user.userid, "Status": 1},
                time=corp.clock.time(),
                source=SOURCE_API,
                actor_scope=actor_scope,
            )
        )


def active_count(corp: Corp, date: str) -> int:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise param_error("date", "invalid") from None
    if len(date) != 10:
        raise param_error("date", "invalid")
    today = dt.date.fromisoformat(day_of(corp))
    if not today - dt.timedelta(days=ACTIVE_STAT_DAYS) <= day <= today:
        raise param_error("date", f"exceed range of {ACTIVE_STAT_DAYS} days")
    return len(contacts_jobs(corp).active_days.get(date, []))


def userid_by_email(corp: Corp, agent: Agent | None, email: str, email_type: int) -> str:
    if email_type not in (1, 2):
        raise param_error("email_type", "invalid")
    store = cm.contacts(corp)
    key = store.emails.get(email.lower())
    user = store.users.get(key) if key else None
    if user is not None:
        # 1 = the corp mailbox (biz_mail), 2 = the member's own e-mail.
        field = user.biz_mail if email_type == 1 else user.email
        if field.lower() != email.lower() or not cm.is_user_visible(corp, agent, user):
            user = None
    if user is None:
        raise WeComError(46004)
    return user.userid


def open_userid(corp: Corp, user: cm.User) -> str:
    """The open_userid ``user/get`` reports (one per corp in the emulator)."""
    return str(cm.user_dict(corp, user, None)["open_userid"])


def openuserid_to_userid(
    corp: Corp, agent: Agent | None, ids: list[Any], source_agentid: Any
) -> dict[str, Any]:
    if len(ids) > MAX_OPEN_USERIDS:
        raise param_error("open_userid_list", f"exceed max size {MAX_OPEN_USERIDS}")
    try:
        source = int(source_agentid)
    except (TypeError, ValueError):
        raise WeComError(40056) from None
    source_agent = corp.agents.get(source)
    if source_agent is None or isinstance(source_agentid, bool):
        raise WeComError(40056)
    mine = cm.visible_user_keys(corp, agent)
    theirs = cm.visible_user_keys(corp, source_agent)
    by_open = {
        open_userid(corp, u): u
        for k, u in cm.contacts(corp).users.items()
        if k in mine and k in theirs
    }
    found, invalid = [], []
    for oid in ids:
        user = by_open.get(oid) if isinstance(oid, str) else None
        if user is None:
            invalid.append(oid if isinstance(oid, str) else str(oid))
        else:
            found.append({"open_userid": oid, "userid": user.userid})
    out: dict[str, Any] = {"userid_list": found}
    if invalid:
        out["invalid_open_userid_list"] = invalid
    return out
