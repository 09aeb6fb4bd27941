"""``/__admin/oa/...``: act as people in the WeCom app would (approvals, punches, reports, lives)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest, call_checked
from mock_server.services.oa.api import OAAPI
from mock_server.services.oa.approval_open import OpenApprovalError
from mock_server.services.oa.approvals import ApprovalActionError
from mock_server.services.oa.checkin.sandbox import SandboxError
from mock_server.services.oa.journal.models import JournalActionError
from mock_server.services.oa.living.models import LivingActionError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _body_and_corp(emu: Host, req: AdminRequest) -> tuple[dict[str, Any], str | None]:
    """The body without ``corpid`` (the actions take the rest as keywords), and the checked
    ``corpid`` (404 for an unknown corp)."""
    body = dict(req.body)
    body.pop("corpid", None)
    return body, req.corpid(emu)


def _api(emu: Host) -> OAAPI:
    return emu.api("oa", OAAPI)


@admin.action("POST", "/oa/approvals/<sp_no>/<action>")
def approval_action(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """approve / reject (userid, speech), revoke (userid optional), comment (userid, content)."""
    api, body = _api(emu), req.body
    sp_no, action = req.params["sp_no"], req.params["action"]
    corpid = req.corpid(emu)
    try:
        if action in ("approve", "reject"):
            fn = api.approve if action == "approve" else api.reject
            info = fn(sp_no, _userid(body), speech=str(body.get("speech", "")), corpid=corpid)
        elif action == "revoke":
            info = api.revoke_approval(sp_no, userid=body.get("userid"), corpid=corpid)
        elif action == "comment":
            info = api.comment_approval(
                sp_no, _userid(body), str(body.get("content", "")), corpid=corpid
            )
        else:
            raise AdminError(f"unknown action {action!r}", status=404)
    except (ApprovalActionError, KeyError) as exc:
        raise AdminError(str(exc).strip("'\"")) from None
    return {"info": info}


@admin.action("GET", "/oa/approvals")
def approval_list(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """All applications; ``?sp_status=1`` keeps the pending ones."""
    where: dict[str, Any] = {}
    raw = req.text("sp_status")
    if raw:
        if not raw.isdecimal():
            raise AdminError("sp_status must be an integer")
        where["sp_status"] = int(raw)
    return {"approvals": _api(emu).approvals(req.corpid(emu), **where)}


@admin.action("GET", "/oa/approvals/<sp_no>")
def approval_get(emu: Host, req: AdminRequest) -> dict[str, Any]:
    info = _api(emu).approval(req.params["sp_no"], req.corpid(emu))
    if info is None:
        raise AdminError(f"no approval {req.params['sp_no']}", status=404)
    return {"info": info}


@admin.action("POST", "/oa/checkin/punch")
def checkin_punch(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A member punches: userid, checkin_time, wifimac/wifiname, lat/lng, field."""
    body, corpid = _body_and_corp(emu, req)
    try:
        userid = str(body.pop("userid", ""))
        return {"record": call_checked(_api(emu).punch, userid, corpid=corpid, **body)}
    except SandboxError as exc:
        raise AdminError(str(exc)) from None


@admin.action("POST", "/oa/checkin/generate")
def checkin_generate(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A month of seeded punches: year, month, seed, userids (optional)."""
    body, corpid = _body_and_corp(emu, req)
    year, month = body.pop("year", None), body.pop("month", None)
    try:
        return call_checked(_api(emu).generate_checkin_month, year, month, corpid=corpid, **body)
    except SandboxError as exc:
        raise AdminError(str(exc)) from None


@admin.action("POST", "/oa/journals")
def journal_submit(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A member submits a report: userid, template_id, contents [{title, text}]."""
    body, corpid = _body_and_corp(emu, req)
    try:
        info = call_checked(
            _api(emu).submit_journal,
            str(body.pop("userid", "")), str(body.pop("template_id", "")),
            body.pop("contents", None), corpid=corpid, **body,
        )  # fmt: skip
    except JournalActionError as exc:
        raise AdminError(str(exc)) from None
    return {"info": info}


@admin.action("POST", "/oa/oa_open")
def open_approval_start(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Start an approval-flow-engine request (third_no, userid, agentid, approvers...)."""
    body, corpid = _body_and_corp(emu, req)
    try:
        return {"data": call_checked(_api(emu).start_open_approval, corpid=corpid, **body)}
    except OpenApprovalError as exc:
        raise AdminError(str(exc)) from None


@admin.action("POST", "/oa/oa_open/<third_no>/<action>")
def open_approval_act(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """approve / reject / cancel with {"userid", "speech"}."""
    body = req.body
    try:
        data = _api(emu).act_open_approval(
            req.params["third_no"], _userid(body), req.params["action"],
            str(body.get("speech", "")), body.get("corpid"),
        )  # fmt: skip
    except OpenApprovalError as exc:
        raise AdminError(str(exc)) from None
    return {"data": data}


@admin.action("POST", "/oa/living/<livingid>/<action>")
def living_act(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """start / end (the anchor) or watch (a viewer: userid or external_userid, ...)."""
    body, corpid = _body_and_corp(emu, req)
    try:
        return call_checked(
            _api(emu).living_action,
            req.params["livingid"], req.params["action"], corpid=corpid, **body,
        )  # fmt: skip
    except (LivingActionError, ValueError) as exc:
        raise AdminError(str(exc)) from None


def _userid(body: Any) -> str:
    userid = body.get("userid")
    if not isinstance(userid, str) or not userid:
        raise AdminError("userid required")
    return userid
