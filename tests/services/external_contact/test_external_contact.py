"""Customer contact endpoints against the demo CRM (200 customers of the sales department)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.external_contact import customers as cu
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.fixture import demo_follow_users
from tests.conftest import Api

EXT_ID = re.compile(r"^w[mo][0-9A-Za-z]{30}$")
SALES = demo_follow_users()  # the demo sales department, in fixture order


@pytest.fixture
def crm(emu: Emulator) -> Api:
    """The demo sales app 1000003 (customer-contact permission, visible: department 5)."""
    return Api(emu, "app", 1000003)


@pytest.fixture
def ext(emu: Emulator) -> Api:
    """The customer-contact system secret (sees every follow user)."""
    return Api(emu, "external")


def first_customer(api: Api, userid: str = "xuqiang") -> str:
    return str(api.get("externalcontact/list", userid=userid)["external_userid"][0])


def all_pairs(api: Api, userids: list[str], limit: int = 100) -> list[tuple[str, str]]:
    pairs, cursor = [], ""
    for _ in range(1000):
        r = api.post(
            "externalcontact/batch/get_by_user",
            {"userid_list": userids, "cursor": cursor, "limit": limit},
        )
        assert r["errcode"] == 0, r
        pairs += [
            (x["external_contact"]["external_userid"], x["follow_info"]["userid"])
            for x in r["external_contact_list"]
        ]
        cursor = r["next_cursor"]
        if not cursor:
            return pairs
    raise AssertionError("cursor never ended")


# -- permissions -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("scope", "agentid"), [("contacts", None), ("app", 1000002), ("app", 1000004)]
)
def test_callers_without_customer_contact_permission_get_48002(
    emu: Emulator, scope: str, agentid: int | None
) -> None:
    api = Api(emu, scope, agentid)
    assert api.get("externalcontact/get_follow_user_list")["errcode"] == 48002
    assert (
        api.post("externalcontact/batch/get_by_user", {"userid_list": ["wuxia"]})["errcode"]
        == 48002
    )


FAMILY = sorted(
    (ep.method, ep.name)
    for ep in Emulator().registry.endpoints()
    if ep.family == "external_contact" and 48002 in ep.errcodes
)


@pytest.mark.parametrize(("method", "name"), FAMILY, ids=[n for _, n in FAMILY])
def test_every_customer_contact_endpoint_refuses_other_secrets_48002(
    emu: Emulator, method: str, name: str
) -> None:
    """The contacts secret and the alerting app 1000002 (no 客户联系 permission) get 48002
    from every endpoint that declares it, whatever the body, and nothing changes."""
    before = emu.state_fingerprint()
    for api in (Api(emu, "contacts"), Api(emu, "app", 1000002)):
        r = api.get(name) if method == "GET" else api.post(name, {})
        assert r["errcode"] == 48002, (api.token, r)
    assert emu.state_fingerprint() == before


def test_follow_user_list_is_the_sales_department(crm: Api, ext: Api) -> None:
    assert crm.get("externalcontact/get_follow_user_list")["follow_user"] == SALES
    assert ext.get("externalcontact/get_follow_user_list")["follow_user"] == SALES


# -- list / get ----------------------------------------------------------------------------------
def test_list_returns_real_looking_ids(crm: Api) -> None:
    r = crm.get("externalcontact/list", userid="xuqiang")
    assert r["errcode"] == 0 and len(r["external_userid"]) > 20
    assert all(EXT_ID.match(e) for e in r["external_userid"])


def test_list_unknown_member_60111(crm: Api) -> None:
    assert crm.get("externalcontact/list", userid="nobody")["errcode"] == 60111


def test_list_member_without_customer_contact_84061(ext: Api) -> None:
    r = ext.get("externalcontact/list", userid="zhangsan")
    assert r["errcode"] == 84061 and r["external_userid"] == []
    assert r["errmsg"].startswith("not external contact, hint: [")


def test_list_member_outside_app_visibility_60011(crm: Api) -> None:
    assert crm.get("externalcontact/list", userid="zhangsan")["errcode"] == 60011


def test_get_shapes_wechat_and_wecom_customers(emu: Emulator, crm: Api) -> None:
    st = m.external_contact(emu.corp())
    wechat = next(c for c in st.customers.values() if c.type == 1 and c.unionid)
    wecom = next(c for c in st.customers.values() if c.type == 2)
    r = crm.get("externalcontact/get", external_userid=wechat.external_userid)
    assert r["errcode"] == 0
    contact = r["external_contact"]
    assert contact["external_userid"].startswith("wm") and contact["type"] == 1
    assert contact["unionid"] == wechat.unionid and "corp_name" not in contact
    assert "next_cursor" not in r
    fu = r["follow_user"][0]
    assert set(fu) >= {
        "userid",
        "remark",
        "description",
        "createtime",
        "tags",
        "add_way",
        "oper_userid",
    }
    assert all(t["type"] in (1, 2) for t in fu["tags"])
    r = crm.get("externalcontact/get", external_userid=wecom.external_userid)
    contact = r["external_contact"]
    assert contact["external_userid"].startswith("wo") and contact["type"] == 2
    assert contact["corp_name"] == wecom.corp_name and "unionid" not in contact


def test_get_unknown_external_userid_40096(crm: Api) -> None:
    for bad in ("wmDOESNOTEXIST000000000000000AAA", "", "zhangsan"):
        r = crm.get("externalcontact/get", external_userid=bad)
        assert r["errcode"] == 40096 and r["follow_user"] == []
        assert r["errmsg"].startswith("invalid external userid")


def test_get_customer_of_no_visible_follow_user_40096(emu: Emulator, crm: Api, ext: Api) -> None:
    added = emu.customer_add_follow("zhangsan", customer={"name": "路人甲", "type": 1})
    eid = added["external_userid"]
    assert ext.get("externalcontact/get", external_userid=eid)["errcode"] == 0
    r = crm.get("externalcontact/get", external_userid=eid)
    assert r["errcode"] == 40096 and r["follow_user"] == []


def test_get_customer_nobody_follows_any_more_84061(emu: Emulator, ext: Api) -> None:
    added = emu.customer_add_follow("zhangsan", customer={"name": "路人乙", "type": 1})
    eid = added["external_userid"]
    emu.follow_delete_customer("zhangsan", eid)
    r = ext.get("externalcontact/get", external_userid=eid)
    assert r["errcode"] == 84061 and r["follow_user"] == []
    assert r["errmsg"].startswith("not external contact")


def test_list_errors_keep_the_empty_list(ext: Api, emu: Emulator) -> None:
    for userid in ("ghost", ""):
        r = ext.get("externalcontact/list", userid=userid)
        assert r["errcode"] == 60111 and r["external_userid"] == []
    # a follow user whose only customer was deleted: 84061, list kept
    eid = emu.customer_add_follow("zhangsan", customer={"name": "短暂", "type": 1})[
        "external_userid"
    ]
    emu.follow_delete_customer("zhangsan", eid)
    r = ext.get("externalcontact/list", userid="zhangsan")
    assert r["errcode"] == 84061 and r["external_userid"] == []


def test_batch_get_by_user_accepts_the_older_userid_body(crm: Api) -> None:
    new = crm.post("externalcontact/batch/get_by_user", {"userid_list": ["xuqiang"], "limit": 5})
    old = crm.post("externalcontact/batch/get_by_user", {"userid": "xuqiang", "limit": 5})
    assert old["errcode"] == 0 and old["external_contact_list"] == new["external_contact_list"]
    assert old["next_cursor"]
    nxt = crm.post(
        "externalcontact/batch/get_by_user", {"userid": "xuqiang", "cursor": old["next_cursor"]}
    )
    assert (
        nxt["errcode"] == 0 and nxt["external_contact_list"][0] != old["external_contact_list"][0]
    )


def test_batch_get_by_user_errors_keep_the_empty_list(crm: Api) -> None:
    for body, code in (
        ({}, 40058),
        ({"userid": ""}, 40058),
        ({"userid": 7}, 40058),
        ({"userid_list": ["ghost"]}, 60111),
        ({"userid_list": ["xuqiang"], "cursor": "bad"}, m.CURSOR_ERRCODE),
    ):
        r = crm.post("externalcontact/batch/get_by_user", body)
        assert r["errcode"] == code and r["external_contact_list"] == [], (body, r)


def test_get_pages_follow_users_with_cursor(
    emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cu, "FOLLOW_USER_PAGE", 2)
    eid = emu.customer_add_follow("wuxia", customer={"name": "多人客户", "type": 1})[
        "external_userid"
    ]
    for u in ("xuqiang", "sunli", "mahao", "zhuting"):
        emu.customer_add_follow(u, external_userid=eid)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"external_userid": eid, **({"cursor": cursor} if cursor else {})}
        r = crm.get("externalcontact/get", **params)
        assert r["errcode"] == 0
        pages += 1
        seen += [f["userid"] for f in r["follow_user"]]
        cursor = r.get("next_cursor")
        if not cursor:
            break
    assert pages == 3 and seen == ["wuxia", "xuqiang", "sunli", "mahao", "zhuting"]


def test_get_invalid_cursor_50100(crm: Api) -> None:
    eid = first_customer(crm)
    for bad in ("garbage", "A" * 43):
        r = crm.get("externalcontact/get", external_userid=eid, cursor=bad)
        assert r["errcode"] == 50100, r


# -- batch/get_by_user -----------------------------------------------------------------------------
def test_batch_returns_every_pair_once(emu: Emulator, crm: Api) -> None:
    st = m.external_contact(emu.corp())
    expected = {(f.external_userid, f.user) for rels in st.by_user.values() for f in rels}
    pairs = all_pairs(crm, SALES, limit=100)
    assert len(pairs) == len(set(pairs)) == len(expected) == 240
    assert set(pairs) == expected


def test_batch_follow_info_has_corp_tag_ids_only(crm: Api) -> None:
    r = crm.post("externalcontact/batch/get_by_user", {"userid_list": ["xuqiang"], "limit": 5})
    info = r["external_contact_list"][0]["follow_info"]
    assert info["userid"] == "xuqiang" and "tags" not in info
    assert all(t.startswith("et") for t in info["tag_id"])
    assert len(r["next_cursor"]) == 43


def test_batch_limit_default_50_and_clamped_to_100(crm: Api) -> None:
    r = crm.post("externalcontact/batch/get_by_user", {"userid_list": SALES})
    assert len(r["external_contact_list"]) == 50
    r = crm.post("externalcontact/batch/get_by_user", {"userid_list": SALES, "limit": 5000})
    assert len(r["external_contact_list"]) == 100


@pytest.mark.parametrize(
    "body",
    [
        {"userid_list": SALES, "limit": -1},
        {"userid_list": []},
        {},
        {"userid_list": [f"u{i}" for i in range(101)]},
        {"userid_list": "wuxia"},
    ],
)
def test_batch_bad_parameters_40058(crm: Api, body: dict[str, Any]) -> None:
    assert crm.post("externalcontact/batch/get_by_user", body)["errcode"] == 40058


def test_batch_only_unknown_userids_60111(crm: Api) -> None:
    r = crm.post("externalcontact/batch/get_by_user", {"userid_list": ["ghost1", "ghost2"]})
    assert r["errcode"] == 60111


def test_batch_invalid_or_foreign_cursor_50100(crm: Api) -> None:
    r = crm.post("externalcontact/batch/get_by_user", {"userid_list": ["xuqiang"], "limit": 2})
    cursor = r["next_cursor"]
    ok = crm.post(
        "externalcontact/batch/get_by_user", {"userid_list": ["xuqiang"], "cursor": cursor}
    )
    assert ok["errcode"] == 0
    tampered = cursor[:-2] + ("AB" if cursor[-2:] != "AB" else "CD")
    for body in (
        {"userid_list": ["xuqiang"], "cursor": tampered},
        {"userid_list": ["sunli"], "cursor": cursor},  # cursor of another query
        {"userid_list": ["xuqiang"], "cursor": "not-a-cursor"},
    ):
        assert crm.post("externalcontact/batch/get_by_user", body)["errcode"] == 50100


# -- remark -----------------------------------------------------------------------------------------
def _follow(api: Api, eid: str, userid: str) -> dict[str, Any]:
    r = api.get("externalcontact/get", external_userid=eid)
    return next(f for f in r["follow_user"] if f["userid"] == userid)


def test_remark_is_seen_by_get(emu: Emulator, crm: Api) -> None:
    st = m.external_contact(emu.corp())
    eid = next(
        c.external_userid
        for c in st.customers.values()
        if c.type == 1 and "sunli" in st.follows[c.external_userid]
    )
    r = crm.post(
        "externalcontact/remark",
        {
            "userid": "sunli",
            "external_userid": eid,
            "remark": "王总",
            "description": "年底续约",
            "remark_company": "远航科技",
            "remark_mobiles": ["13800000001", "13800000002"],
        },
    )
    assert r == {"errcode": 0, "errmsg": "ok"}
    f = _follow(crm, eid, "sunli")
    assert (f["remark"], f["description"], f["remark_corp_name"]) == (
        "王总",
        "年底续约",
        "远航科技",
    )
    assert f["remark_mobiles"] == ["13800000001", "13800000002"]
    crm.post(
        "externalcontact/remark",
        {"userid": "sunli", "external_userid": eid, "remark_mobiles": [""]},
    )
    assert _follow(crm, eid, "sunli")["remark_mobiles"] == []


def test_remark_company_ignored_for_wecom_customers(emu: Emulator, crm: Api) -> None:
    st = m.external_contact(emu.corp())
    c = next(c for c in st.customers.values() if c.type == 2)
    userid = next(iter(st.follows[c.external_userid]))
    before = _follow(crm, c.external_userid, userid)["remark_corp_name"]
    r = crm.post(
        "externalcontact/remark",
        {"userid": userid, "external_userid": c.external_userid, "remark_company": "X公司"},
    )
    assert r["errcode"] == 0
    assert _follow(crm, c.external_userid, userid)["remark_corp_name"] == before


def test_remark_errors_change_nothing(crm: Api) -> None:
    eid = first_customer(crm, "xuqiang")
    before = _follow(crm, eid, "xuqiang")
    cases = [
        ({"userid": "xuqiang", "external_userid": eid, "remark": "长" * 21}, 40058),
        ({"userid": "xuqiang", "external_userid": eid, "description": "d" * 151}, 40058),
        ({"userid": "xuqiang", "external_userid": eid}, 40058),
        (
            {
                "userid": "xuqiang",
                "external_userid": "wmNOPE00000000000000000000000AAA",
                "remark": "x",
            },
            40096,
        ),
        ({"userid": "ghost", "external_userid": eid, "remark": "x"}, 60111),
        ({"userid": "zhangsan", "external_userid": eid, "remark": "x"}, 60011),
        ({"userid": "linxin", "external_userid": eid, "remark": "x"}, 84061),
        (
            {
                "userid": "xuqiang",
                "external_userid": eid,
                "remark": "x",
                "remark_pic_mediaid": "nope",
            },
            40007,
        ),
    ]
    for body, code in cases:
        if body.get("userid") == "linxin":
            assert "linxin" not in [
                f["userid"]
                for f in crm.get("externalcontact/get", external_userid=eid)["follow_user"]
            ]
        assert crm.post("externalcontact/remark", body)["errcode"] == code, body
    assert _follow(crm, eid, "xuqiang") == before


def test_remark_84061_reports_not_external_contact(ext: Api) -> None:
    eid = first_customer(ext, "xuqiang")
    r = ext.post(
        "externalcontact/remark", {"userid": "zhangsan", "external_userid": eid, "remark": "x"}
    )
    assert r["errcode"] == 84061


# -- corp tags --------------------------------------------------------------------------------------
def _groups(api: Api, **body: Any) -> list[dict[str, Any]]:
    r = api.post("externalcontact/get_corp_tag_list", body)
    assert r["errcode"] == 0, r
    return list(r["tag_group"])


def test_corp_tag_list_orders_larger_first(crm: Api) -> None:
    groups = _groups(crm)
    assert [g["group_name"] for g in groups] == ["客户等级", "客户来源", "跟进阶段", "行业"]
    assert [t["name"] for t in groups[0]["tag"]] == ["重要客户", "普通客户", "潜在客户"]
    assert "deleted" not in groups[0]
    assert all(g["group_id"].startswith("et") and len(g["group_id"]) == 32 for g in groups)


def test_add_edit_delete_corp_tags(crm: Api) -> None:
    r = crm.post(
        "externalcontact/add_corp_tag",
        {
            "group_name": "预算",
            "order": 200,
            "tag": [
                {"name": "10万以下", "order": 1},
                {"name": "10-50万", "order": 2},
                {"name": "10万以下"},
            ],
        },
    )
    assert r["errcode"] == 0
    group = r["tag_group"]
    assert group["group_name"] == "预算" and [t["name"] for t in group["tag"]] == [
        "10-50万",
        "10万以下",
    ]
    assert _groups(crm)[0]["group_name"] == "预算"
    more = crm.post(
        "externalcontact/add_corp_tag",
        {"group_id": group["group_id"], "tag": [{"name": "50万以上", "order": 3}]},
    )
    assert more["errcode"] == 0 and [t["name"] for t in more["tag_group"]["tag"]] == ["50万以上"]
    big = more["tag_group"]["tag"][0]["id"]
    assert crm.post("externalcontact/edit_corp_tag", {"id": big, "name": "50万+"})["errcode"] == 0
    assert (
        crm.post("externalcontact/edit_corp_tag", {"id": group["group_id"], "name": "项目预算"})[
            "errcode"
        ]
        == 0
    )
    g = _groups(crm, group_id=[group["group_id"]])[0]
    assert g["group_name"] == "项目预算" and g["deleted"] is False
    assert "50万+" in [t["name"] for t in g["tag"]]
    ids = [t["id"] for t in g["tag"]]
    assert crm.post("externalcontact/del_corp_tag", {"tag_id": ids[:1]})["errcode"] == 0
    by_id = _groups(crm, tag_id=ids[:1])[0]
    assert by_id["tag"][0]["deleted"] is True
    assert crm.post("externalcontact/del_corp_tag", {"tag_id": ids[1:]})["errcode"] == 0
    assert "项目预算" not in [x["group_name"] for x in _groups(crm)]  # gone with its last tag


def test_add_corp_tag_errors(crm: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _groups(crm)
    assert (
        crm.post("externalcontact/add_corp_tag", {"group_name": "空组", "tag": []})["errcode"]
        == 41111
    )
    assert (
        crm.post("externalcontact/add_corp_tag", {"group_id": "etNOPE", "tag": [{"name": "x"}]})[
            "errcode"
        ]
        == 40068
    )
    assert (
        crm.post("externalcontact/add_corp_tag", {"group_name": "g" * 31, "tag": [{"name": "x"}]})[
            "errcode"
        ]
        == 40058
    )
    assert (
        crm.post(
            "externalcontact/add_corp_tag", {"group_name": "新组", "tag": [{"name": "t" * 31}]}
        )["errcode"]
        == 40058
    )
    assert crm.post("externalcontact/add_corp_tag", {"tag": [{"name": "x"}]})["errcode"] == 40058
    # an app may not add to a group the admin created in the console
    assert (
        crm.post("externalcontact/add_corp_tag", {"group_name": "行业", "tag": [{"name": "能源"}]})[
            "errcode"
        ]
        == 81011
    )
    monkeypatch.setattr(m, "CORP_TAG_LIMIT", 18)
    from mock_server.services.external_contact import tags

    monkeypatch.setattr(tags, "CORP_TAG_LIMIT", 18)
    assert (
        crm.post("externalcontact/add_corp_tag", {"group_name": "满了", "tag": [{"name": "x"}]})[
            "errcode"
        ]
        == 40126
    )
    assert _groups(crm) == before


def test_add_corp_tag_existing_name_40071(ext: Api) -> None:
    r = ext.post("externalcontact/add_corp_tag", {"group_name": "行业", "tag": [{"name": "金融"}]})
    assert r["errcode"] == 40071


def test_edit_and_delete_corp_tag_errors(crm: Api, ext: Api) -> None:
    console_group = _groups(crm)[0]
    assert (
        crm.post("externalcontact/edit_corp_tag", {"id": "etNOPE", "name": "x"})["errcode"] == 40068
    )
    assert (
        crm.post("externalcontact/edit_corp_tag", {"id": console_group["group_id"], "name": "x"})[
            "errcode"
        ]
        == 81011
    )
    assert (
        crm.post("externalcontact/del_corp_tag", {"group_id": [console_group["group_id"]]})[
            "errcode"
        ]
        == 81011
    )
    assert crm.post("externalcontact/del_corp_tag", {})["errcode"] == 40058
    assert crm.post("externalcontact/del_corp_tag", {"tag_id": ["etNOPE"]})["errcode"] == 40068
    # the system secret may edit console tags; sibling names must stay unique
    tag = console_group["tag"]
    assert (
        ext.post("externalcontact/edit_corp_tag", {"id": tag[0]["id"], "name": tag[1]["name"]})[
            "errcode"
        ]
        == 40071
    )
    assert (
        ext.post(
            "externalcontact/edit_corp_tag", {"id": console_group["group_id"], "name": "行业"}
        )["errcode"]
        == 40071
    )
    assert (
        ext.post("externalcontact/edit_corp_tag", {"id": tag[0]["id"], "order": 99})["errcode"] == 0
    )


def test_deleting_a_tag_removes_it_from_customers(emu: Emulator, ext: Api) -> None:
    vip = next(t for t in _groups(ext)[0]["tag"] if t["name"] == "重要客户")["id"]
    st = m.external_contact(emu.corp())
    f = next(f for rels in st.by_user.values() for f in rels if vip in f.tag_ids)
    assert ext.post("externalcontact/del_corp_tag", {"tag_id": [vip]})["errcode"] == 0
    tags = [t["tag_id"] for t in _follow(ext, f.external_userid, f.user)["tags"] if t["type"] == 1]
    assert vip not in tags


# -- mark_tag -------------------------------------------------------------------------------------
def test_mark_tag_adds_and_removes(crm: Api) -> None:
    eid = first_customer(crm, "mahao")
    groups = _groups(crm)
    energy = groups[3]["tag"][0]["id"]
    current = [t["tag_id"] for t in _follow(crm, eid, "mahao")["tags"] if t["type"] == 1]
    r = crm.post(
        "externalcontact/mark_tag",
        {"userid": "mahao", "external_userid": eid, "add_tag": [energy], "remove_tag": current[:1]},
    )
    assert r == {"errcode": 0, "errmsg": "ok"}
    after = [t["tag_id"] for t in _follow(crm, eid, "mahao")["tags"] if t["type"] == 1]
    assert energy in after and current[0] not in after


def test_mark_tag_errors(crm: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    eid = first_customer(crm, "mahao")
    tag = _groups(crm)[3]["tag"][1]["id"]
    before = _follow(crm, eid, "mahao")
    cases = [
        ({"userid": "mahao", "external_userid": eid, "add_tag": ["etNOPE"]}, 40068),
        ({"userid": "mahao", "external_userid": eid}, 40058),
        (
            {
                "userid": "mahao",
                "external_userid": "wmNOPE00000000000000000000000AAA",
                "add_tag": [tag],
            },
            40096,
        ),
        ({"userid": "ghost", "external_userid": eid, "add_tag": [tag]}, 60111),
    ]
    other = next(
        u for u in SALES if eid not in crm.get("externalcontact/list", userid=u)["external_userid"]
    )
    cases.append(({"userid": other, "external_userid": eid, "add_tag": [tag]}, 84061))
    for body, code in cases:
        assert crm.post("externalcontact/mark_tag", body)["errcode"] == code, body
    monkeypatch.setattr(
        cu, "CUSTOMER_TAG_LIMIT", len([t for t in before["tags"] if t["type"] == 1])
    )
    r = crm.post(
        "externalcontact/mark_tag", {"userid": "mahao", "external_userid": eid, "add_tag": [tag]}
    )
    assert r["errcode"] == 40144
    assert _follow(crm, eid, "mahao") == before


# -- customer groups ----------------------------------------------------------------------------
def _chats(api: Api, **body: Any) -> dict[str, Any]:
    return api.post("externalcontact/groupchat/list", {"limit": 1000, **body})


def test_groupchat_list_pages_with_cursor(crm: Api) -> None:
    everything = [c["chat_id"] for c in _chats(crm)["group_chat_list"]]
    assert len(everything) == 10 and all(c.startswith("wr") and len(c) == 30 for c in everything)
    seen, cursor = [], ""
    for _ in range(10):
        r = crm.post("externalcontact/groupchat/list", {"limit": 3, "cursor": cursor})
        seen += [c["chat_id"] for c in r["group_chat_list"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert seen == everything


def test_groupchat_list_filters(crm: Api) -> None:
    mine = _chats(crm, owner_filter={"userid_list": ["xuqiang"]})["group_chat_list"]
    assert len(mine) == 2
    assert _chats(crm, status_filter=1)["group_chat_list"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"limit": 0},
        {"limit": 1001},
        {},
        {"limit": 10, "status_filter": 4},
        {"limit": 10, "owner_filter": {"userid_list": [f"u{i}" for i in range(101)]}},
    ],
)
def test_groupchat_list_bad_parameters_40058(crm: Api, body: dict[str, Any]) -> None:
    assert crm.post("externalcontact/groupchat/list", body)["errcode"] == 40058


def test_groupchat_list_invalid_cursor_50100(crm: Api) -> None:
    cursor = crm.post("externalcontact/groupchat/list", {"limit": 2})["next_cursor"]
    r = crm.post(
        "externalcontact/groupchat/list", {"limit": 2, "cursor": cursor, "status_filter": 1}
    )
    assert r["errcode"] == 50100  # a cursor is only valid with the filters it came from
    assert (
        crm.post("externalcontact/groupchat/list", {"limit": 2, "cursor": "x"})["errcode"] == 50100
    )


def test_groupchat_list_over_1000_visible_users_needs_owner_filter_81017() -> None:
    from mock_server.cli.fixture import generate

    emu = Emulator([generate(1001, 3, 0)])
    api = Api(emu, "external")
    assert api.post("externalcontact/groupchat/list", {"limit": 10})["errcode"] == 81017
    ok = api.post(
        "externalcontact/groupchat/list",
        {"limit": 10, "owner_filter": {"userid_list": ["wang00000"]}},
    )
    assert ok["errcode"] == 0


def test_groupchat_get(crm: Api) -> None:
    chat_id = _chats(crm, owner_filter={"userid_list": ["wuxia"]})["group_chat_list"][0]["chat_id"]
    r = crm.post("externalcontact/groupchat/get", {"chat_id": chat_id})
    chat = r["group_chat"]
    assert chat["owner"] == "wuxia" and chat["name"] == "VIP客户服务群"
    assert re.fullmatch(r"[0-9a-f]{32}", chat["member_version"])
    types = {mm["type"] for mm in chat["member_list"]}
    assert types == {1, 2}
    assert all("name" not in mm for mm in chat["member_list"])
    assert any("invitor" in mm for mm in chat["member_list"])
    assert chat["admin_list"] and all(set(a) == {"userid"} for a in chat["admin_list"])
    named = crm.post("externalcontact/groupchat/get", {"chat_id": chat_id, "need_name": 1})
    assert all(mm["name"] for mm in named["group_chat"]["member_list"])


def test_groupchat_get_errors(emu: Emulator, crm: Api) -> None:
    assert crm.post("externalcontact/groupchat/get", {"chat_id": "wrNOPE"})["errcode"] == 86001
    assert crm.post("externalcontact/groupchat/get", {})["errcode"] == 86001
    chat_id = _chats(crm)["group_chat_list"][0]["chat_id"]
    assert (
        crm.post("externalcontact/groupchat/get", {"chat_id": chat_id, "need_name": 2})["errcode"]
        == 40058
    )
    emu.dismiss_customer_group(chat_id)
    assert crm.post("externalcontact/groupchat/get", {"chat_id": chat_id})["errcode"] == 49008
    assert chat_id not in [c["chat_id"] for c in _chats(crm)["group_chat_list"]]
    foreign = emu.create_customer_group("zhangsan", name="研发外部群")["chat_id"]
    assert crm.post("externalcontact/groupchat/get", {"chat_id": foreign})["errcode"] == 60011


# -- ids ------------------------------------------------------------------------------------------
def test_derived_ids_are_stable_for_a_seed() -> None:
    import random

    from mock_server.cli.fixture import generate
    from mock_server.services.external_contact.fixture import generate_section

    doc = generate(5, 1, 0)
    doc["external_contact"] = generate_section(["wang00000", "li00001"], 5, random.Random(1))
    doc["external_contact"]["group_chats"] = []

    def ids(seed: int) -> list[str]:
        return Emulator([doc], seed=seed).external_contacts()

    a, b, c = ids(3), ids(3), ids(4)
    assert a == b and a != c
    assert all(EXT_ID.match(e) for e in a + c)


def test_wrong_json_types_get_40058_with_the_warning_prefix(crm: Api) -> None:
    r = crm.post("externalcontact/get_corp_tag_list", {"tag_id": "etX"})
    assert r["errcode"] == 40058 and r["errmsg"].startswith("Warning: wrong json format.")
    r = crm.post("externalcontact/batch/get_by_user", {"userid_list": "wuxia"})
    assert r["errcode"] == 40058 and r["errmsg"].startswith("Warning: wrong json format.")
    r = crm.post("externalcontact/groupchat/get", {"chat_id": 5})
    assert r["errcode"] == 40058


def test_corp_tag_limit_is_ten_thousand(emu: Emulator, ext: Api) -> None:
    """Doc 92117 (2024-2025) allows 10,000 corp tags; the older 3000 title no longer holds."""
    corp = emu.corp()
    st = m.external_contact(corp)
    live = sum(1 for t in st.tags.values() if not t.deleted)
    group = next(iter(st.tag_groups.values()))
    for i in range(9999 - live):
        tid = f"etFILL{i:026d}"
        st.tags[tid] = m.CorpTag(tid, f"t{i}", group.group_id, 0)
    r = ext.post("externalcontact/add_corp_tag", {"group_name": "新组", "tag": [{"name": "a"}]})
    assert r["errcode"] == 0  # the 10,000th tag
    r = ext.post("externalcontact/add_corp_tag", {"group_name": "新组", "tag": [{"name": "b"}]})
    assert r["errcode"] == 40126
