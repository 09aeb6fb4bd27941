"""Messaging endpoints: message/*, appchat/*, webhook/*, media/*. Thin handlers over ``models``."""

from __future__ import annotations

import re
from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import get_int, get_list, get_str
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, APPROVAL, AUTH_WEBHOOK, CONTACTS, EXTERNAL, Family
from mock_server.services.contacts import models as cm
from mock_server.services.messaging import content as c
from mock_server.services.messaging import models as m

api = Family("messaging")
ALL_SCOPES = (CONTACTS, APP, EXTERNAL, APPROVAL)

_ID_TRANS_RE = re.compile(r"\$(userName|departmentName)=([^$]+)\$")


def _translate_ids(ctx: Context, text: str) -> str:
    """``enable_id_trans``: ``$userName=ID$`` / ``$departmentName=ID$`` shown as names."""
    store = cm.contacts(ctx.corp)

    def repl(match: re.Match[str]) -> str:
        kind, ident = match.group(1), match.group(2)
        if kind == "userName":
            u = store.find_user(ident)
            return u.name if u else match.group(0)
        d = store.departments.get(int(ident)) if ident.isdecimal() else None
        return d.name if d else match.group(0)

    return _ID_TRANS_RE.sub(repl, text)


def _agent_for(ctx: Context, body: dict[str, Any]) -> int:
    """``agentid`` must be given (41011), exist (40056) and be the token's own app (301002)."""
    value = body.get("agentid")
    if value is None or value == "":
        raise WeComError(41011)
    try:
        agentid = get_int(body, "agentid", type_errcode=40056)
    except WeComError:
        raise WeComError(40056) from None
    assert agentid is not None
    if agentid not in ctx.corp.agents:
        raise WeComError(40056)
    if agentid != ctx.agentid:
        raise WeComError(301002)
    return agentid


def _flag(body: dict[str, Any], key: str) -> int:
    value = get_int(body, key)
    return value or 0


# -- message/send ---------------------------------------------------------------------------------
@api.endpoint(
    "POST",
    "message/send",
    scopes=(APP,),
    doc="90236",
    errcodes=tuple(
        sorted(
            {*c.CARD_ERRCODES, 40004, 40008, 40032, 40056, 40074, 41010, 41011, 41033}
            | {44004, 45002, 45008, 45009, 45032, 45034, 48002, 81013, 82001, 82002, 82003}
            | {90200, 90201, 90202, 90203, 90204, 90207, 301002}
        )
    ),
)
def message_send(ctx: Context) -> dict[str, Any]:
    """Send an app message to members, departments and tags (every msgtype)."""
    corp = ctx.corp
    body = ctx.json()
    msgtype = body.get("msgtype")
    if msgtype not in c.APP_MSGTYPES:
        raise WeComError(40008)
    agentid = _agent_for(ctx, body)
    agent = corp.agents[agentid]
    touser = m.split_ids(body.get("touser"), "touser")
    toparty = m.split_ids(body.get("toparty"), "toparty")
    totag = m.split_ids(body.get("totag"), "totag")
    safe = _flag(body, "safe")
    if msgtype == "miniprogram_notice" and "@all" in touser:
        raise param_error("touser", "@all not allowed for miniprogram_notice")
    content = c.check_content(corp, msgtype, body, safe=safe, agentid=agentid)
    rcpt = m.resolve_recipients(corp, agent, touser, toparty, totag)
    invalid = m.invalid_fields(
        rcpt, party=bool(toparty) and not rcpt.at_all, tag=bool(totag) and not rcpt.at_all
    )
    if not rcpt.users:
        raise WeComError(81013, extra=invalid)
    store = m.messaging(corp)
    now = ctx.now
    dup_key = None
    if _flag(body, "enable_duplicate_check") == 1:
        interval = m.duplicate_interval(get_int(body, "duplicate_check_interval"))
        dup_key = m.duplicate_key(agentid, body)
        previous = m.find_duplicate(store, dup_key, interval, now)
        if previous is not None:
            # A duplicate inside the window is not delivered again; the call still succeeds
            # (response for a suppressed duplicate is unconfirmed: we answer errcode 0 and
            # the first send's msgid).
            ctx.notes["duplicate_of"] = previous
            return {**invalid, "msgid": previous}
    card_type = content.get("card_type") if msgtype == "template_card" else None
    if card_type is not None and content.get("task_id"):
        task_key = f"{agentid}:{content['task_id']}"
        if task_key in store.task_ids:
            raise param_error("template_card.task_id", "existed")
    if not m.within_daily_quota(corp, store, agentid, len(rcpt.users), now):
        raise WeComError(45009)
    msgid = m.new_msgid(corp)
    text = c.render_text(msgtype, content)
    if _flag(body, "enable_id_trans") == 1:
        text = _translate_ids(ctx, text)
    dropped = []
    for key in rcpt.users:
        if not m.within_member_quota(store, agentid, key, now):
            dropped.append(key)
            continue
        m.deliver(
            corp,
            kind="app",
            msgtype=msgtype,
            content=content,
            text=text,
            to=cm.contacts(corp).users[key].userid,
            agentid=agentid,
            msgid=msgid,
            safe=safe,
        )
    if dropped:
        store.quota_dropped += len(dropped)
        ctx.notes["quota_dropped"] = dropped
    m.remember_sent(
        store, m.Sent(msgid, agentid, now, list(rcpt.users), msgtype, card_type), dup_key
    )
    out: dict[str, Any] = {**invalid, "msgid": msgid}
    if card_type is not None:
        if content.get("task_id"):
            store.task_ids[f"{agentid}:{content['task_id']}"] = msgid
        if c.has_response_code(content):
            out["response_code"] = m.new_response_code(corp, msgid, agentid)
    return out


