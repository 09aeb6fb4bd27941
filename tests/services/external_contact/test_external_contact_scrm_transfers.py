"""Customer and customer-group transfers: 24 h acceptance on the clock, refusal, limits."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.core.clock import Clock
from mock_server.services.external_contact import transfers as tr
from tests.conftest import Api


@pytest.fixture
def emu() -> Emulator:
    """A frozen clock: the tests compare exact timestamps (24 h to the second)."""
    return Emulator(clock=Clock(start=1_780_000_000, frozen=True))


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def customers(api: Api, userid: str) -> list[str]:
    return list(api.get("externalcontact/list", userid=userid)["external_userid"])


def later(emu: Emulator, api: Api, seconds: int) -> None:
    emu.advance(seconds)
    api.token = emu.token("app", 1000003)


def onjob(
    api: Api, ids: list[str], handover: str = "xuqiang", takeover: str = "sunli"
) -> dict[str, Any]:
    body = {"handover_userid": handover, "takeover_userid": takeover, "external_userid": ids}
    return api.post("externalcontact/transfer_customer", body)


def result(
    api: Api, handover: str = "xuqiang", takeover: str = "sunli", path: str = "transfer_result"
) -> dict[str, int]:
    r = api.post(
        f"externalcontact/{path}", {"handover_userid": handover, "takeover_userid": takeover}
    )
    assert r["errcode"] == 0, r
    return {c["external_userid"]: c["status"] for c in r["customer"]}


def test_onjob_transfer_accepted_after_24_hours(emu: Emulator, crm: Api) -> None:
    eid = customers(crm, "xuqiang")[0]
    r = onjob(crm, [eid, "wmNOPE", customers(crm, "mahao")[0]])
    assert [c["errcode"] for c in r["customer"]] == [0, 40096, 40131]
    started = emu.clock.time()
    row = crm.post(
        "externalcontact/transfer_result",
        {"handover_userid": "xuqiang", "takeover_userid": "sunli"},
    )["customer"][0]
    assert row == {"external_userid": eid, "status": 2, "takeover_time": started + 86400}
    later(emu, crm, 86399)
    assert result(crm) == {eid: 2}
    later(emu, crm, 1)
    assert result(crm) == {eid: 1}
    follows = [
        f["userid"] for f in crm.get("externalcontact/get", external_userid=eid)["follow_user"]
    ]
    assert "sunli" in follows and "xuqiang" not in follows
    events = [e.data for e in emu.events.history("change_external_contact")[-2:]]
    assert {
        "ChangeType": "add_external_contact",
        "UserID": "sunli",
        "ExternalUserID": eid,
    } in events
    assert any(e.get("Source") == "DELETE_BY_TRANSFER" and e["UserID"] == "xuqiang" for e in events)


def test_customer_refuses_transfer_fail_event(emu: Emulator, crm: Api) -> None:
    eid = customers(crm, "xuqiang")[0]
    onjob(crm, [eid])
    emu.resolve_transfer(eid, "refuse")
    r = crm.post(
        "externalcontact/transfer_result",
        {"handover_userid": "xuqiang", "takeover_userid": "sunli"},
    )
    assert r["customer"] == [{"external_userid": eid, "status": 3, "takeover_time": 0}]
    event = emu.events.history("change_external_contact")[-1].data
    assert event == {
        "ChangeType": "transfer_fail",
        "UserID": "sunli",
        "ExternalUserID": eid,
        "FailReason": "customer_refused",
    }
    assert "xuqiang" in [
        f["userid"] for f in crm.get("externalcontact/get", external_userid=eid)["follow_user"]
    ]


def test_takeover_at_capacity_status_4(
    emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    eid = customers(crm, "xuqiang")[0]
    onjob(crm, [eid])
    monkeypatch.setattr(tr, "CUSTOMER_CAPACITY", 1)
    later(emu, crm, 86400)
    assert result(crm) == {eid: 4}
    assert (
        emu.events.history("change_external_contact")[-1].data["FailReason"]
        == "customer_limit_exceed"
    )


def test_two_onjob_transfers_per_90_days_then_40128(emu: Emulator, crm: Api) -> None:
    eid = customers(crm, "xuqiang")[0]
    assert onjob(crm, [eid])["customer"][0]["errcode"] == 0
    assert onjob(crm, [eid])["customer"][0]["errcode"] == 40129  # already waiting
    later(emu, crm, 86400)
    assert onjob(crm, [eid], "sunli", "mahao")["customer"][0]["errcode"] == 0
    later(emu, crm, 86400)
    assert onjob(crm, [eid], "mahao", "xuqiang")["customer"][0]["errcode"] == 40128
    later(emu, crm, 88 * 86400)
    assert onjob(crm, [eid], "mahao", "xuqiang")["customer"][0]["errcode"] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"handover_userid": "xuqiang", "takeover_userid": "xuqiang"}, 40130),
        ({"handover_userid": "ghost", "takeover_userid": "sunli"}, 60111),
        ({"handover_userid": "xuqiang", "takeover_userid": "ghost"}, 60111),
        ({"handover_userid": "xuqiang", "takeover_userid": "zhangsan"}, 60011),
        ({"handover_userid": "xuqiang", "takeover_userid": "sunli", "external_userid": []}, 40058),
        (
            {
                "handover_userid": "xuqiang",
                "takeover_userid": "sunli",
                "external_userid": ["wm"] * 101,
            },
            40058,
        ),
        (
            {
                "handover_userid": "xuqiang",
                "takeover_userid": "sunli",
                "transfer_success_msg": "x" * 201,
            },
            40058,
        ),
    ],
)
def test_transfer_customer_errors(emu: Emulator, crm: Api, body: dict[str, Any], code: int) -> None:
    body = {"external_userid": customers(crm, "xuqiang")[:1], **body}
    before = emu.state_fingerprint()
    assert crm.post("externalcontact/transfer_customer", body)["errcode"] == code
    assert emu.state_fingerprint() == before


def test_takeover_not_activated_41054(emu: Emulator) -> None:
    ext = Api(emu, "external")
    eid = customers(ext, "xuqiang")[0]
    r = ext.post(
        "externalcontact/transfer_customer",
        {"handover_userid": "xuqiang", "takeover_userid": "dengyi", "external_userid": [eid]},
    )
    assert r["errcode"] == 41054


def test_resigned_member_customers_unassigned_then_assigned(emu: Emulator, crm: Api) -> None:
    mine = customers(crm, "xuqiang")
    resigned_at = emu.member_resigns("xuqiang")["dimission_time"]
    rows, cursor = [], ""
    for _ in range(100):
        r = crm.post("externalcontact/get_unassigned_list", {"page_size": 7, "cursor": cursor})
        assert r["errcode"] == 0
        rows += r["info"]
        cursor = r["next_cursor"]
        if r["is_last"]:
            break
    assert cursor == "" and [x["external_userid"] for x in rows] == mine
    assert {(x["handover_userid"], x["dimission_time"]) for x in rows} == {("xuqiang", resigned_at)}
    body = {"handover_userid": "xuqiang", "takeover_userid": "sunli", "external_userid": mine[:2]}
    assert [
        c["errcode"]
        for c in crm.post("externalcontact/resigned/transfer_customer", body)["customer"]
    ] == [0, 0]
    left = crm.post("externalcontact/get_unassigned_list", {})["info"]
    assert [x["external_userid"] for x in left] == mine[2:]
    assert result(crm, path="resigned/transfer_result") == {mine[0]: 2, mine[1]: 2}
    emu.resolve_transfer(mine[1], "refuse")  # refused: back in the unassigned list
    later(emu, crm, 86400)
    assert result(crm, path="resigned/transfer_result") == {mine[0]: 1, mine[1]: 3}
    left = [
        x["external_userid"] for x in crm.post("externalcontact/get_unassigned_list", {})["info"]
    ]
    assert mine[0] not in left and mine[1] in left


def test_unassigned_legacy_page_id(emu: Emulator, crm: Api) -> None:
    mine = customers(crm, "xuqiang")
    emu.member_resigns("xuqiang")
    p0 = crm.post("externalcontact/get_unassigned_list", {"page_id": 0, "page_size": 5})
    p1 = crm.post("externalcontact/get_unassigned_list", {"page_id": 1, "page_size": 5})
    assert [x["external_userid"] for x in p0["info"] + p1["info"]] == mine[:10]
    assert "next_cursor" not in p1
    assert (
        crm.post("externalcontact/get_unassigned_list", {"page_id": 50, "page_size": 1000})[
            "errcode"
        ]
        == 40058
    )
    assert crm.post("externalcontact/get_unassigned_list", {"cursor": "q" * 43})["errcode"] == 50100


def test_member_deleted_through_contacts_api_counts_as_resigned(emu: Emulator, crm: Api) -> None:
    mine = customers(crm, "sunli")
    contacts = Api(emu, "contacts")
    assert contacts.get("user/delete", userid="sunli")["errcode"] == 0
    rows = crm.post("externalcontact/get_unassigned_list", {})["info"]
    assert [x["external_userid"] for x in rows] == mine


def test_resigned_transfer_errors(emu: Emulator, crm: Api) -> None:
    eid = customers(crm, "xuqiang")[0]
    body = {"handover_userid": "xuqiang", "takeover_userid": "sunli", "external_userid": [eid]}
    assert crm.post("externalcontact/resigned/transfer_customer", body)["errcode"] == 40097
    assert crm.post("externalcontact/resigned/transfer_result", body)["errcode"] == 40097
    assert (
        crm.post(
            "externalcontact/resigned/transfer_customer", {**body, "handover_userid": "ghost"}
        )["errcode"]
        == 60111
    )
    emu.member_resigns("xuqiang")
    for takeover, code in (("ghost", 60111), ("zhangsan", 60011)):
        assert (
            crm.post(
                "externalcontact/resigned/transfer_customer", {**body, "takeover_userid": takeover}
            )["errcode"]
            == code
        )
    assert (
        crm.post("externalcontact/resigned/transfer_customer", {**body, "external_userid": []})[
            "errcode"
        ]
        == 40058
    )
    other = customers(crm, "mahao")[0]
    r = crm.post("externalcontact/resigned/transfer_customer", {**body, "external_userid": [other]})
    assert r["customer"] == [{"external_userid": other, "errcode": 40131}]


def test_transfer_result_errors(crm: Api) -> None:
    base = {"handover_userid": "xuqiang", "takeover_userid": "sunli"}
    assert (
        crm.post("externalcontact/transfer_result", {**base, "handover_userid": "ghost"})["errcode"]
        == 60111
    )
    assert (
        crm.post("externalcontact/transfer_result", {**base, "takeover_userid": "zhangsan"})[
            "errcode"
        ]
        == 60011
    )
    assert (
        crm.post("externalcontact/transfer_result", {**base, "cursor": "c" * 43})["errcode"]
        == 50100
    )
    assert (
        crm.post("externalcontact/resigned/transfer_result", {**base, "handover_userid": "ghost"})[
            "errcode"
        ]
        == 60111
    )


def test_legacy_transfer(emu: Emulator, crm: Api) -> None:
    a, b = customers(crm, "xuqiang")[:2]
    body = {"handover_userid": "xuqiang", "takeover_userid": "sunli", "external_userid": a}
    assert crm.post("externalcontact/transfer", body)["errcode"] == 0
    assert crm.post("externalcontact/transfer", body)["errcode"] == 40129
    assert (
        crm.post("externalcontact/transfer", {**body, "external_userid": "wmNOPE"})["errcode"]
        == 40096
    )
    assert (
        crm.post(
            "externalcontact/transfer", {**body, "external_userid": customers(crm, "mahao")[0]}
        )["errcode"]
        == 40131
    )
    assert (
        crm.post("externalcontact/transfer", {**body, "takeover_userid": "xuqiang"})["errcode"]
        == 40130
    )
    assert (
        crm.post("externalcontact/transfer", {**body, "takeover_userid": "ghost"})["errcode"]
        == 60111
    )
    assert (
        crm.post("externalcontact/transfer", {**body, "takeover_userid": "zhangsan"})["errcode"]
        == 60011
    )
    assert (
        crm.post("externalcontact/transfer", {**body, "handover_userid": "ghost"})["errcode"]
        == 60111
    )
    emu.resolve_transfer(a, "accept")
    moved = {**body, "handover_userid": "sunli", "takeover_userid": "mahao"}
    assert crm.post("externalcontact/transfer", moved)["errcode"] == 0
    emu.resolve_transfer(a, "accept")
    again = {**body, "handover_userid": "mahao", "takeover_userid": "xuqiang"}
    assert crm.post("externalcontact/transfer", again)["errcode"] == 40128
    emu.member_resigns("xuqiang")  # a resigned handover works through the same path
    r = crm.post(
        "externalcontact/transfer", {**body, "external_userid": b, "takeover_userid": "gaoyu"}
    )
    assert r["errcode"] == 0
    assert result(crm, "xuqiang", "gaoyu", "resigned/transfer_result") == {b: 2}
    assert (
        crm.post(
            "externalcontact/transfer",
            {**body, "external_userid": b, "takeover_userid": "gaoyu", "handover_userid": "nobody"},
        )["errcode"]
        == 60111
    )


# -- customer groups -------------------------------------------------------------------------
def owned(api: Api, owner: str) -> list[str]:
    r = api.post(
        "externalcontact/groupchat/list", {"limit": 100, "owner_filter": {"userid_list": [owner]}}
    )
    return [c["chat_id"] for c in r["group_chat_list"]]


def test_group_transfer_paths_resigned_vs_onjob(emu: Emulator, crm: Api) -> None:
    chats = owned(crm, "wuxia")
    body = {"chat_id_list": [*chats[:1], "wrNOPE"], "new_owner": "sunli"}
    r = crm.post(
        "externalcontact/groupchat/transfer", body
    )  # resigned path: wuxia still works here
    assert [(f["chat_id"], f["errcode"]) for f in r["failed_chat_list"]] == [
        (chats[0], 90500),
        ("wrNOPE", 90501),
    ]
    assert r["failed_chat_list"][0]["errmsg"] == "the owner of this chat is not resigned"
    r = crm.post(
        "externalcontact/groupchat/onjob_transfer",
        {"chat_id_list": chats[:1], "new_owner": "sunli"},
    )
    assert r["failed_chat_list"] == []
    got = crm.post("externalcontact/groupchat/get", {"chat_id": chats[0]})["group_chat"]
    assert got["owner"] == "sunli"
    r = crm.post(
        "externalcontact/groupchat/onjob_transfer",
        {"chat_id_list": chats[:1], "new_owner": "sunli"},
    )
    assert r["failed_chat_list"][0]["errcode"] == 90504
    crm.post(
        "externalcontact/groupchat/onjob_transfer",
        {"chat_id_list": chats[:1], "new_owner": "mahao"},
    )
    r = crm.post(
        "externalcontact/groupchat/onjob_transfer",
        {"chat_id_list": chats[:1], "new_owner": "wuxia"},
    )
    assert r["failed_chat_list"][0]["errcode"] == 40128  # 2 per group per 90 days


def test_group_transfer_of_resigned_owner(emu: Emulator, crm: Api) -> None:
    chats = owned(crm, "wuxia")
    emu.member_resigns("wuxia")
    status = crm.post("externalcontact/groupchat/list", {"limit": 100, "status_filter": 1})
    assert set(chats) <= {c["chat_id"] for c in status["group_chat_list"]}
    r = crm.post(
        "externalcontact/groupchat/onjob_transfer",
        {"chat_id_list": chats[:1], "new_owner": "sunli"},
    )
    assert r["failed_chat_list"][0]["errcode"] == 90502
    r = crm.post(
        "externalcontact/groupchat/transfer", {"chat_id_list": chats, "new_owner": "sunli"}
    )
    assert r["failed_chat_list"] == []
    inherited = crm.post("externalcontact/groupchat/list", {"limit": 100, "status_filter": 3})
    assert {c["chat_id"] for c in inherited["group_chat_list"]} == set(chats)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"chat_id_list": [], "new_owner": "sunli"}, 40058),
        ({"chat_id_list": ["wr"] * 101, "new_owner": "sunli"}, 40058),
        ({"chat_id_list": ["wrX"], "new_owner": "ghost"}, 60111),
        ({"chat_id_list": ["wrX"], "new_owner": "zhangsan"}, 60011),
    ],
)
def test_group_transfer_errors(crm: Api, body: dict[str, Any], code: int) -> None:
    for path in ("groupchat/transfer", "groupchat/onjob_transfer"):
        assert crm.post(f"externalcontact/{path}", body)["errcode"] == code


def test_group_transfer_new_owner_not_activated_41054(emu: Emulator) -> None:
    ext = Api(emu, "external")
    for path in ("groupchat/transfer", "groupchat/onjob_transfer"):
        r = ext.post(f"externalcontact/{path}", {"chat_id_list": ["wrX"], "new_owner": "dengyi"})
        assert r["errcode"] == 41054
