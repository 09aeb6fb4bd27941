"""Customer moments as tasks: job result, publishing in the sandbox, reads and cancel."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def create(api: Api, **body: Any) -> str:
    r = api.post("externalcontact/add_moment_task", {"text": {"content": "新品上市"}, **body})
    assert r["errcode"] == 0, r
    job = api.get("externalcontact/get_moment_task_result", jobid=r["jobid"])
    assert job["status"] == 3 and job["type"] == "add_moment_task" and job["result"]["errcode"] == 0
    return str(job["result"]["moment_id"])


def test_moment_task_publish_and_reads(emu: Emulator, crm: Api) -> None:
    tag = crm.post("externalcontact/get_corp_tag_list")["tag_group"][0]["tag"][0]["id"]
    r = crm.post(
        "externalcontact/add_moment_task",
        {
            "text": {"content": "新品"},
            "visible_range": {
                "sender_list": {"user_list": ["xuqiang", "ghost"]},
                "external_contact_list": {"tag_list": [tag, "etBAD"]},
            },
        },
    )
    job = crm.get("externalcontact/get_moment_task_result", jobid=r["jobid"])["result"]
    assert job["invalid_sender_list"] == {"user_list": ["ghost"], "department_list": []}
    assert job["invalid_external_contact_list"] == {"tag_list": ["etBAD"]}
    mid = job["moment_id"]
    assert mid.startswith("mom")
    tasks = crm.post("externalcontact/get_moment_task", {"moment_id": mid})["task_list"]
    assert tasks == [{"userid": "xuqiang", "publish_status": 0}]
    body = {"moment_id": mid, "userid": "xuqiang"}
    assert crm.post("externalcontact/get_moment_send_result", body)["errcode"] == 41062
    assert crm.post("externalcontact/get_moment_customer_list", body)["errcode"] == 41062
    emu.scrm_action("moment/publish", {"moment_id": mid, "userid": "xuqiang"})
    assert (
        crm.post("externalcontact/get_moment_task", {"moment_id": mid})["task_list"][0][
            "publish_status"
        ]
        == 1
    )
    seen = crm.post("externalcontact/get_moment_send_result", body)["customer_list"]
    info = crm.post("externalcontact/batch/get_by_user", {"userid_list": ["xuqiang"], "limit": 100})
    tagged = {
        x["external_contact"]["external_userid"]
        for x in info["external_contact_list"]
        if tag in x["follow_info"]["tag_id"]
    }
    assert {c["external_userid"] for c in seen} == tagged
    audience = crm.post("externalcontact/get_moment_customer_list", body)["customer_list"]
    assert {c["userid"] for c in audience} <= {"xuqiang"}
    now = emu.clock.time()
    listed = crm.post(
        "externalcontact/get_moment_list", {"start_time": now - 10, "end_time": now + 10}
    )["moment_list"]
    assert [(x["moment_id"], x["create_type"], x["visible_type"]) for x in listed] == [(mid, 0, 0)]
    assert "creator" not in listed[0] and listed[0]["text"] == {"content": "新品"}


def test_cancel_stops_unpublished(emu: Emulator, crm: Api) -> None:
    mid = create(crm, visible_range={"sender_list": {"user_list": ["xuqiang", "sunli"]}})
    emu.scrm_action("moment/publish", {"moment_id": mid, "userid": "xuqiang"})
    assert crm.post("externalcontact/cancel_moment_task", {"moment_id": mid})["errcode"] == 0
    with pytest.raises(Exception, match="cancelled"):
        emu.scrm_action("moment/publish", {"moment_id": mid, "userid": "sunli"})
    tasks = {
        t["userid"]: t["publish_status"]
        for t in crm.post("externalcontact/get_moment_task", {"moment_id": mid})["task_list"]
    }
    assert tasks == {"xuqiang": 1, "sunli": 0}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, 41089),
        ({"text": {"content": "x" * 2001}}, 40058),
        (
            {
                "attachments": [
                    {"msgtype": "image", "image": {"media_id": "M"}},
                    {"msgtype": "video", "video": {"media_id": "M"}},
                ]
            },
            41065,
        ),
        ({"attachments": [{"msgtype": "video", "video": {"media_id": "M"}}] * 2}, 41064),
        ({"attachments": [{"msgtype": "image", "image": {"media_id": "M"}}] * 10}, 41064),
        ({"attachments": [{"msgtype": "image", "image": {"media_id": "3nope"}}]}, 40007),
        (
            {"attachments": [{"msgtype": "link", "link": {"title": "t", "url": "https://e.x"}}]},
            40058,
        ),
    ],
)
def test_add_moment_task_errors(emu: Emulator, crm: Api, body: dict[str, Any], code: int) -> None:
    media = emu.upload_media(b"\x89PNG1234", type="image", filename="a.png")
    body = {
        k: [
            {
                **a,
                a["msgtype"]: {
                    kk: (media if vv == "M" else vv) for kk, vv in a[a["msgtype"]].items()
                },
            }
            for a in v
        ]
        if k == "attachments"
        else v
        for k, v in body.items()
    }
    before = emu.state_fingerprint()
    assert crm.post("externalcontact/add_moment_task", body)["errcode"] == code
    assert emu.state_fingerprint() == before


def test_monthly_quota_41210(emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server.services.external_contact import moments

    monkeypatch.setattr(moments, "PER_MONTH_MAX", 1)
    create(crm)
    assert (
        crm.post("externalcontact/add_moment_task", {"text": {"content": "x"}})["errcode"] == 41210
    )


def test_moment_read_errors(emu: Emulator, crm: Api) -> None:
    mid = create(crm, visible_range={"sender_list": {"user_list": ["xuqiang"]}})
    for path in (
        "get_moment_task",
        "get_moment_customer_list",
        "get_moment_send_result",
        "cancel_moment_task",
    ):
        assert crm.post(f"externalcontact/{path}", {"userid": "xuqiang"})["errcode"] == 41059
        assert (
            crm.post(f"externalcontact/{path}", {"moment_id": "momNOPE", "userid": "xuqiang"})[
                "errcode"
            ]
            == 41060
        )
    for path in ("get_moment_customer_list", "get_moment_send_result"):
        assert (
            crm.post(f"externalcontact/{path}", {"moment_id": mid, "userid": "sunli"})["errcode"]
            == 41061
        )
    emu.scrm_action("moment/publish", {"moment_id": mid, "userid": "xuqiang"})
    for path in ("get_moment_customer_list", "get_moment_send_result", "get_moment_task"):
        assert (
            crm.post(
                f"externalcontact/{path}",
                {"moment_id": mid, "userid": "xuqiang", "cursor": "k" * 43},
            )["errcode"]
            == 50100
        )
    assert crm.get("externalcontact/get_moment_task_result", jobid="nope")["errcode"] == 40088
    now = emu.clock.time()
    for body in (
        {"start_time": now},
        {"start_time": now, "end_time": now + 31 * 86400},
        {"start_time": now, "end_time": now + 1, "filter_type": 3},
    ):
        assert crm.post("externalcontact/get_moment_list", body)["errcode"] == 40058
    assert (
        crm.post(
            "externalcontact/get_moment_list",
            {"start_time": now - 1, "end_time": now + 1, "cursor": "k" * 43},
        )["errcode"]
        == 50100
    )
