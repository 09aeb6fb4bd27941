"""Linked-corp (互联企业) endpoints: self-built apps only, thin over ``linked``."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import get_int
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP
from mock_server.core.services import APP_MESSAGES
from mock_server.services.contacts import models as cm
from mock_server.services.contacts_jobs import linked
from mock_server.services.contacts_jobs.handlers import api

READ_ERRCODES = (40058, 60003, 60011)


@api.endpoint("POST", "linkedcorp/agent/get_perm_list", scopes=(APP,), doc="93172")
def linkedcorp_perm_list(ctx: Context) -> dict[str, Any]:
    """Partner-corp members and departments in the app's visibility."""
    return linked.perm_list(ctx.corp, ctx.agentid)


@api.endpoint(
    "POST", "linkedcorp/user/get", scopes=(APP,), doc="93171", errcodes=(40058, 60011, 60111)
)
def linkedcorp_user_get(ctx: Context) -> dict[str, Any]:
    """A partner-corp member (``CORPID/USERID``)."""
    body = ctx.json()
    return {"user_info": linked.get_user(ctx.corp, ctx.agentid, body.get("userid"))}


def _fetch_child(body: dict[str, Any]) -> bool:
    value = body.get("fetch_child", 0)
    if value in (True, 1, "1"):
        return True
    if value in (False, 0, "0", None):
        return False
    raise param_error("fetch_child", "invalid")


@api.endpoint(
    "POST", "linkedcorp/user/simplelist", scopes=(APP,), doc="93168", errcodes=READ_ERRCODES
)
def linkedcorp_user_simplelist(ctx: Context) -> dict[str, Any]:
    """Members of a partner-corp department (``LINKEDID/DEPARTMENTID``)."""
    body = ctx.json()
    users = linked.list_users(
        ctx.corp,
        ctx.agentid,
        body.get("department_id"),
        _fetch_child(body),
        simple=True,
    )
    return {"userlist": users}


@api.endpoint("POST", "linkedcorp/user/list", scopes=(APP,), doc="93169", errcodes=READ_ERRCODES)
def linkedcorp_user_list(ctx: Context) -> dict[str, Any]:
    """Members of a partner-corp department, with details."""
    body = ctx.json()
    users = linked.list_users(
        ctx.corp,
        ctx.agentid,
        body.get("department_id"),
        _fetch_child(body),
        simple=False,
    )
    return {"userlist": users}


@api.endpoint(
    "POST", "linkedcorp/department/list", scopes=(APP,), doc="93170", errcodes=READ_ERRCODES
)
def linkedcorp_department_list(ctx: Context) -> dict[str, Any]:
    """A partner-corp department and its visible sub-departments."""
    body = ctx.json()
    depts = linked.list_departments(ctx.corp, ctx.agentid, body.get("department_id"))
    return {"department_list": depts}


def _str_list(body: dict[str, Any], key: str, limit: int) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise json_type_error(40058, f"{key} expect array.")
    if len(value) > limit:
        raise param_error(key, f"exceed max size {limit}")
    return [str(v) for v in value if not isinstance(v, dict | list)]


SEND_ERRCODES = (
    *(40004, 40007, 40008, 40056, 40058, 41006, 41010, 41011, 41016, 41033, 44004),
    *(45002, 45008, 81013, 90200, 90201, 90202, 90203, 90204, 90207, 301002),
)


@api.endpoint("POST", "linkedcorp/message/send", scopes=(APP,), doc="90250", errcodes=SEND_ERRCODES)
def linkedcorp_message_send(ctx: Context) -> dict[str, Any]:
    """Send an app message to own and partner-corp members (recipient lists are arrays)."""
    corp = ctx.corp
    body = ctx.json()
    msgtype = body.get("msgtype")
    if msgtype not in linked.MSGTYPES:
        raise WeComError(40008)
    raw_agentid = body.get("agentid")
    if raw_agentid is None or raw_agentid == "":
        raise WeComError(41011)
    agentid = get_int(body, "agentid", type_errcode=40056)
    if agentid not in corp.agents:
        raise WeComError(40056)
    if agentid != ctx.agentid:
        raise WeComError(301002)
    agent = corp.agents[agentid]
    touser = _str_list(body, "touser", linked.MAX_USERS)
    toparty = _str_list(body, "toparty", linked.MAX_PARTIES)
    totag = _str_list(body, "totag", linked.MAX_TAGS)
    toall = get_int(body, "toall") == 1
    safe = get_int(body, "safe") or 0
    messages = ctx.emulator.service(APP_MESSAGES)
    content = messages.check(corp, msgtype, body, safe=safe, agentid=agentid)
    store = cm.contacts(corp)
    own_users = cm.visible_user_keys(corp, agent)
    own_depts = cm.visible_departments(corp, agent)
    partner_depts, partner_users = linked.visible(corp, agentid)
    lstore = linked.linkedcorp(corp)
    targets: dict[str, str] = {}  # recipient key -> the id messages are addressed to
    invalid: dict[str, list[str]] = {"invaliduser": [], "invalidparty": [], "invalidtag": []}

    def add_partner(key: str) -> None:
        u = lstore.users[key]
        targets[key] = f"{u['corpid']}/{u['userid']}"

    for uid in touser:
        if "/" in uid:
            if uid.lower() in partner_users:
                add_partner(uid.lower())
            else:
                invalid["invaliduser"].append(uid.lower())
            continue
        user = store.find_user(uid)
        if user is None or user.key not in own_users:
            invalid["invaliduser"].append(uid.lower())
        else:
            targets[user.key] = user.userid
    for pid in toparty:
        if "/" in pid:
            lid, _, raw = pid.partition("/")
            d = int(raw) if raw.isdecimal() else -1
            if lid != lstore.linkedid or d not in partner_depts:
                invalid["invalidparty"].append(pid)
                continue
            sub = set(linked.subtree(lstore, d))
            for key in partner_users:
                if sub & set(lstore.users[key]["department"]):
                    add_partner(key)
            continue
        if not pid.isdecimal() or int(pid) not in store.departments or int(pid) not in own_depts:
            invalid["invalidparty"].append(pid)
            continue
        for u in store.users_in(int(pid), recursive=True):
            if u.key in own_users:
                targets[u.key] = u.userid
    for tid in totag:
        tag = store.tags.get(int(tid)) if tid.isdecimal() else None
        if tag is None:
            invalid["invalidtag"].append(tid)
            continue
        for k in tag.users:
            if k in own_users:
                targets[k] = store.users[k].userid
    if toall:
        targets.update({k: store.users[k].userid for k in own_users})
        for key in partner_users:
            add_partner(key)
    if not targets:
        raise WeComError(81013, extra=invalid)
    messages.send(corp, msgtype, content, list(targets.values()), agentid=agentid, safe=safe)
    return invalid
