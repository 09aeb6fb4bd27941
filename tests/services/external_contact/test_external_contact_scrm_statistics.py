"""Statistics computed from sandbox activity: range rules, aggregation, group figures."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.external_contact.scrm_store import midnight
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def behavior(api: Api, **body: Any) -> dict[str, Any]:
    return api.post("externalcontact/get_user_behavior_data", body)


def test_behavior_counts_adds_deletions_and_messages(emu: Emulator, crm: Api) -> None:
    today = midnight(emu.clock.time())
    a = emu.customer_add_follow("xuqiang", customer={"name": "甲", "type": 1})
    b = emu.customer_add_follow("xuqiang", customer={"name": "乙", "type": 1})
    emu.customer_add_follow("sunli", customer={"name": "丙", "type": 1})
    emu.customer_delete_follow("xuqiang", b["external_userid"])
    assert (
        crm.post(
            "externalcontact/send_welcome_msg",
            {"welcome_code": a["welcome_code"], "text": {"content": "hi"}},
        )["errcode"]
        == 0
    )
    r = behavior(crm, userid=["xuqiang"], start_time=today - 86400, end_time=today + 3600)
    assert r["errcode"] == 0
    yesterday, day = r["behavior_data"]
    assert yesterday == {
        "stat_time": today - 86400,
        "chat_cnt": 0,
        "message_cnt": 0,
        "negative_feedback_cnt": 0,
        "new_apply_cnt": 0,
        "new_contact_cnt": 0,
    }
    assert day == {
        "stat_time": today,
        "chat_cnt": 1,
        "message_cnt": 1,
        "negative_feedback_cnt": 1,
        "new_apply_cnt": 0,
        "new_contact_cnt": 2,
    }
    both = behavior(crm, userid=["xuqiang", "sunli"], start_time=today, end_time=today)[
        "behavior_data"
    ]
    assert both[0]["new_contact_cnt"] == 3  # members are aggregated into one series
    dept = behavior(crm, partyid=[5], start_time=today, end_time=today)["behavior_data"]
    assert dept[0]["new_contact_cnt"] == 3 and "reply_percentage" not in dept[0]


def test_api_changes_are_not_activity(emu: Emulator, crm: Api) -> None:
    today = midnight(emu.clock.time())
    eid = crm.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    crm.post("externalcontact/remark", {"userid": "xuqiang", "external_userid": eid, "remark": "x"})
    r = behavior(crm, userid=["xuqiang"], start_time=today, end_time=today)["behavior_data"][0]
    assert r["new_contact_cnt"] == 0 and r["negative_feedback_cnt"] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"start_time": "T0", "end_time": "T0"}, 40058),
        ({"userid": ["xuqiang"], "end_time": "T0"}, 40058),
        ({"userid": ["xuqiang"], "start_time": "T0", "end_time": "T0-1d"}, 40058),
        ({"userid": ["xuqiang"], "start_time": "T0-31d", "end_time": "T0"}, 40058),
        ({"userid": ["xuqiang"], "start_time": "T0-181d", "end_time": "T0-170d"}, 40058),
        ({"userid": ["ghost"], "start_time": "T0", "end_time": "T0"}, 60111),
        ({"userid": ["zhangsan"], "start_time": "T0", "end_time": "T0"}, 60011),
        ({"partyid": [999], "start_time": "T0", "end_time": "T0"}, 40066),
        ({"userid": ["u"] * 101, "start_time": "T0", "end_time": "T0"}, 40058),
    ],
)
def test_behavior_errors(emu: Emulator, crm: Api, body: dict[str, Any], code: int) -> None:
    t0 = midnight(emu.clock.time())

    def value(v: Any) -> Any:
        if isinstance(v, str) and v.startswith("T0"):
            rest = v[2:]
            return t0 + (int(rest[:-1]) * 86400 if rest else 0)
        return v

    body = {k: value(v) for k, v in body.items()}
    assert behavior(crm, **body)["errcode"] == code


def test_group_statistics_per_owner_and_by_day(emu: Emulator, crm: Api) -> None:
    emu.advance(86400 * 2)
    crm.token = emu.token("app", 1000003)
    eid = crm.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    g = emu.create_customer_group("xuqiang", name="新群", members=[eid])
    r = crm.post(
        "externalcontact/add_msg_template",
        {
            "chat_type": "group",
            "sender": "xuqiang",
            "chat_id_list": [g["chat_id"]],
            "text": {"content": "群发"},
        },
    )
    emu.confirm_groupmsg(r["msgid"], "xuqiang")
    today = midnight(emu.clock.time())
    assert (
        crm.post("externalcontact/groupchat/statistic", {"day_begin_time": today})["errcode"]
        == 40058
    )  # only up to yesterday
    emu.advance(86400)
    crm.token = emu.token("app", 1000003)
    body = {"day_begin_time": today, "owner_filter": {"userid_list": ["xuqiang", "wuxia"]}}
    r = crm.post("externalcontact/groupchat/statistic", body)
    assert r["errcode"] == 0 and r["total"] == 2 and r["next_offset"] == 2
    first = r["items"][0]
    assert first["owner"] == "xuqiang"  # ordered by new_chat_cnt, descending
    assert first["data"]["new_chat_cnt"] == 1 and first["data"]["new_member_cnt"] == 2
    assert first["data"]["msg_total"] == 1 and first["data"]["chat_has_msg"] == 1
    by_day = crm.post(
        "externalcontact/groupchat/statistic_group_by_day",
        {
            "day_begin_time": today - 86400,
            "day_end_time": today,
            **{"owner_filter": body["owner_filter"]},
        },
    )
    assert [i["stat_time"] for i in by_day["items"]] == [today - 86400, today]
    assert (
        by_day["items"][1]["data"]["new_chat_cnt"] == 1
        and by_day["items"][0]["data"]["new_chat_cnt"] == 0
    )
    assert by_day["items"][1]["data"]["chat_total"] == by_day["items"][0]["data"]["chat_total"] + 1
    asc = crm.post("externalcontact/groupchat/statistic", {**body, "order_asc": 1, "limit": 1})
    assert asc["items"][0]["owner"] == "wuxia" and asc["next_offset"] == 1


def test_group_statistic_errors(emu: Emulator, crm: Api) -> None:
    y = midnight(emu.clock.time()) - 86400
    for path in ("groupchat/statistic", "groupchat/statistic_group_by_day"):
        p = f"externalcontact/{path}"
        assert crm.post(p, {})["errcode"] == 40058
        assert (
            crm.post(p, {"day_begin_time": y - 40 * 86400, "day_end_time": y})["errcode"] == 40058
        )
        assert (
            crm.post(p, {"day_begin_time": y, "owner_filter": {"userid_list": ["ghost"]}})[
                "errcode"
            ]
            == 60111
        )
        assert (
            crm.post(p, {"day_begin_time": y, "owner_filter": {"userid_list": ["zhangsan"]}})[
                "errcode"
            ]
            == 60011
        )
    p = "externalcontact/groupchat/statistic"
    assert crm.post(p, {"day_begin_time": y, "order_by": 9})["errcode"] == 40058
    assert crm.post(p, {"day_begin_time": y, "limit": 1001})["errcode"] == 40058


def test_group_statistic_81017_without_owner_filter(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mock_server.services.external_contact import statistics

    monkeypatch.setattr(statistics, "OWNERS_VISIBLE_MAX", 3)
    ext = Api(emu, "external")
    y = midnight(emu.clock.time()) - 86400
    for path in ("groupchat/statistic", "groupchat/statistic_group_by_day"):
        assert ext.post(f"externalcontact/{path}", {"day_begin_time": y})["errcode"] == 81017


def test_a_resigned_members_figures_stay_readable(emu: Emulator, crm: Api) -> None:
    today = midnight(emu.clock.time())
    emu.customer_add_follow("xuqiang", customer={"name": "甲", "type": 1})
    emu.member_resigns("xuqiang")
    r = behavior(crm, userid=["XuQiang"], start_time=today, end_time=today)
    assert r["errcode"] == 0 and r["behavior_data"][0]["new_contact_cnt"] == 1
    assert behavior(crm, userid=["ghost"], start_time=today, end_time=today)["errcode"] == 60111
