"""``/__admin/oa/...``: act on approvals as a person in the WeCom app would (sandbox)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator
from mock_server.services.oa.approval_open import OpenApprovalError
from mock_server.services.oa.approvals import ApprovalActionError
from mock_server.services.oa.checkin.sandbox import SandboxError
from mock_server.services.oa.journal.models import JournalActionError
from mock_server.services.oa.living.models import LivingActionError


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.post("/oa/approvals/<sp_no>/<action>")
    def approval_action(sp_no: str, action: str) -> Any:
        """approve / reject (userid, speech), revoke (userid optional), comment (userid, content)."""
        body = body_json()
        corpid = body.get("corpid")
        try:
            if action in ("approve", "reject"):
                userid = _userid(body)
                fn = emu.approve if action == "approve" else emu.reject
                info = fn(sp_no, userid, speech=str(body.get("speech", "")), corpid=corpid)
            elif action == "revoke":
                info = emu.revoke_approval(sp_no, userid=body.get("userid"), corpid=corpid)
            elif action == "comment":
                info = emu.comment_approval(
                    sp_no, _userid(body), str(body.get("content", "")), corpid=corpid
                )
            else:
                raise AdminError(f"unknown action {action!r}", status=404)
        except (ApprovalActionError, KeyError) as exc:
            raise AdminError(str(exc).strip("'\"")) from None
        return jsonify({"info": info})

    @bp.get("/oa/approvals")
    def approval_list() -> Any:
        """All applications; ``?sp_status=1`` keeps the pending ones."""
        where: dict[str, Any] = {}
        raw = request.args.get("sp_status")
        if raw:
            if not raw.isdigit():
                raise AdminError("sp_status must be an integer")
            where["sp_status"] = int(raw)
        return jsonify({"approvals": emu.approvals(request.args.get("corpid"), **where)})

    @bp.get("/oa/approvals/<sp_no>")
    def approval_get(sp_no: str) -> Any:
        info = emu.approval(sp_no)
        if info is None:
            raise AdminError(f"no approval {sp_no}", status=404)
        return jsonify({"info": info})

    @bp.post("/oa/checkin/punch")
    def checkin_punch() -> Any:
        """A member punches: userid, checkin_time, wifimac/wifiname, lat/lng, field."""
        body = body_json()
        corpid = body.pop("corpid", None)
        try:
            record = emu.punch(str(body.pop("userid", "")), corpid=corpid, **body)
        except SandboxError as exc:
            raise AdminError(str(exc)) from None
        return jsonify({"record": record})

    @bp.post("/oa/checkin/generate")
    def checkin_generate() -> Any:
        """A month of seeded punches: year, month, seed, userids (optional)."""
        body = body_json()
        corpid = body.pop("corpid", None)
        try:
            year, month = body.pop("year", None), body.pop("month", None)
            out = emu.generate_checkin_month(year, month, corpid=corpid, **body)  # type: ignore[arg-type]
        except SandboxError as exc:
            raise AdminError(str(exc)) from None
        return jsonify(out)

    @bp.post("/oa/journals")
    def journal_submit() -> Any:
        """A member submits a report: userid, template_id, contents [{title, text}]."""
        body = body_json()
        corpid = body.pop("corpid", None)
        try:
            info = emu.submit_journal(
                str(body.pop("userid", "")), str(body.pop("template_id", "")),
                body.pop("contents", None), corpid=corpid, **body,
            )  # fmt: skip
        except JournalActionError as exc:
            raise AdminError(str(exc)) from None
        return jsonify({"info": info})

    @bp.post("/oa/open_approvals")
    def open_approval_start() -> Any:
        """Start an approval-flow-engine request (third_no, userid, agentid, approvers...)."""
        body = body_json()
        corpid = body.pop("corpid", None)
        try:
            return jsonify({"data": emu.start_open_approval(corpid=corpid, **body)})
        except OpenApprovalError as exc:
            raise AdminError(str(exc)) from None

    @bp.post("/oa/open_approvals/<third_no>/<action>")
    def open_approval_act(third_no: str, action: str) -> Any:
        """approve / reject / cancel with {"userid", "speech"}."""
        body = body_json()
        try:
            data = emu.act_open_approval(
                third_no, _userid(body), action, str(body.get("speech", "")), body.get("corpid")
            )
        except OpenApprovalError as exc:
            raise AdminError(str(exc)) from None
        return jsonify({"data": data})

    @bp.post("/oa/living/<livingid>/<action>")
    def living_act(livingid: str, action: str) -> Any:
        """start / end (the anchor) or watch (a viewer: userid or external_userid, ...)."""
        body = body_json()
        corpid = body.pop("corpid", None)
        try:
            return jsonify(emu.living_action(livingid, action, corpid=corpid, **body))
        except (LivingActionError, ValueError, TypeError) as exc:
            raise AdminError(str(exc)) from None


def _userid(body: dict[str, Any]) -> str:
    userid = body.get("userid")
    if not isinstance(userid, str) or not userid:
        raise AdminError("userid required")
    return userid
