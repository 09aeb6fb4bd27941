"""The approval-flow engine (审批流程引擎, doc 90269): requests started from a self-built app's
web page with the JS-SDK (``thirdPartyOpenPage``), read back with ``corp/getopenapprovaldata``.

The page flow is client-side, so requests start and move in the sandbox: ``start`` (the
member submits on the app's page) and ``act`` (an approver agrees or rejects; the applicant
cancels). Each change emits ``open_approval_change``. Key casing follows the doc exactly:
JSON ``OpenSpstatus``/``ApplyUsername``/``ItemUserId``, XML ``OpenSpStatus``/``ApplyUserName``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.events import SOURCE_SANDBOX, DomainEvent
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.approval_handlers import api

PENDING, APPROVED, REJECTED, CANCELLED = 1, 2, 3, 4


@dataclass
class OpenApprovalStore:
    # thirdNo -> {third_no, template_id, sp_name, status, apply_time, applicant, agentid,
    #             nodes: [{attr, status, items: [{userid, status, speech, optime}]}], notify}
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)


def oa_open(corp: Corp) -> OpenApprovalStore:
    return corp.store("oa_open")


class OpenApprovalError(ValueError):
    """What the approval page would not allow (duplicate thirdNo, not the current approver)."""


def _member(corp: Corp, userid: Any) -> cm.User:
    user = cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
    if user is None:
        raise OpenApprovalError(f"no member {userid!r}")
    return user


def start(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """``userid`` submits ``third_no`` on app ``agentid``'s page: ``template_id``, ``sp_name``,
    ``approvers`` (levels: ``{"attr": "or"|"and", "userid": [...]}``) and ``notify``."""
    third_no = payload.get("third_no")
    if not isinstance(third_no, str) or not third_no:
        raise OpenApprovalError("third_no required")
    store = oa_open(corp)
    if third_no in store.requests:
        raise OpenApprovalError("已存在相同的审批编号")  # the JS-SDK's own message
    user = _member(corp, payload.get("userid"))
    levels = payload.get("approvers")
    if not isinstance(levels, list) or not levels:
        raise OpenApprovalError("approvers: at least one level")
    nodes = []
    for lv in levels:
        if not isinstance(lv, dict) or lv.get("attr", "or") not in ("or", "and"):
            raise OpenApprovalError("each level is {attr: or|and, userid: [...]}")
        ids = [_member(corp, u).userid for u in lv.get("userid", [])]
        if not ids:
            raise OpenApprovalError("each level needs approvers")
        items = [{"userid": u, "status": PENDING, "speech": "", "optime": 0} for u in ids]
        nodes.append(
            {"attr": 1 if lv.get("attr", "or") == "or" else 2, "status": PENDING, "items": items}
        )
    agentid = payload.get("agentid")
    if agentid not in corp.agents:
        raise OpenApprovalError("agentid: the app whose page started it")
    req = {
        "third_no": third_no,
        "template_id": str(payload.get("template_id", "")),
        "sp_name": str(payload.get("sp_name", "")),
        "status": PENDING,
        "apply_time": corp.clock.time(),
        "applicant": user.userid,
        "agentid": agentid,
        "nodes": nodes,
        "notify": [_member(corp, u).userid for u in payload.get("notify", [])],
    }
    store.requests[third_no] = req
    _emit(corp, req)
    return view(corp, req)


def act(corp: Corp, third_no: str, userid: str, action: str, speech: str = "") -> dict[str, Any]:
    """approve / reject by an approver of the current node, or cancel by the applicant."""
    req = oa_open(corp).requests.get(third_no)
    if req is None:
        raise OpenApprovalError(f"no request {third_no}")
    if req["status"] != PENDING:
        raise OpenApprovalError(f"request {third_no} is closed")
    now = corp.clock.time()
    if action == "cancel":
        if userid.lower() != req["applicant"].lower():
            raise OpenApprovalError("only the applicant may cancel")
        req["status"] = CANCELLED
    elif action in ("approve", "reject"):
        node = next(n for n in req["nodes"] if n["status"] == PENDING)
        item = next(
            (
                i
                for i in node["items"]
                if i["userid"].lower() == userid.lower() and i["status"] == PENDING
            ),
            None,
        )
        if item is None:
            raise OpenApprovalError(f"{userid} is not a pending approver of the current node")
        item.update(status=APPROVED if action == "approve" else REJECTED, speech=speech, optime=now)
        if action == "reject":
            node["status"] = req["status"] = REJECTED
        elif node["attr"] == 1 or all(i["status"] == APPROVED for i in node["items"]):
            node["status"] = APPROVED
            if all(n["status"] == APPROVED for n in req["nodes"]):
                req["status"] = APPROVED
    else:
        raise OpenApprovalError(f"unknown action {action!r}")
    _emit(corp, req)
    return view(corp, req)


def _step(req: dict[str, Any]) -> int:
    return next(
        (i for i, n in enumerate(req["nodes"]) if n["status"] == PENDING), len(req["nodes"]) - 1
    )


def _who(corp: Corp, userid: str) -> tuple[str, str, str]:
    store = cm.contacts(corp)
    user = store.find_user(userid)
    if user is None:
        return userid, "", ""
    dept = store.departments.get(user.main_department or (user.department or [1])[0])
    return user.name, dept.name if dept else "", cm.avatar_url(corp, user.userid)


def view(corp: Corp, req: dict[str, Any]) -> dict[str, Any]:
    """``getopenapprovaldata``'s ``data``."""
    name, party, image = _who(corp, req["applicant"])

    def item(i: dict[str, Any]) -> dict[str, Any]:
        n, p, img = _who(corp, i["userid"])
        return {"ItemName": n, "ItemParty": p, "ItemImage": img, "ItemUserId": i["userid"],
                "ItemStatus": i["status"], "ItemSpeech": i["speech"], "ItemOpTime": i["optime"]}  # fmt: skip

    step = _step(req)
    return {
        "ThirdNo": req["third_no"], "OpenTemplateId": req["template_id"], "OpenSpName": req["sp_name"],
        "OpenSpstatus": req["status"], "ApplyTime": req["apply_time"], "ApplyUsername": name,
        "ApplyUserParty": party, "ApplyUserImage": image, "ApplyUserId": req["applicant"],
        "ApprovalNodes": {"ApprovalNode": [
            {"NodeStatus": n["status"], "NodeAttr": n["attr"], "NodeType": 1,
             "Items": {"Item": [item(i) for i in n["items"]]}}
            for n in req["nodes"]
        ]},
        "NotifyNodes": {"NotifyNode": [
            dict(zip(("ItemName", "ItemParty", "ItemImage"), _who(corp, u), strict=True)) | {"ItemUserId": u}
            for u in req["notify"]
        ]},
        # The current doc writes ApproverStep, the older one and SDK fixtures approverstep.
        "ApproverStep": step, "approverstep": step,
    }  # fmt: skip


