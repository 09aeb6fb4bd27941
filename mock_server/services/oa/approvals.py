"""Approval domain: submit (applyevent), the state machine, list and detail shapes, events.

Status codes (doc 91983 / 91815): form 1 pending, 2 approved, 3 rejected, 4 revoked,
6 revoked after approval; node/detail 1 pending, 2 agreed, 3 rejected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.events import SOURCE_API, SOURCE_SANDBOX, DomainEvent
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.approval_views import (
    AGREED,
    APPROVED,
    PENDING,
    REJECTED,
    REVOKED,
    REVOKED_AFTER,
    event_data,
)
from mock_server.services.oa.controls import validate_contents
from mock_server.services.oa.store import Application, Template, oa
from mock_server.services.oa.vacation import models as vacation

# StatuChangeEvent values (callbacks.md §10).
EV_SUBMIT, EV_AGREE, EV_REJECT, EV_REVOKE, EV_REVOKE_AFTER, EV_COMMENT = 1, 2, 3, 6, 8, 10
CN_TZ = dt.timezone(dt.timedelta(hours=8))
# Legacy approver.attr 1 or / 2 and; new process apv_rel 1 and / 2 or / 3 sequential.
LEGACY_ATTR = {1: "or", 2: "and"}
APV_REL = {1: "and", 2: "or", 3: "seq"}


class ApprovalActionError(ValueError):
    """A sandbox action that a person could not do in the app (wrong approver, closed form)."""


def get_template(corp: Corp, template_id: Any) -> Template:
    tpl = oa(corp).templates.get(template_id) if isinstance(template_id, str) else None
    if tpl is None:
        raise WeComError(301025, "template_id invalid.")
    return tpl


def _user(corp: Corp, userid: Any, errcode: int, what: str) -> cm.User:
    user = cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
    if user is None or user.status == 5:
        raise WeComError(errcode, f"{what} {userid} invalid.")
    return user


def _level(rel: str, userids: list[str], node_type: int = 1) -> dict[str, Any]:
    return {
        "rel": rel,
        "node_type": node_type,
        "status": PENDING,
        "details": [
            {"userid": u, "sp_status": PENDING, "speech": "", "sptime": 0} for u in userids
        ],
    }


def _flow(
    corp: Corp, body: dict[str, Any], tpl: Template
) -> tuple[list[dict[str, Any]], list[str], int]:
    """The approval levels and CC list from use_template_approver / approver / process."""
    mode = body.get("use_template_approver")
    if mode not in (0, 1, "0", "1"):
        raise WeComError(301025, "use_template_approver must be 0 or 1.")
    if int(mode) == 1:
        if not tpl.approvers:
            raise WeComError(301025, "template has no approval flow.")
        flow = [_level(lv["attr"], list(lv["userid"])) for lv in tpl.approvers]
        return flow, list(tpl.notifyer), tpl.notify_type
    levels: list[dict[str, Any]] = []
    notifyer: list[str] = []
    process = body.get("process")
    if isinstance(process, dict):
        nodes = process.get("node_list")
        if not isinstance(nodes, list) or not nodes:
            raise WeComError(301025, "process.node_list required.")
        for node in nodes:
            if not isinstance(node, dict) or node.get("type") not in (1, 2, 3):
                raise WeComError(301025, "process.node_list[].type must be 1, 2 or 3.")
            users = node.get("userid")
            if not isinstance(users, list) or not users:
                raise WeComError(301025, "process node userid required.")
            for u in users:
                _user(corp, u, 301025, "userid")
            if node["type"] == 2:
                notifyer.extend(users)
                continue
            if node.get("apv_rel") not in APV_REL:
                raise WeComError(301025, "apv_rel must be 1, 2 or 3.")
            levels.append(_level(APV_REL[node["apv_rel"]], list(users), node["type"]))
        notify_type = 1
    else:
        approver = body.get("approver")
        if not isinstance(approver, list) or not approver:
            raise WeComError(301025, "approver required when use_template_approver is 0.")
        for node in approver:
            if not isinstance(node, dict) or node.get("attr", 1) not in LEGACY_ATTR:
                raise WeComError(301025, "approver[].attr must be 1 or 2.")
            users = node.get("userid")
            if not isinstance(users, list) or not users:
                raise WeComError(301025, "approver userid required.")
            for u in users:
                _user(corp, u, 301025, "userid")
            levels.append(_level(LEGACY_ATTR[node.get("attr", 1)], list(users)))
        raw = body.get("notifyer", [])
        if not isinstance(raw, list):
            raise WeComError(301025, "notifyer must be an array.")
        for u in raw:
            _user(corp, u, 301025, "notifyer")
        notifyer = list(raw)
        notify_type = body.get("notify_type", 1)
        if notify_type not in (1, 2, 3):
            raise WeComError(301025, "notify_type must be 1, 2 or 3.")
    if not levels:
        raise WeComError(301025, "at least one approver node required.")
    return levels, notifyer, notify_type


def _summary(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw or len(raw) > 3:
        raise WeComError(301025, "summary_list must have 1 to 3 lines.")
    for line in raw:
        infos = line.get("summary_info") if isinstance(line, dict) else None
        if not isinstance(infos, list) or not infos:
            raise WeComError(301025, "summary_info required.")
        for info in infos:
            if not isinstance(info, dict) or not isinstance(info.get("text"), str):
                raise WeComError(301025, "summary_info[].text required.")
            if info.get("lang", "zh_CN") not in ("zh_CN", "en"):
                raise WeComError(301025, "summary_info[].lang must be zh_CN or en.")
    return raw


def _next_sp_no(corp: Corp, now: int) -> str:
    day = dt.datetime.fromtimestamp(now, CN_TZ).strftime("%Y%m%d")
    store = oa(corp)
    seq = store.sp_seq.get(day, 0) + 1
    store.sp_seq[day] = seq
    return f"{day}{seq:04d}"


def apply(
    corp: Corp,
    body: dict[str, Any],
    *,
    agent: Agent | None,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
    source: str = SOURCE_API,
) -> Application:
    """oa/applyevent: validate everything, then store the pending application."""
    creator = _user(corp, body.get("creator_userid"), 301025, "creator_userid")
    if not cm.is_user_visible(corp, agent, creator):
        raise WeComError(301055)  # the real errmsg carries no detail
    tpl = get_template(corp, body.get("template_id"))
    dept = body.get("choose_department")
    if dept in (None, 0, "0", ""):
        partyid = creator.main_department or (creator.department or [1])[0]
    else:
        partyid = int(dept) if str(dept).isdecimal() else -1
        if partyid not in creator.department:
            raise WeComError(301025, "choose_department is not the creator's department.")
    levels, notifyer, notify_type = _flow(corp, body, tpl)
    apply_data = body.get("apply_data")
    if not isinstance(apply_data, dict):
        raise WeComError(301025, "apply_data required.")
    store = oa(corp)
    contents, spans = validate_contents(
        corp, tpl.controls, apply_data.get("contents"), store.applications
    )
    summary = _summary(body.get("summary_list"))
    for other in store.applications.values() if spans else ():
        if other.creator == creator.userid and other.sp_status in (PENDING, APPROVED):
            for b, e in spans:
                if any(b < oe and ob < e for ob, oe in other.spans):
                    raise WeComError(301079, f"conflicts with {other.sp_no}.")
    now = corp.clock.time()
    app = Application(
        sp_no=_next_sp_no(corp, now),
        template_id=tpl.template_id,
        sp_name=tpl.name,
        creator=creator.userid,
        partyid=partyid,
        apply_time=now,
        levels=levels,
        notifyer=notifyer,
        notify_type=notify_type,
        contents=contents,
        summary=summary,
        record_type=tpl.record_type,
        spans=spans,
        agentid=actor_agentid,
    )
    store.applications[app.sp_no] = app
    _emit(corp, app, EV_SUBMIT, source, actor_scope, actor_agentid)
    return app


def find(corp: Corp, sp_no: Any) -> Application:
    key = str(sp_no) if isinstance(sp_no, str | int) and not isinstance(sp_no, bool) else ""
    app = oa(corp).applications.get(key)
    if app is None:
        raise WeComError(301025, "sp_no invalid.")
    return app


# -- the state machine (sandbox actions) ------------------------------------------------------
def _sandbox_find(corp: Corp, sp_no: str) -> Application:
    app = oa(corp).applications.get(str(sp_no))
    if app is None:
        raise ApprovalActionError(f"no approval {sp_no}")
    return app


def _current(app: Application) -> dict[str, Any] | None:
    return next((lv for lv in app.levels if lv["status"] == PENDING), None)


def act(corp: Corp, sp_no: str, userid: str, decision: str, speech: str = "") -> Application:
    """An approver of the current level agrees (``approve``) or rejects (``reject``)."""
    app = _sandbox_find(corp, sp_no)
    if app.sp_status != PENDING:
        raise ApprovalActionError(f"approval {sp_no} is not pending (sp_status {app.sp_status})")
    level = _current(app)
    assert level is not None
    pending = [d for d in level["details"] if d["sp_status"] == PENDING]
    if level["rel"] == "seq":
        pending = pending[:1]
    detail = next((d for d in pending if d["userid"].lower() == userid.lower()), None)
    if detail is None:
        who = ", ".join(d["userid"] for d in pending)
        raise ApprovalActionError(f"{userid} is not a pending approver of {sp_no} (now: {who})")
    now = corp.clock.time()
    detail.update(
        sp_status=AGREED if decision == "approve" else REJECTED, speech=speech, sptime=now
    )
    if decision == "reject":
        level["status"] = REJECTED
        app.sp_status = REJECTED
        event = EV_REJECT
    else:
        event = EV_AGREE
        if level["rel"] == "or" or all(d["sp_status"] == AGREED for d in level["details"]):
            level["status"] = AGREED
        if _current(app) is None:
            app.sp_status = APPROVED
            vacation.on_status_change(corp, app)
    _emit(corp, app, event, SOURCE_SANDBOX)
    return app


def revoke(corp: Corp, sp_no: str, userid: str | None = None) -> Application:
    """The applicant withdraws: pending -> 4 revoked, approved -> 6 revoked after approval."""
    app = _sandbox_find(corp, sp_no)
    if userid is not None and userid.lower() != app.creator.lower():
        raise ApprovalActionError(f"only the applicant {app.creator} may revoke {sp_no}")
    if app.sp_status == PENDING:
        app.sp_status, event = REVOKED, EV_REVOKE
    elif app.sp_status == APPROVED:
        app.sp_status, event = REVOKED_AFTER, EV_REVOKE_AFTER
        vacation.on_status_change(corp, app)
    else:
        raise ApprovalActionError(f"approval {sp_no} cannot be revoked (sp_status {app.sp_status})")
    _emit(corp, app, event, SOURCE_SANDBOX)
    return app


def comment(corp: Corp, sp_no: str, userid: str, content: str) -> Application:
    """Anyone in the corp adds a comment (StatuChangeEvent 10)."""
    app = _sandbox_find(corp, sp_no)
    user = cm.contacts(corp).find_user(userid)
    if user is None:
        raise ApprovalActionError(f"no user {userid}")
    if not content:
        raise ApprovalActionError("comment content required")
    app.comments.append(
        {
            "userid": user.userid,
            "time": corp.clock.time(),
            "content": content,
            "commentid": str(6700000000000000000 + corp.ids.randint(0, 10**17)),
        }
    )
    _emit(corp, app, EV_COMMENT, SOURCE_SANDBOX)
    return app


def _emit(
    corp: Corp,
    app: Application,
    change: int,
    source: str,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> None:
    corp.emit(
        DomainEvent(
            corpid=corp.corpid,
            kind="sys_approval_change",
            data=event_data(app, change),
            time=corp.clock.time(),
            source=source,
            actor_scope=actor_scope,
            actor_agentid=actor_agentid,
            # The app that submitted the request is called back too (doc 91815).
            meta={"sp_no": app.sp_no, "statu_change_event": change, "agentid": app.agentid},
        )
    )
