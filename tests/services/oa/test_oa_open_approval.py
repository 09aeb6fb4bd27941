"""The approval-flow engine: requests from an app's page, corp/getopenapprovaldata, events."""

from __future__ import annotations

import pytest

from mock_server import Emulator
from mock_server.services.oa.approval_open import OpenApprovalError
from tests.conftest import Api

FLOW = {
    "third_no": "PO-20260304-0007",
    "userid": "zhangsan",
    "agentid": 1000004,
    "template_id": "5f3c2a1b0e9d8c7b6a5f4e3d",
    "sp_name": "采购",
    "approvers": [
        {"attr": "or", "userid": ["lisi", "chenjing"]},
        {"attr": "and", "userid": ["zhangwei", "fengtao"]},
    ],
    "notify": ["luoqing"],
}


def test_request_moves_through_its_nodes(emu: Emulator) -> None:
    api = Api(emu, "app", 1000004)
    emu.oa.start_open_approval(**FLOW)
    data = api.post("corp/getopenapprovaldata", {"thirdNo": FLOW["third_no"]})["data"]
    assert (
        data["OpenSpstatus"] == 1
        and data["ApplyUsername"] == "张三"
        and data["ApplyUserId"] == "zhangsan"
    )
    assert data["ApproverStep"] == data["approverstep"] == 0
    nodes = data["ApprovalNodes"]["ApprovalNode"]
    assert [n["NodeAttr"] for n in nodes] == [1, 2]
    assert [i["ItemUserId"] for i in nodes[0]["Items"]["Item"]] == ["lisi", "chenjing"]
    assert data["NotifyNodes"]["NotifyNode"][0]["ItemUserId"] == "luoqing"
    emu.oa.act_open_approval(FLOW["third_no"], "chenjing", "approve", "同意")
    emu.oa.act_open_approval(FLOW["third_no"], "zhangwei", "approve")
    mid = api.post("corp/getopenapprovaldata", {"thirdNo": FLOW["third_no"]})["data"]
    assert mid["OpenSpstatus"] == 1 and mid["approverstep"] == 1  # countersign: fengtao left
    emu.oa.act_open_approval(FLOW["third_no"], "fengtao", "approve")
    done = api.post("corp/getopenapprovaldata", {"thirdNo": FLOW["third_no"]})["data"]
    assert done["OpenSpstatus"] == 2
    item = done["ApprovalNodes"]["ApprovalNode"][0]["Items"]["Item"][1]
    assert (item["ItemStatus"], item["ItemSpeech"]) == (2, "同意") and item["ItemOpTime"] > 0
    events = emu.events.history("open_approval_change")
    assert len(events) == 4 and events[-1].data["ApprovalInfo"]["OpenSpStatus"] == 2
    assert (
        events[0].data["AgentID"] == 1000004 and "ApplyUserName" in events[0].data["ApprovalInfo"]
    )
    with pytest.raises(OpenApprovalError):
        emu.oa.act_open_approval(FLOW["third_no"], "lisi", "approve")  # closed


def test_reject_cancel_and_errors(emu: Emulator) -> None:
    api = Api(emu, "app", 1000004)
    emu.oa.start_open_approval(**FLOW)
    with pytest.raises(OpenApprovalError):
        emu.oa.start_open_approval(**FLOW)  # duplicate thirdNo
    with pytest.raises(OpenApprovalError):
        emu.oa.act_open_approval(FLOW["third_no"], "zhangwei", "approve")  # not the current node
    emu.oa.act_open_approval(FLOW["third_no"], "lisi", "reject")
    assert (
        api.post("corp/getopenapprovaldata", {"thirdNo": FLOW["third_no"]})["data"]["OpenSpstatus"]
        == 3
    )
    emu.oa.start_open_approval(**{**FLOW, "third_no": "PO-2"})
    emu.oa.act_open_approval("PO-2", "zhangsan", "cancel")
    assert api.post("corp/getopenapprovaldata", {"thirdNo": "PO-2"})["data"]["OpenSpstatus"] == 4
    assert api.post("corp/getopenapprovaldata", {"thirdNo": "nope"})["errcode"] == 301025
    assert (
        api.post("corp/getopenapprovaldata", {"third_no": "PO-2"})["errcode"] == 301025
    )  # camel-case key
    # Another app did not start it.
    assert (
        Api(emu, "app", 1000002).post("corp/getopenapprovaldata", {"thirdNo": "PO-2"})["errcode"]
        == 301025
    )
    assert (
        Api(emu, "contacts").post("corp/getopenapprovaldata", {"thirdNo": "PO-2"})["errcode"]
        == 48002
    )


def test_admin_routes(emu: Emulator) -> None:
    from mock_server.web.app import create_app

    client = create_app(emu).test_client()
    assert client.post("/__admin/oa/oa_open", json=FLOW).status_code == 200
    assert client.post("/__admin/oa/oa_open", json=FLOW).status_code == 400
    ok = client.post(f"/__admin/oa/oa_open/{FLOW['third_no']}/approve", json={"userid": "lisi"})
    assert ok.status_code == 200 and ok.get_json()["data"]["approverstep"] == 1
    assert (
        client.post(
            f"/__admin/oa/oa_open/{FLOW['third_no']}/fly", json={"userid": "lisi"}
        ).status_code
        == 400
    )