@api.endpoint(
    "POST",
    "message/recall",
    scopes=(APP,),
    doc="94867",
    errcodes=(40058, 42052, 48002),
)
def message_recall(ctx: Context) -> None:
    """Recall an app message sent within the last 24 hours."""
    msgid = get_str(ctx.json(), "msgid", missing=40058)
    assert msgid is not None
    m.recall(ctx.corp, ctx.agentid, msgid)


def _card_keys(content: dict[str, Any]) -> set[str]:
    """Button keys a member can click on a card (buttons, action menu, submit button)."""
    keys = {b.get("key") for b in content.get("button_list") or [] if isinstance(b, dict)}
    menu = content.get("action_menu") or {}
    keys |= {a.get("key") for a in menu.get("action_list") or [] if isinstance(a, dict)}
    submit = content.get("submit_button") or {}
    keys.add(submit.get("key"))
    return {k for k in keys if isinstance(k, str) and k}


@api.endpoint(
    "POST",
    "message/update_taskcard",
    scopes=(APP,),
    errcodes=(40056, 41011, 42014, 42016, 42017, 48002, 301002),
)
def message_update_taskcard(ctx: Context) -> dict[str, Any]:
    """Legacy: show a task card as clicked (``clicked_key``) for some of its recipients."""
    corp = ctx.corp
    body = ctx.json()
    agentid = _agent_for(ctx, body)
    task_id = body.get("task_id")
    if not isinstance(task_id, str) or not c.TASK_ID_RE.match(task_id):
        raise WeComError(42014)
    store = m.messaging(corp)
    msgid = store.task_ids.get(f"{agentid}:{task_id}")
    sent = store.sent.get(msgid) if msgid is not None else None
    if sent is None:
        raise WeComError(42016)
    key = body.get("clicked_key")
    copies = [msg for msg in store.inbox if msg.msgid == sent.msgid]
    keys = set().union(*(_card_keys(msg.content) for msg in copies)) if copies else set()
    if not isinstance(key, str) or key not in keys:
        raise WeComError(42017)
    userids = get_list(body, "userids", item=str) or []
    users = cm.contacts(corp)
    targets: set[str] = set()
    invalid: list[str] = []
    for uid in userids:
        u = users.find_user(uid)
        if u is None or u.key not in sent.recipients:
            invalid.append(uid)
        else:
            targets.add(u.userid.lower())
    for msg in copies:
        if msg.to is not None and msg.to.lower() in targets:
            msg.content = {**msg.content, "clicked_key": key}
            msg.updated += 1
    return {"invaliduser": invalid}


