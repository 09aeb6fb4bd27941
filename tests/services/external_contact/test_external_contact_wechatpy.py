"""An unchanged real SDK (wechatpy 1.8.18) drives customer contact through ``intercept()``."""

from __future__ import annotations

import pytest
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from mock_server import Emulator

CORPID = "wwdemo0000000000001"


def test_wechatpy_crm_walkthrough(wecom: Emulator) -> None:
    client = WeChatClient(CORPID, "DEMO-app-1000003-secret-not-real")
    ec = client.external_contact
    assert "xuqiang" in ec.get_follow_user_list()["follow_user"]
    eid = ec.list("xuqiang")["external_userid"][0]
    detail = ec.get(eid)
    assert detail["external_contact"]["external_userid"] == eid
    group = ec.add_corp_tag(None, "SDK标签组", 5, [{"name": "来自SDK"}])["tag_group"]
    tag_id = group["tag"][0]["id"]
    ec.mark_tag("xuqiang", eid, add_tag=[tag_id])
    follow = next(f for f in ec.get(eid)["follow_user"] if f["userid"] == "xuqiang")
    assert tag_id in [t.get("tag_id") for t in follow["tags"]]
    assert tag_id in [t["id"] for g in ec.get_corp_tag_list()["tag_group"] for t in g["tag"]]
    chats = client.external_contact_group_chat.list_all(limit=3)
    assert len(chats) == 10
    chat = client.external_contact_group_chat.get(chats[0]["chat_id"])["group_chat"]
    assert chat["member_list"]
    with pytest.raises(WeChatClientException) as err:
        ec.get("wmNOPE00000000000000000000000AAA")
    assert err.value.errcode == 40096