def _emit(corp: Corp, req: dict[str, Any]) -> None:
    data = view(corp, req)
    info = {
        "ThirdNo": data["ThirdNo"], "OpenSpName": data["OpenSpName"], "OpenTemplateId": data["OpenTemplateId"],
        "OpenSpStatus": data["OpenSpstatus"], "ApplyTime": data["ApplyTime"], "ApplyUserName": data["ApplyUsername"],
        "ApplyUserId": data["ApplyUserId"], "ApplyUserParty": data["ApplyUserParty"], "ApplyUserImage": data["ApplyUserImage"],
        "ApprovalNodes": {"ApprovalNode": [
            {"NodeStatus": n["NodeStatus"], "NodeAttr": n["NodeAttr"], "NodeType": n["NodeType"],
             "Items": {"Item": [{k: i[k] for k in ("ItemName", "ItemUserId", "ItemImage", "ItemStatus", "ItemSpeech", "ItemOpTime")} for i in n["Items"]["Item"]]}}
            for n in data["ApprovalNodes"]["ApprovalNode"]
        ]},
        "NotifyNodes": {"NotifyNode": [{k: x[k] for k in ("ItemName", "ItemUserId", "ItemImage")} for x in data["NotifyNodes"]["NotifyNode"]]},
        "approverstep": data["approverstep"],
    }  # fmt: skip
    corp.emit(
        DomainEvent(
            corpid=corp.corpid,
            kind="open_approval_change",
            data={"AgentID": req["agentid"], "ApprovalInfo": info},
            time=corp.clock.time(),
            source=SOURCE_SANDBOX,
            target=req["agentid"],
        )
    )


@api.endpoint(
    "POST", "corp/getopenapprovaldata", scopes=(APP,), doc="90269", errcodes=(301025, 48002)
)
def getopenapprovaldata(ctx: Context) -> dict[str, Any]:
    """An approval-flow-engine request by ``thirdNo`` (requests started from this app's page)."""
    third_no = ctx.json().get("thirdNo")
    corp = ctx.corp
    req = oa_open(corp).requests.get(third_no) if isinstance(third_no, str) else None
    # An unknown thirdNo has no documented code; 301025 is the approval family's parameter error.
    if req is None or req["agentid"] != ctx.agentid:
        raise WeComError(301025, "thirdNo invalid.")
    return {"data": view(corp, req)}