@api.endpoint(
    "POST",
    "message/update_template_card",
    scopes=(APP,),
    doc="94888",
    errcodes=tuple(
        sorted({*c.CARD_ERRCODES, 40056, 41011, 42015, 48002, 60140, 82101, 82102, 301002})
    ),
)
def message_update_template_card(ctx: Context) -> dict[str, Any]:
    """Update a sent template card (disable its button, or replace the card) via response_code."""
    corp = ctx.corp
    body = ctx.json()
    agentid = _agent_for(ctx, body)
    code = body.get("response_code")
    if not code:
        raise WeComError(60140)
    userids = get_list(body, "userids", item=str) or []
    partyids = get_list(body, "partyids", item=int) or []
    tagids = get_list(body, "tagids", item=int) or []
    atall = _flag(body, "atall") == 1
    button = body.get("button")
    new_card = body.get("template_card")
    if new_card is not None:
        if not isinstance(new_card, dict):
            raise json_type_error(40058, "template_card expect object.")
        new_card = c.check_template_card(corp, new_card, robot=False, agentid=agentid)
    elif not isinstance(button, dict) or not button.get("replace_name"):
        raise param_error("button.replace_name", "missing")
    rc, sent = m.use_response_code(corp, code, agentid)
    if new_card is None and sent.card_type not in c.INTERACTIVE_CARDS:
        raise WeComError(42031)
    if not atall and not userids and not partyids and not tagids:
        raise WeComError(82101)
    if atall:
        targets = list(sent.recipients)
        invalid: list[str] = []
    else:
        agent = corp.agents[agentid]
        rcpt = m.resolve_recipients(
            corp, agent, userids, [str(p) for p in partyids], [str(t) for t in tagids]
        )
        targets = [k for k in rcpt.users if k in sent.recipients]
        invalid = list(rcpt.invalid_users)
        store = cm.contacts(corp)
        for uid in userids:
            u = store.find_user(uid)
            if u is not None and u.key not in sent.recipients and uid.lower() not in invalid:
                invalid.append(uid.lower())
        if not targets:
            raise WeComError(82102, extra={"invaliduser": invalid})
    rc.used = True
    users = cm.contacts(corp).users
    names = {users[k].userid.lower() for k in targets if k in users}
    for msg in m.messaging(corp).inbox:
        if msg.msgid == sent.msgid and msg.to is not None and msg.to.lower() in names:
            if new_card is not None:
                msg.content = new_card
                msg.text = c.render_text("template_card", new_card)
            else:
                msg.content = {**msg.content, "replace_name": button["replace_name"]}  # type: ignore[index]
            msg.updated += 1
    return {"invaliduser": invalid}


# -- appchat ----------------------------------------------------------------------------------------
def _appchat_ctx(ctx: Context) -> int:
    m.check_appchat_allowed(ctx.agent)
    assert ctx.agentid is not None
    return ctx.agentid


@api.endpoint(
    "POST",
    "appchat/create",
    scopes=(APP,),
    doc="90245",
    errcodes=(48002, 86001, 86004, 86005, 86006, 86007, 86204, 86205, 86206, 86207, 86215),
)
def appchat_create(ctx: Context) -> dict[str, Any]:
    """Create an app group chat (apps whose visibility is the root department)."""
    agentid = _appchat_ctx(ctx)
    body = ctx.json()
    chat = m.create_appchat(
        ctx.corp,
        agentid,
        name=body.get("name"),
        owner=body.get("owner"),
        userlist=body.get("userlist"),
        chatid=body.get("chatid"),
    )
    return {"chatid": chat.chatid}


@api.endpoint(
    "POST",
    "appchat/update",
    scopes=(APP,),
    doc="98913",
    errcodes=(48002, 86001, 86003, 86004, 86005, 86006, 86008, 86201, 86203, 86207, 86216),
)
def appchat_update(ctx: Context) -> None:
    """Rename an app group chat, change its owner, add or remove members."""
    agentid = _appchat_ctx(ctx)
    body = ctx.json()
    corp = ctx.corp
    chat = m.get_appchat(corp, body.get("chatid"), agentid)
    m.update_appchat(
        corp,
        chat,
        name=body.get("name"),
        owner=body.get("owner"),
        add_user_list=body.get("add_user_list"),
        del_user_list=body.get("del_user_list"),
    )


