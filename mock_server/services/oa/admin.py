"""``/__admin/oa/...``: act on approvals as a person in the WeCom app would (sandbox)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest
from mock_server.services.oa.api import OAAPI
from mock_server.services.oa.approvals import ApprovalActionError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


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
        if not raw.isdigit():
            raise AdminError("sp_status must be an integer")
        where["sp_status"] = int(raw)
    return {"approvals": _api(emu).approvals(req.corpid(emu), **where)}


@admin.action("GET", "/oa/approvals/<sp_no>")
def approval_get(emu: Host, req: AdminRequest) -> dict[str, Any]:
    info = _api(emu).approval(req.params["sp_no"], req.corpid(emu))
    if info is None:
        raise AdminError(f"no approval {req.params['sp_no']}", status=404)
    return {"info": info}


def _userid(body: Any) -> str:
    userid = body.get("userid")
    if not isinstance(userid, str) or not userid:
        raise AdminError("userid required")
    return userid
