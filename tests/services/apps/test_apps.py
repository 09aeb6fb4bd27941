"""agent/get|list|set and the custom menu: the console's app settings and their limits."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from mock_server.services.apps.models import MenuError
from tests.conftest import Api
from tests.services.callbacks.test_callbacks_delivery import Receiver, configure
from tests.services.callbacks.test_callbacks_delivery import receiver as receiver

OPS, CRM = 1000002, 1000003


@pytest.fixture
def ops(emu: Emulator) -> Api:
    return Api(emu, "app", OPS)


# -- agent/get, agent/list -----------------------------------------------------------------------
def test_agent_get_shape(ops: Api) -> None:
    body = ops.get("agent/get", agentid=OPS)
    assert body["errcode"] == 0 and body["agentid"] == OPS and body["name"] == "告警通知"
    assert body["allow_partys"] == {"partyid": [1]}
    assert body["allow_userinfos"] == {"user": []}
    assert "allow_tags" not in body  # dropped when no tag is visible (real captures)
    assert body["redirect_domain"] == "ops.demo-corp.example"
    assert body["home_url"] == "https://ops.demo-corp.example/alerts/"
    assert (body["close"], body["report_location_flag"], body["isreportenter"]) == (0, 0, 0)
    assert body["square_logo_url"].endswith("/0")


def test_agent_get_errcodes(ops: Api) -> None:
    assert ops.get("agent/get")["errcode"] == 41011
    assert ops.get("agent/get", agentid="abc")["errcode"] == 40056
    assert ops.get("agent/get", agentid=999)["errcode"] == 40056
    other = ops.get("agent/get", agentid=CRM)
    assert other["errcode"] == 301002
    assert other["errmsg"].startswith("not allow operate another agent with this accesstoken.")


def test_agent_list_is_the_own_app(ops: Api) -> None:
    body = ops.get("agent/list")
    assert [a["agentid"] for a in body["agentlist"]] == [OPS]
    assert set(body["agentlist"][0]) == {"agentid", "name", "square_logo_url"}


def test_contacts_secret_48002(emu: Emulator) -> None:
    assert Api(emu, "contacts").get("agent/get", agentid=OPS)["errcode"] == 48002


# -- agent/set ---------------------------------------------------------------------------------------
def test_agent_set_changes_what_get_returns(emu: Emulator, ops: Api) -> None:
    body = {
        "agentid": OPS,
        "name": "运维中心",
        "description": "告警、值班与变更",
        "report_location_flag": 1,
        "isreportenter": 1,
        "isreportuser": 0,  # wechatpy sends it; unknown keys are ignored
        "home_url": "https://ops.demo-corp.example/v2/",
        "redirect_domain": "ops2.demo-corp.example",
    }
    assert ops.post("agent/set", body)["errcode"] == 0
    got = ops.get("agent/get", agentid=OPS)
    for key in ("name", "description", "report_location_flag", "isreportenter", "home_url"):
        assert got[key] == body[key]
    assert got["redirect_domain"] == "ops2.demo-corp.example"
    logo = emu.upload_media(b"\x89PNG\r\n\x1a\n" + b"0" * 64, type="image", filename="l.png")
    assert ops.post("agent/set", {"agentid": OPS, "logo_mediaid": logo})["errcode"] == 0
    assert ops.get("agent/get", agentid=OPS)["square_logo_url"] != got["square_logo_url"]


@pytest.mark.parametrize(
    ("change", "errcode"),
    [
        ({"agentid": None}, 41011),
        ({"agentid": "x"}, 40056),
        ({"agentid": CRM}, 301002),
        ({"name": ""}, 45022),
        ({"name": "名" * 33}, 45022),
        ({"description": "abc"}, 45004),
        ({"description": "d" * 121}, 45004),
        ({"report_location_flag": 2}, 40059),
        ({"isreportenter": 5}, 40058),
        ({"home_url": "ops.demo-corp.example/"}, 40094),
        ({"home_url": "https://ops.demo-corp.example/" + "p" * 1024}, 40039),
        ({"redirect_domain": "https://ops.demo-corp.example/path"}, 80001),
        ({"redirect_domain": "*.demo-corp.example"}, 80001),
        ({"logo_mediaid": "3nope"}, 40007),
    ],
)
def test_agent_set_errcodes_change_nothing(
    emu: Emulator, ops: Api, change: dict[str, Any], errcode: int
) -> None:
    before = emu.state_fingerprint()
    body = {"agentid": OPS, "name": "新名字", **change}
    assert ops.post("agent/set", body)["errcode"] == errcode
    assert emu.state_fingerprint() == before


def test_trusted_domain_settings_limited_to_20_a_month_85004(emu: Emulator, ops: Api) -> None:
    for i in range(20):
        body = {"agentid": OPS, "redirect_domain": f"h{i}.demo-corp.example"}
        assert ops.post("agent/set", body)["errcode"] == 0
    body = {"agentid": OPS, "redirect_domain": "h20.demo-corp.example"}
    assert ops.post("agent/set", body)["errcode"] == 85004
    emu.advance(31 * 24 * 3600)
    assert Api(emu, "app", OPS).post("agent/set", body)["errcode"] == 0


# -- menus ---------------------------------------------------------------------------------------------
MENU = {
    "button": [
        {"type": "click", "name": "今日待办", "key": "TODO_TODAY"},
        {
            "name": "工具",
            "sub_button": [
                {"type": "view", "name": "报销单", "url": "https://ops.demo-corp.example/expense"},
                {"type": "scancode_push", "name": "扫码", "key": "SCAN"},
                {"type": "pic_photo_or_album", "name": "拍照上传", "key": "PHOTO"},
                {
                    "type": "view_miniprogram",
                    "name": "小程序",
                    "pagepath": "pages/index/index",
                    "appid": "wx1234567890abcdef",
                },
            ],
        },
        {"type": "location_select", "name": "发送位置", "key": "SEND_LOC"},
    ]
}


def test_menu_create_get_delete(ops: Api) -> None:
    assert ops.post("menu/create", MENU, agentid=OPS)["errcode"] == 0
    got = ops.get("menu/get", agentid=OPS)
    assert got["button"] == MENU["button"]
    assert ops.get("menu/delete", agentid=OPS)["errcode"] == 0
    assert ops.get("menu/get", agentid=OPS)["errcode"] == 46003
    assert ops.get("menu/delete", agentid=OPS)["errcode"] == 0


def test_menu_get_46003_when_never_set(emu: Emulator) -> None:
    crm = Api(emu, "app", CRM)
    assert crm.get("menu/get", agentid=CRM)["errcode"] == 46003


def test_menu_agentid_errcodes(ops: Api) -> None:
    for path in ("menu/get", "menu/delete"):
        assert ops.get(path)["errcode"] == 41011
        assert ops.get(path, agentid="1x")["errcode"] == 40056
        assert ops.get(path, agentid=CRM)["errcode"] == 301002
    assert ops.post("menu/create", MENU)["errcode"] == 41011
    assert ops.post("menu/create", MENU, agentid=999)["errcode"] == 40056
    assert ops.post("menu/create", MENU, agentid=CRM)["errcode"] == 301002


def leaf(**kw: Any) -> dict[str, Any]:
    return {"type": "click", "name": "a", "key": "k", **kw}


def sub(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"button": [{"name": "m", "sub_button": list(buttons)}]}


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"button": []}, 40058),
        ({"button": [leaf()] * 4}, 40058),
        ({}, 40058),
        (sub(*[leaf()] * 6), 40058),
        ({"button": [leaf(type="teleport")]}, 40017),
        (sub(leaf(type="teleport")), 40024),
        ({"button": [leaf(name="一二三四五六")]}, 40018),  # 18 bytes > 16
        (sub(leaf(name="名" * 14)), 40025),  # 42 bytes > 40
        ({"button": [leaf(key="k" * 129)]}, 40019),
        (sub(leaf(key="")), 40026),
        ({"button": [{"type": "view", "name": "v", "url": "ftp://x"}]}, 40055),
        (sub({"type": "view", "name": "v", "url": "www.qq.com"}), 40054),
        ({"button": [{"type": "view", "name": "v", "url": "https://" + "x" * 1020}]}, 40020),
        (sub({"type": "view", "name": "v", "url": "https://" + "x" * 1020}), 40027),
        (sub({"name": "deep", "sub_button": [leaf()]}), 40022),
        ({"button": [leaf(name="")]}, 41102),
        ({"button": ["click"]}, 40058),
    ],
)
def test_menu_create_limits(emu: Emulator, ops: Api, body: dict[str, Any], errcode: int) -> None:
    before = emu.state_fingerprint()
    out = ops.post("menu/create", body, agentid=OPS)
    assert out["errcode"] == errcode
    assert emu.state_fingerprint() == before


def test_observed_button_count_message(ops: Api) -> None:
    out = ops.post("menu/create", {"button": [leaf()] * 4}, agentid=OPS)
    assert out["errmsg"].startswith(
        "field `button` expect array size in [1, 3]. invalid Request Parameter"
    )


def test_name_limits_are_bytes_not_characters(ops: Api) -> None:
    # 16 bytes: five CJK characters (15 bytes) fit; three CJK and two emoji (17) do not.
    assert (
        ops.post("menu/create", {"button": [leaf(name="一二三四五")]}, agentid=OPS)["errcode"] == 0
    )
    assert (
        ops.post("menu/create", {"button": [leaf(name="一二三😀😀")]}, agentid=OPS)["errcode"]
        == 40018
    )


# -- menu taps become callback events -------------------------------------------------------------
def test_menu_click_events_reach_the_callback(emu: Emulator, ops: Api, receiver: Receiver) -> None:
    assert ops.post("menu/create", MENU, agentid=OPS)["errcode"] == 0
    configure(emu, OPS, receiver)
    emu.menu_click(OPS, "lisi", "TODO_TODAY")
    emu.menu_click(OPS, "lisi", "https://ops.demo-corp.example/expense")
    emu.menu_click(OPS, "lisi", "SCAN", scan_result="ASSET-0042")
    emu.menu_click(OPS, "lisi", "SEND_LOC", location=(23.1, 113.3), label="广州塔")
    emu.menu_click(OPS, "lisi", "PHOTO", pic_md5=["1b5f7c23b5bf75682a53e7b6d163e185"])
    emu.menu_click(OPS, "lisi", "小程序")
    events = [r["fields"] for r in receiver.received]
    assert [e["Event"] for e in events] == [
        "click",
        "view",
        "scancode_push",
        "location_select",
        "pic_photo_or_album",
        "view_miniprogram",
    ]
    assert all(e["FromUserName"] == "lisi" and e["AgentID"] == str(OPS) for e in events)
    assert events[0]["EventKey"] == "TODO_TODAY"
    assert events[1]["EventKey"] == "https://ops.demo-corp.example/expense"
    assert events[5]["EventKey"] == "pages/index/index"
    scan = receiver.received[2]["root"].find("ScanCodeInfo")
    assert scan.findtext("ScanType") == "qrcode" and scan.findtext("ScanResult") == "ASSET-0042"
    loc = receiver.received[3]["root"].find("SendLocationInfo")
    assert loc.findtext("Label") == "广州塔" and loc.findtext("Location_X") == "23.1"
    pics = receiver.received[4]["root"].find("SendPicsInfo")
    assert pics.findtext("Count") == "1"
    assert pics.find("PicList/item/PicMd5Sum").text == "1b5f7c23b5bf75682a53e7b6d163e185"


def test_menu_click_refuses_what_a_client_could_not_do(emu: Emulator) -> None:
    with pytest.raises(MenuError):
        emu.menu_click(OPS, "lisi", "NO_SUCH_KEY")
    with pytest.raises(MenuError):
        emu.menu_click(CRM, "lisi", "ANY")  # no menu, and lisi cannot see the app
    with pytest.raises(MenuError):
        emu.menu_click(OPS, "nobody", "ALERTS_TODAY")
    # The demo app's fixture menu works as is.
    assert emu.menu_click(OPS, "lisi", "ALERTS_TODAY")["event"] == "click"


def test_superscript_digits_are_not_numbers() -> None:
    """``"³".isdigit()`` is true but ``int("³")`` fails: such ids are invalid input (40056),
    not a crash (-1)."""
    from mock_server import Emulator

    emu = Emulator()
    token = emu.token("app", 1000002)
    body = emu.call("GET", "agent/get", params={"access_token": token, "agentid": "³"})
    assert body["errcode"] == 40056
    assert (
        emu.call("GET", "agent/get", params={"access_token": token, "agentid": "1000002"})[
            "errcode"
        ]
        == 0
    )