@api.endpoint(
    "GET",
    "appchat/get",
    scopes=(APP,),
    doc="98914",
    errcodes=(48002, 86001, 86003, 86008, 86201),
)
def appchat_get(ctx: Context) -> dict[str, Any]:
    """An app group chat's name, owner and members."""
    agentid = _appchat_ctx(ctx)
    corp = ctx.corp
    chat = m.get_appchat(corp, ctx.query.get("chatid"), agentid)
    return {"chat_info": m.appchat_info(corp, chat)}


@api.endpoint(
    "POST",
    "appchat/send",
    scopes=(APP,),
    doc="90248",
    errcodes=(
        40004, 40007, 40008, 40058, 40074, 41006, 41010, 41016, 41033, 44004, 45002, 45008,
        45032, 45034, 48002, 86001, 86003, 86008, 86201,
    ),
)  # fmt: skip
def appchat_send(ctx: Context) -> None:
    """Send a message to an app group chat."""
    agentid = _appchat_ctx(ctx)
    corp = ctx.corp
    body = ctx.json()
    chat = m.get_appchat(corp, body.get("chatid"), agentid)
    msgtype = body.get("msgtype")
    if msgtype not in c.APPCHAT_MSGTYPES:
        raise WeComError(40008)
    safe = _flag(body, "safe")
    content = c.check_content(corp, msgtype, body, safe=safe, appchat=True)
    m.deliver_text(
        corp,
        msgtype,
        content,
        kind="appchat",
        chat=chat.chatid,
        agentid=agentid,
        safe=safe,
        mentioned=list(content.get("mentioned_list", [])),
    )


# -- group robot webhook -------------------------------------------------------------------------------
_KEY_RE = re.compile(r"^[0-9A-Za-z\-]+$")


def resolve_robot(ctx: Context) -> None:
    """The caller of a webhook endpoint: the robot (``ctx.caller``) of ``?key=`` and its corp."""
    key = ctx.query.get("key", "")
    if key and not _KEY_RE.match(key):
        raise WeComError(40058, "invalid param 'key'", replace=True)
    found = m.find_robot(ctx.emulator.corps, key) if key else None
    if found is None:
        raise WeComError(93000)
    ctx.corp, ctx.caller = found


@api.endpoint(
    "POST",
    "webhook/send",
    auth=AUTH_WEBHOOK,
    doc="91770",
    errcodes=tuple(
        sorted(
            {*c.CARD_ERRCODES, 40004, 40008, 41010, 44004, 45008, 45009, 45034}
            | {93000, 93017, 93018}
        )
    ),
)
def webhook_send(ctx: Context) -> None:
    """Group robot: send a message to the robot's chat (20 per minute per robot)."""
    corp, robot = ctx.corp, ctx.caller
    if not ctx.request.body.strip():
        raise WeComError(93017)
    body = ctx.json()
    now = corp.clock.time()
    if not m.robot_allows(robot, now):
        raise WeComError(45009)
    msgtype = body.get("msgtype")
    if msgtype not in c.ROBOT_MSGTYPES:
        raise WeComError(40008)
    content = c.check_robot_content(corp, msgtype, body, robot.key)
    mentioned = list(content.get("mentioned_list", []))
    if content.get("mentioned_mobile_list"):
        store = cm.contacts(corp)
        by_mobile = {cm.normalize_mobile(u.mobile): u.userid for u in store.users.values()}
        for mobile in content["mentioned_mobile_list"]:
            who = "@all" if mobile == "@all" else by_mobile.get(cm.normalize_mobile(mobile))
            if who and who not in mentioned:
                mentioned.append(who)
    m.robot_sent(robot, now)
    m.deliver_text(
        corp,
        msgtype,
        content,
        kind="robot",
        chat=robot.chatid,
        robot=robot.key,
        mentioned=mentioned,
    )
