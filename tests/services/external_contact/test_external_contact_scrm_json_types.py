"""A field of the wrong JSON type answers 40058 with the real ``Warning: wrong json format.``
prefix on every SCRM endpoint, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api

CASES: list[tuple[str, dict[str, Any]]] = [
    ("add_contact_way", {"type": "x", "scene": 2}),
    ("get_contact_way", {"config_id": 7}),
    ("list_contact_way", {"limit": "many"}),
    ("update_contact_way", {"config_id": 7}),
    ("del_contact_way", {"config_id": 7}),
    ("close_temp_chat", {"userid": 7, "external_userid": "wm"}),
    ("send_welcome_msg", {"welcome_code": 7}),
    ("group_welcome_template/add", {"text": "hi"}),
    ("group_welcome_template/edit", {"template_id": 7}),
    ("group_welcome_template/get", {"template_id": 7}),
    ("group_welcome_template/del", {"template_id": 7}),
    ("add_msg_template", {"chat_type": 7, "text": {"content": "x"}}),
    ("get_groupmsg_list_v2", {"start_time": "x", "end_time": 1}),
    ("get_groupmsg_task", {"msgid": 7}),
    ("get_groupmsg_send_result", {"msgid": 7, "userid": "xuqiang"}),
    ("remind_groupmsg_send", {"msgid": 7}),
    ("cancel_groupmsg_send", {"msgid": 7}),
    ("get_group_msg_result", {"msgid": 7}),
    (
        "transfer_customer",
        {"handover_userid": "xuqiang", "takeover_userid": "sunli", "external_userid": "wm"},
    ),
    ("transfer_result", {"handover_userid": 7, "takeover_userid": "sunli"}),
    ("resigned/transfer_customer", {"handover_userid": 7, "takeover_userid": "sunli"}),
    ("resigned/transfer_result", {"handover_userid": 7, "takeover_userid": "sunli"}),
    ("get_unassigned_list", {"page_size": "big"}),
    ("transfer", {"handover_userid": 7, "takeover_userid": "sunli", "external_userid": "wm"}),
    ("groupchat/transfer", {"chat_id_list": "wr", "new_owner": "sunli"}),
    ("groupchat/onjob_transfer", {"chat_id_list": "wr", "new_owner": "sunli"}),
    ("groupchat/add_join_way", {"scene": "two", "chat_id_list": ["wr"]}),
    ("groupchat/get_join_way", {"config_id": 7}),
    ("groupchat/update_join_way", {"config_id": 7}),
    ("groupchat/del_join_way", {"config_id": 7}),
    ("opengid_to_chatid", {"opengid": 7}),
    ("get_user_behavior_data", {"userid": "xuqiang", "start_time": 1, "end_time": 1}),
    ("groupchat/statistic", {"day_begin_time": "x"}),
    ("groupchat/statistic_group_by_day", {"day_begin_time": "x"}),
    ("add_moment_task", {"visible_range": "all", "text": {"content": "x"}}),
    ("get_moment_list", {"start_time": "x", "end_time": 1}),
    ("get_moment_task", {"moment_id": 7}),
    ("get_moment_customer_list", {"moment_id": 7, "userid": "xuqiang"}),
    ("get_moment_send_result", {"moment_id": 7, "userid": "xuqiang"}),
    ("cancel_moment_task", {"moment_id": 7}),
]


@pytest.mark.parametrize(("path", "body"), CASES, ids=[c[0] for c in CASES])
def test_wrong_json_type_40058(emu: Emulator, path: str, body: dict[str, Any]) -> None:
    api = Api(emu, "app", 1000003)
    before = emu.state_fingerprint()
    r = api.post(f"externalcontact/{path}", body)
    assert r["errcode"] == 40058, r
    assert r["errmsg"].startswith("Warning: wrong json format."), r["errmsg"]
    assert emu.state_fingerprint() == before


def test_get_moment_task_result_without_jobid(emu: Emulator) -> None:
    api = Api(emu, "app", 1000003)
    assert api.get("externalcontact/get_moment_task_result")["errcode"] == 40088
