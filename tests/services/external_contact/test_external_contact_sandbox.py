"""Sandbox actions (Python API and /__admin/external): state changes and domain events."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator, create_app
from mock_server.core.events import SOURCE_API, SOURCE_SANDBOX, DomainEvent
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def events(emu: Emulator, kind: str) -> list[DomainEvent]:
    return emu.events.history(kind)


def test_customer_adds_follow_user_emits_add_external_contact(emu: Emulator, crm: Api) -> None:
    r = emu.customer_add_follow(
        "sunli", customer={"name": "周先生", "type": 1, "gender": 1}, state="展会二维码"
    )
    eid = r["external_userid"]
    assert eid.startswith("wm") and len(eid) == 32
    assert eid in crm.get("externalcontact/list", userid="sunli")["external_userid"]
    follow = crm.get("externalcontact/get", external_userid=eid)["follow_user"][0]
    assert (follow["state"], follow["oper_userid"], follow["add_way"]) == ("展会二维码", eid, 1)
    (ev,) = events(emu, "change_external_contact")
    assert ev.source == SOURCE_SANDBOX
    assert list(ev.data) == ["ChangeType", "UserID", "ExternalUserID", "State", "WelcomeCode"]
    assert ev.data["ChangeType"] == "add_external_contact"
    assert (ev.data["UserID"], ev.data["ExternalUserID"], ev.data["State"]) == (
        "sunli",
        eid,
        "展会二维码",
    )
    assert ev.data["WelcomeCode"] == r["welcome_code"] and len(r["welcome_code"]) == 43


def test_existing_customer_adds_another_follow_user(emu: Emulator, crm: Api) -> None:
    eid = crm.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    emu.customer_add_follow("linxin", external_userid=eid, welcome_code=False)
    users = [
        f["userid"] for f in crm.get("externalcontact/get", external_userid=eid)["follow_user"]
    ]
    assert "linxin" in users and "xuqiang" in users
    (ev,) = events(emu, "change_external_contact")
    assert "WelcomeCode" not in ev.data
    with pytest.raises(ValueError):
        emu.customer_add_follow("linxin", external_userid=eid)


def test_customer_deletes_follow_user_keeps_relation(emu: Emulator, crm: Api) -> None:
    eid = crm.get("externalcontact/list", userid="mahao")["external_userid"][0]
    emu.customer_delete_follow("mahao", eid)
    # doc: when only the customer deleted the member, the relation still counts
    assert crm.get("externalcontact/get", external_userid=eid)["errcode"] == 0
    assert eid in crm.get("externalcontact/list", userid="mahao")["external_userid"]
    (ev,) = events(emu, "change_external_contact")
    assert ev.data == {"ChangeType": "del_follow_user", "UserID": "mahao", "ExternalUserID": eid}
    # adding back is a new add_external_contact
    emu.customer_add_follow("mahao", external_userid=eid)
    assert events(emu, "change_external_contact")[-1].data["ChangeType"] == "add_external_contact"


def test_follow_user_deletes_customer(emu: Emulator, crm: Api) -> None:
    eid = crm.get("externalcontact/list", userid="hujun")["external_userid"][0]
    emu.follow_delete_customer("hujun", eid)
    assert eid not in crm.get("externalcontact/list", userid="hujun")["external_userid"]
    r = crm.post(
        "externalcontact/remark", {"userid": "hujun", "external_userid": eid, "remark": "x"}
    )
    assert r["errcode"] == 84061
    (ev,) = events(emu, "change_external_contact")
    assert ev.data == {
        "ChangeType": "del_external_contact",
        "UserID": "hujun",
        "ExternalUserID": eid,
    }
    assert ev.source == SOURCE_SANDBOX
    with pytest.raises(ValueError):
        emu.follow_delete_customer("hujun", eid)


def test_group_lifecycle_events(emu: Emulator, crm: Api) -> None:
    customers = crm.get("externalcontact/list", userid="gaoyu")["external_userid"][:3]
    created = emu.create_customer_group("gaoyu", name="新客户群", members=customers[:1])
    chat_id = created["chat_id"]
    assert chat_id.startswith("wr")
    ev = events(emu, "change_external_chat")[-1]
    assert ev.data == {"ChatId": chat_id, "ChangeType": "create"}
    v0 = crm.post("externalcontact/groupchat/get", {"chat_id": chat_id})["group_chat"][
        "member_version"
    ]

    emu.customer_join_group(chat_id, customers[1:3], join_scene=3)
    ev = events(emu, "change_external_chat")[-1]
    chat = crm.post("externalcontact/groupchat/get", {"chat_id": chat_id})["group_chat"]
    assert list(ev.data) == [
        "ChatId", "ChangeType", "UpdateDetail", "JoinScene", "MemChangeCnt", "MemChangeList", "LastMemVer", "CurMemVer",
    ]  # fmt: skip
    assert ev.data["UpdateDetail"] == "add_member" and ev.data["JoinScene"] == 3
    assert ev.data["MemChangeCnt"] == 2 and ev.data["MemChangeList"] == {"Item": customers[1:3]}
    assert ev.data["LastMemVer"] == v0 and ev.data["CurMemVer"] == chat["member_version"] != v0
    joined = {mm["userid"]: mm for mm in chat["member_list"]}
    assert joined[customers[1]]["join_scene"] == 3 and joined[customers[1]]["type"] == 2

    emu.customer_leave_group(chat_id, customers[1:2], quit_scene=1)
    ev = events(emu, "change_external_chat")[-1]
    assert ev.data["UpdateDetail"] == "del_member" and ev.data["QuitScene"] == 1
    assert "JoinScene" not in ev.data and ev.data["MemChangeList"] == {"Item": customers[1:2]}
    chat = crm.post("externalcontact/groupchat/get", {"chat_id": chat_id})["group_chat"]
    assert customers[1] not in [mm["userid"] for mm in chat["member_list"]]
    assert ev.data["CurMemVer"] == chat["member_version"]

    emu.dismiss_customer_group(chat_id)
    assert events(emu, "change_external_chat")[-1].data == {
        "ChatId": chat_id,
        "ChangeType": "dismiss",
    }
    assert crm.post("externalcontact/groupchat/get", {"chat_id": chat_id})["errcode"] == 49008
    assert all(e.source == SOURCE_SANDBOX for e in events(emu, "change_external_chat"))


def test_api_changes_are_marked_source_api(emu: Emulator, crm: Api) -> None:
    eid = crm.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    crm.post(
        "externalcontact/remark", {"userid": "xuqiang", "external_userid": eid, "remark": "改"}
    )
    r = crm.post("externalcontact/add_corp_tag", {"group_name": "API组", "tag": [{"name": "t1"}]})
    (edit,) = events(emu, "change_external_contact")
    assert edit.source == SOURCE_API and edit.actor_agentid == 1000003
    assert edit.data == {
        "ChangeType": "edit_external_contact",
        "UserID": "xuqiang",
        "ExternalUserID": eid,
    }
    tag_events = events(emu, "change_external_tag")
    assert [e.data["TagType"] for e in tag_events] == ["tag_group", "tag"]
    assert tag_events[0].data == {
        "Id": r["tag_group"]["group_id"],
        "TagType": "tag_group",
        "ChangeType": "create",
    }
    assert all(e.source == SOURCE_API for e in tag_events)


def test_rejected_sandbox_actions_change_nothing(emu: Emulator, crm: Api) -> None:
    before = crm.post("externalcontact/batch/get_by_user", {"userid_list": ["wuxia"], "limit": 100})
    with pytest.raises(ValueError):
        emu.customer_add_follow("ghost", customer={"name": "x"})
    with pytest.raises(ValueError):
        emu.customer_add_follow("wuxia", customer={"name": "x", "type": 3})
    with pytest.raises(ValueError):
        emu.customer_add_follow("wuxia")
    after = crm.post("externalcontact/batch/get_by_user", {"userid_list": ["wuxia"], "limit": 100})
    assert before == after and emu.events.history() == []


def test_admin_routes(emu: Emulator, crm: Api) -> None:
    client = create_app(emu).test_client()

    def post(path: str, body: dict[str, Any]) -> Any:
        return client.post(f"/__admin/external/{path}", json=body)

    r = post(
        "follow/add",
        {"userid": "zhuting", "customer": {"name": "钱女士", "type": 2, "corp_name": "鼎盛物流"}},
    )
    assert r.status_code == 200
    eid = r.get_json()["external_userid"]
    assert eid.startswith("wo")
    assert (
        eid
        in client.get("/__admin/external/customers?userid=zhuting").get_json()["external_userid"]
    )
    assert (
        post("follow/delete_by_customer", {"userid": "zhuting", "external_userid": eid}).status_code
        == 200
    )
    assert (
        post("follow/delete_by_member", {"userid": "zhuting", "external_userid": eid}).status_code
        == 200
    )
    assert crm.get("externalcontact/get", external_userid=eid)["errcode"] == 84061
    bad = post("follow/delete_by_member", {"userid": "zhuting", "external_userid": eid})
    assert bad.status_code == 400 and "error" in bad.get_json()
    chat_id = post("groupchat/create", {"owner": "zhuting", "name": "API群"}).get_json()["chat_id"]
    other = crm.get("externalcontact/list", userid="wuxia")["external_userid"][0]
    assert (
        post(
            "groupchat/join", {"chat_id": chat_id, "members": [other], "invitor": "zhuting"}
        ).status_code
        == 200
    )
    assert post("groupchat/leave", {"chat_id": chat_id, "members": [other]}).status_code == 200
    assert post("groupchat/dismiss", {"chat_id": chat_id}).status_code == 200
    assert post("groupchat/join", {"chat_id": chat_id, "members": [other]}).status_code == 400
    assert post("groupchat/join", {"chat_id": chat_id, "members": "x"}).status_code == 400
    kinds = [(e.kind, e.data["ChangeType"]) for e in emu.events.history()]
    assert kinds == [
        ("change_external_contact", "add_external_contact"),
        ("change_external_contact", "del_follow_user"),
        ("change_external_contact", "del_external_contact"),
        ("change_external_chat", "create"),
        ("change_external_chat", "update"),
        ("change_external_chat", "update"),
        ("change_external_chat", "dismiss"),
    ]


def test_readme_example_runs() -> None:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("<!-- section:external_contact -->") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    exec(compile(match.group(1), "README.md", "exec"), {})
