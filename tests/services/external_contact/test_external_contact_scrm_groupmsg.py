"""Mass messaging: tasks, member confirmation, every send status, daily quota, reads."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def customers(api: Api, userid: str) -> list[str]:
    return list(api.get("externalcontact/list", userid=userid)["external_userid"])


def add(api: Api, **body: Any) -> dict[str, Any]:
    r = api.post("externalcontact/add_msg_template", {"text": {"content": "会员日"}, **body})
    assert r["errcode"] == 0, r
    return r


def test_single_with_ids_routes_to_follow_user_and_reports_fail_list(
    emu: Emulator, crm: Api
) -> None:
    a, b = customers(crm, "xuqiang")[:2]
    r = add(crm, external_userid=[a, b, "wmNOTACUSTOMER00000000000000AAA"])
    assert r["fail_list"] == ["wmNOTACUSTOMER00000000000000AAA"] and r["msgid"].startswith("msg")
    tasks = crm.post("externalcontact/get_groupmsg_task", {"msgid": r["msgid"]})["task_list"]
    assert {t["userid"] for t in tasks} >= {"xuqiang"} and all(t["status"] == 0 for t in tasks)
    assert all("send_time" not in t for t in tasks)
    assert emu.customer_messages(a) == []  # nothing is sent before the member confirms


def test_sender_alone_targets_all_their_customers(emu: Emulator, crm: Api) -> None:
    mine = customers(crm, "sunli")
    r = add(crm, sender="sunli")
    rows = crm.post(
        "externalcontact/get_groupmsg_send_result", {"msgid": r["msgid"], "userid": "sunli"}
    )
    assert sorted(x["external_userid"] for x in rows["send_list"]) == sorted(mine)
    assert {x["status"] for x in rows["send_list"]} == {0}


def test_tag_filter_or_within_and_across_groups(emu: Emulator, crm: Api) -> None:
    groups = crm.post("externalcontact/get_corp_tag_list")["tag_group"]
    t1, t2 = groups[0]["tag"][0]["id"], groups[1]["tag"][0]["id"]
    mine = [
        emu.customer_add_follow("mahao", customer={"name": f"新{i}", "type": 1})["external_userid"]
        for i in range(3)
    ]
    for eid in mine[:2]:
        crm.post(
            "externalcontact/mark_tag", {"userid": "mahao", "external_userid": eid, "add_tag": [t1]}
        )
    crm.post(
        "externalcontact/mark_tag", {"userid": "mahao", "external_userid": mine[0], "add_tag": [t2]}
    )
    one = add(
        crm, sender="mahao", tag_filter={"group_list": [{"tag_list": [t1]}, {"tag_list": [t2]}]}
    )
    rows = crm.post(
        "externalcontact/get_groupmsg_send_result", {"msgid": one["msgid"], "userid": "mahao"}
    )
    got = {x["external_userid"] for x in rows["send_list"]}
    assert mine[0] in got and mine[1] not in got


def test_confirm_sends_and_every_status(emu: Emulator, crm: Api) -> None:
    a, b, c, d = customers(crm, "xuqiang")[:4]
    first = add(crm, sender="xuqiang", external_userid=[c])
    emu.confirm_groupmsg(first["msgid"], "xuqiang")  # c used up today's quota
    r = add(crm, sender="xuqiang", external_userid=[a, b, c, d])
    emu.follow_delete_customer("xuqiang", b)  # no longer a friend before confirming
    emu.confirm_groupmsg(r["msgid"], "xuqiang", exclude=[d])
    rows = crm.post(
        "externalcontact/get_groupmsg_send_result", {"msgid": r["msgid"], "userid": "xuqiang"}
    )
    status = {x["external_userid"]: x for x in rows["send_list"]}
    assert status[a]["status"] == 1 and status[a]["send_time"] == emu.clock.time()
    assert status[b]["status"] == 2 and "send_time" not in status[b]
    assert status[c]["status"] == 3
    assert status[d]["status"] == 0
    task = crm.post("externalcontact/get_groupmsg_task", {"msgid": r["msgid"]})["task_list"]
    assert [(t["userid"], t["status"]) for t in task] == [("xuqiang", 2)] and task[0]["send_time"]
    assert [m["kind"] for m in emu.customer_messages(a)] == ["groupmsg"]
    # the next Beijing day, the customer can receive again
    emu.advance(86400)
    crm.token = emu.token("app", 1000003)
    again = add(crm, sender="xuqiang", external_userid=[c])
    emu.confirm_groupmsg(again["msgid"], "xuqiang")
    rows = crm.post(
        "externalcontact/get_groupmsg_send_result", {"msgid": again["msgid"], "userid": "xuqiang"}
    )
    assert rows["send_list"][0]["status"] == 1


def test_group_chat_mass_message(emu: Emulator, crm: Api) -> None:
    chats = crm.post(
        "externalcontact/groupchat/list", {"limit": 100, "owner_filter": {"userid_list": ["wuxia"]}}
    )
    chat_ids = [c["chat_id"] for c in chats["group_chat_list"]]
    assert chat_ids
    r = add(crm, chat_type="group", sender="wuxia", chat_id_list=[chat_ids[0], "wrNOPE"])
    assert r["fail_list"] == ["wrNOPE"]
    empty = crm.post(
        "externalcontact/get_groupmsg_send_result", {"msgid": r["msgid"], "userid": "wuxia"}
    )
    assert empty["send_list"] == []  # group rows exist only once sent
    emu.confirm_groupmsg(r["msgid"], "wuxia")
    rows = crm.post(
        "externalcontact/get_groupmsg_send_result", {"msgid": r["msgid"], "userid": "wuxia"}
    )
    assert [(x["chat_id"], x["status"]) for x in rows["send_list"]] == [(chat_ids[0], 1)]
    assert "external_userid" not in rows["send_list"][0]
    assert (
        crm.post(
            "externalcontact/add_msg_template", {"chat_type": "group", "text": {"content": "x"}}
        )["errcode"]
        == 40058
    )
    r = crm.post(
        "externalcontact/add_msg_template",
        {
            "chat_type": "group",
            "sender": "wuxia",
            "chat_id_list": ["wrNOPE"],
            "text": {"content": "x"},
        },
    )
    assert r["errcode"] == 41048 and r["fail_list"] == ["wrNOPE"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": {"content": "x"}}, 40058),  # no sender, ids or tags
        ({"sender": "xuqiang"}, 40058),  # no content
        ({"sender": "xuqiang", "chat_type": "broadcast", "text": {"content": "x"}}, 40058),
        ({"sender": "ghost", "text": {"content": "x"}}, 60111),
        ({"sender": "zhangsan", "text": {"content": "x"}}, 60011),
        ({"external_userid": ["wmNOPE"], "text": {"content": "x"}}, 41048),
        (
            {"sender": "xuqiang", "text": {"content": "x"}, "attachments": [{"msgtype": "news"}]},
            41065,
        ),
        (
            {"sender": "xuqiang", "attachments": [{"msgtype": "file", "file": {"media_id": "3x"}}]},
            40007,
        ),
        (
            {
                "sender": "xuqiang",
                "attachments": [{"msgtype": "link", "link": {"title": "t", "url": "u"}}] * 10,
            },
            41064,
        ),
    ],
)
def test_add_msg_template_errors(emu: Emulator, crm: Api, body: dict[str, Any], code: int) -> None:
    before = emu.state_fingerprint()
    r = crm.post("externalcontact/add_msg_template", body)
    assert r["errcode"] == code, r
    assert emu.state_fingerprint() == before


def test_reads_msgid_errors(crm: Api) -> None:
    for path in (
        "get_groupmsg_task",
        "get_groupmsg_send_result",
        "remind_groupmsg_send",
        "cancel_groupmsg_send",
        "get_group_msg_result",
    ):
        assert crm.post(f"externalcontact/{path}", {"userid": "xuqiang"})["errcode"] == 41046
        assert (
            crm.post(f"externalcontact/{path}", {"msgid": "msgNOPE", "userid": "xuqiang"})[
                "errcode"
            ]
            == 41047
        )


def test_send_result_member_errors_and_cursor(crm: Api) -> None:
    msgid = add(crm, sender="xuqiang")["msgid"]
    assert (
        crm.post("externalcontact/get_groupmsg_send_result", {"msgid": msgid, "userid": "ghost"})[
            "errcode"
        ]
        == 60111
    )
    assert (
        crm.post(
            "externalcontact/get_groupmsg_send_result", {"msgid": msgid, "userid": "zhangsan"}
        )["errcode"]
        == 60011
    )
    seen, cursor = [], ""
    for _ in range(100):
        r = crm.post(
            "externalcontact/get_groupmsg_send_result",
            {"msgid": msgid, "userid": "xuqiang", "limit": 3, "cursor": cursor},
        )
        seen += [x["external_userid"] for x in r["send_list"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(customers(crm, "xuqiang"))
    bad = {"msgid": msgid, "userid": "xuqiang", "cursor": "y" * 43}
    for path in ("get_groupmsg_send_result", "get_groupmsg_task", "get_group_msg_result"):
        assert crm.post(f"externalcontact/{path}", bad)["errcode"] == 50100


def test_list_v2_filters_and_errors(emu: Emulator, crm: Api) -> None:
    now = emu.clock.time()
    ids = [add(crm, sender="xuqiang")["msgid"] for _ in range(3)]
    base = {"chat_type": "single", "start_time": now - 10, "end_time": now + 10}
    r = crm.post("externalcontact/get_groupmsg_list_v2", {**base, "limit": 2})
    assert [g["msgid"] for g in r["group_msg_list"]] == ids[:2] and r["next_cursor"]
    g = r["group_msg_list"][0]
    assert "creator" not in g and g["create_type"] == 0 and g["text"] == {"content": "会员日"}
    r = crm.post(
        "externalcontact/get_groupmsg_list_v2", {**base, "limit": 2, "cursor": r["next_cursor"]}
    )
    assert [g["msgid"] for g in r["group_msg_list"]] == ids[2:] and r["next_cursor"] == ""
    assert (
        crm.post("externalcontact/get_groupmsg_list_v2", {**base, "filter_type": 1})[
            "group_msg_list"
        ]
        == []
    )
    assert (
        crm.post("externalcontact/get_groupmsg_list_v2", {**base, "chat_type": "group"})[
            "group_msg_list"
        ]
        == []
    )
    for body in (
        {"chat_type": "single"},
        {**base, "end_time": now + 40 * 86400},
        {**base, "filter_type": 5},
    ):
        assert crm.post("externalcontact/get_groupmsg_list_v2", body)["errcode"] == 40058
    assert (
        crm.post("externalcontact/get_groupmsg_list_v2", {**base, "cursor": "z" * 43})["errcode"]
        == 50100
    )


def test_remind_three_times_a_day_then_41094(emu: Emulator, crm: Api) -> None:
    msgid = add(crm, sender="xuqiang")["msgid"]
    for _ in range(3):
        assert crm.post("externalcontact/remind_groupmsg_send", {"msgid": msgid})["errcode"] == 0
    assert crm.post("externalcontact/remind_groupmsg_send", {"msgid": msgid})["errcode"] == 41094
    emu.advance(86400)
    crm.token = emu.token("app", 1000003)
    assert crm.post("externalcontact/remind_groupmsg_send", {"msgid": msgid})["errcode"] == 0


def test_cancel_stops_unsent_members_and_remind_gets_41093(emu: Emulator, crm: Api) -> None:
    a = customers(crm, "xuqiang")[0]
    b = customers(crm, "sunli")[0]
    msgid = add(crm, external_userid=[a, b])["msgid"]
    emu.confirm_groupmsg(msgid, "xuqiang")
    assert crm.post("externalcontact/cancel_groupmsg_send", {"msgid": msgid})["errcode"] == 0
    with pytest.raises(Exception, match="cancelled"):
        emu.confirm_groupmsg(msgid, "sunli")
    assert crm.post("externalcontact/remind_groupmsg_send", {"msgid": msgid})["errcode"] == 41093
    tasks = {
        t["userid"]: t["status"]
        for t in crm.post("externalcontact/get_groupmsg_task", {"msgid": msgid})["task_list"]
    }
    assert tasks["xuqiang"] == 2 and tasks["sunli"] == 0  # sent ones are not recalled
    assert [m["kind"] for m in emu.customer_messages(a)] == ["groupmsg"]


def test_legacy_result_lists_every_row(emu: Emulator, crm: Api) -> None:
    a = customers(crm, "xuqiang")[0]
    b = customers(crm, "sunli")[0]
    msgid = add(crm, external_userid=[a, b])["msgid"]
    emu.confirm_groupmsg(msgid, "sunli")
    r = crm.post("externalcontact/get_group_msg_result", {"msgid": msgid})
    rows = {x["external_userid"]: x["status"] for x in r["detail_list"]}
    assert rows == {a: 0, b: 1} and r["next_cursor"] == ""


def test_send_results_of_a_member_who_resigned_stay_readable(emu: Emulator, crm: Api) -> None:
    a = customers(crm, "xuqiang")[0]
    msgid = add(crm, sender="xuqiang", external_userid=[a])["msgid"]
    emu.confirm_groupmsg(msgid, "xuqiang")
    emu.member_resigns("xuqiang")
    for userid in ("xuqiang", "XUQIANG"):
        r = crm.post("externalcontact/get_groupmsg_send_result", {"msgid": msgid, "userid": userid})
        assert r["errcode"] == 0, r
        assert [(x["external_userid"], x["userid"], x["status"]) for x in r["send_list"]] == [
            (a, "xuqiang", 1)
        ]
    ghost = {"msgid": msgid, "userid": "ghost"}
    assert crm.post("externalcontact/get_groupmsg_send_result", ghost)["errcode"] == 60111
