"""How an application looks: getapprovaldetail's ``info`` and the sys_approval_change XML body."""

from __future__ import annotations

from typing import Any

from mock_server.services.oa.store import Application

PENDING, APPROVED, REJECTED, REVOKED, REVOKED_AFTER = 1, 2, 3, 4, 6
AGREED = 2  # node/detail status
REL_APV = {"and": 1, "or": 2, "seq": 3}  # new process apv_rel
APPROVAL_APP_AGENTID = 3010040  # AgentID of the system 审批 app in the doc's callback example


def _cc_status(app: Application) -> int:
    return PENDING if app.sp_status == PENDING else AGREED


def detail(app: Application) -> dict[str, Any]:
    """getapprovaldetail's ``info``."""
    return {
        "sp_no": app.sp_no,
        "sp_name": app.sp_name,
        "sp_status": app.sp_status,
        "template_id": app.template_id,
        "apply_time": app.apply_time,
        "applyer": {"userid": app.creator, "partyid": str(app.partyid)},
        "sp_record": [
            {
                "sp_status": lv["status"],
                "approverattr": 1 if lv["rel"] == "or" else 2,
                "details": [
                    {
                        "approver": {"userid": d["userid"]},
                        "speech": d["speech"],
                        "sp_status": d["sp_status"],
                        "sptime": d["sptime"],
                        "media_id": [],
                    }
                    for d in lv["details"]
                ],
            }
            for lv in app.levels
        ],
        "notifyer": [{"userid": u} for u in app.notifyer],
        "apply_data": {"contents": app.contents},
        "comments": [
            {
                "commentUserInfo": {"userid": c["userid"]},
                "commenttime": c["time"],
                "commentcontent": c["content"],
                "commentid": c["commentid"],
                "media_id": [],
            }
            for c in app.comments
        ],
        "process_list": {"node_list": _nodes(app)},
    }


def _nodes(app: Application) -> list[dict[str, Any]]:
    nodes = [
        {
            "node_type": lv["node_type"],
            "sp_status": lv["status"],
            "apv_rel": REL_APV[lv["rel"]],
            "sub_node_list": [
                {
                    "userid": d["userid"],
                    "speech": d["speech"],
                    "sp_yj": d["sp_status"],
                    "sptime": d["sptime"],
                    "media_ids": [],
                }
                for d in lv["details"]
            ],
        }
        for lv in app.levels
    ]
    if app.notifyer:
        cc = _cc_status(app)
        nodes.append(
            {
                "node_type": 2,
                "sp_status": cc,
                "apv_rel": 1,
                "sub_node_list": [
                    {"userid": u, "speech": "", "sp_yj": cc, "sptime": 0, "media_ids": []}
                    for u in app.notifyer
                ],
            }
        )
    return nodes


def event_data(app: Application, change: int) -> dict[str, Any]:
    """The XML after the common header (callbacks.md §10); repeated siblings as lists."""
    info: dict[str, Any] = {
        "SpNoStr": app.sp_no,
        "SpNo": int(app.sp_no),
        "SpName": app.sp_name,
        "SpStatus": app.sp_status,
        "TemplateId": app.template_id,
        "ApplyTime": app.apply_time,
        "Applyer": {"UserId": app.creator, "Party": str(app.partyid)},
        "SpRecord": [
            {
                "SpStatus": lv["status"],
                "ApproverAttr": 1 if lv["rel"] == "or" else 2,
                "Details": [
                    {
                        "Approver": {"UserId": d["userid"]},
                        "Speech": d["speech"],
                        "SpStatus": d["sp_status"],
                        "SpTime": d["sptime"],
                    }
                    for d in lv["details"]
                ],
            }
            for lv in app.levels
        ],
        "Notifyer": [{"UserId": u} for u in app.notifyer],
        "ProcessList": {
            "NodeList": [
                {
                    "NodeType": n["node_type"],
                    "SpStatus": n["sp_status"],
                    "ApvRel": n["apv_rel"],
                    "SubNodeList": [
                        {
                            "UserInfo": {"UserId": s["userid"]},
                            "Speech": s["speech"],
                            "SpYj": s["sp_yj"],
                            "Sptime": s["sptime"],
                        }
                        for s in n["sub_node_list"]
                    ],
                }
                for n in _nodes(app)
            ]
        },
        "Comments": [
            {
                "CommentUserInfo": {"UserId": c["userid"]},
                "CommentTime": c["time"],
                "CommentContent": c["content"],
                "CommentId": c["commentid"],
            }
            for c in app.comments
        ],
        "StatuChangeEvent": change,
    }
    return {"AgentID": APPROVAL_APP_AGENTID, "ApprovalInfo": info}
