"""message/send: every msgtype, per-type validation errcodes, recipients, duplicate check,
per-member quota, recall and template-card updates."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator
from tests.conftest import Api

AGENT = 1000002
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def send(api: Api, msgtype: str = "text", payload: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"touser": "zhangsan", "msgtype": msgtype, "agentid": AGENT}
    body[msgtype] = {"content": "hello"} if payload is None else payload
    body.update(extra)
    return api.post("message/send", body)


def media(emu: Emulator, type: str = "image", filename: str = "a.png") -> str:
    return emu.upload_media(PNG, type=type, filename=filename)


def card(card_type: str = "text_notice", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "card_type": card_type,
        "main_title": {"title": "Deploy", "desc": "prod"},
        "card_action": {"type": 1, "url": "https://example.com"},
    }
    if card_type == "news_notice":
        base["card_image"] = {"url": "https://example.com/a.png"}
    if card_type in ("button_interaction", "vote_interaction", "multiple_interaction"):
        base["task_id"] = "task-1"
        base.pop("card_action")
    if card_type == "button_interaction":
        base["button_list"] = [{"text": "OK", "key": "ok"}]
    if card_type == "vote_interaction":
        base["checkbox"] = {
            "question_key": "q",
            "option_list": [{"id": "a", "text": "A", "is_checked": False}],
        }
        base["submit_button"] = {"text": "提交", "key": "submit"}
    if card_type == "multiple_interaction":
        base["select_list"] = [{"question_key": "q", "option_list": [{"id": "a", "text": "A"}]}]
        base["submit_button"] = {"text": "提交", "key": "submit"}
    base.update(fields)
    return base


# -- happy paths -----------------------------------------------------------------------------------
def payloads(emu: Emulator) -> dict[str, dict[str, Any]]:
    return {
        "text": {"content": "deploy finished"},
        "image": {"media_id": media(emu)},
        "voice": {"media_id": media(emu, "voice", "a.amr")},
        "video": {"media_id": media(emu, "video", "a.mp4"), "title": "t", "description": "d"},
        "file": {"media_id": media(emu, "file", "report.pdf")},
        "textcard": {
            "title": "Title",
            "description": '<div class="gray">d</div>',
            "url": "https://x.example",
        },
        "news": {"articles": [{"title": "News", "url": "https://x.example"}]},
        "mpnews": {
            "articles": [{"title": "MP", "thumb_media_id": media(emu), "content": "<p>x</p>"}]
        },
        "markdown": {"content": "**bold** deploy"},
        "miniprogram_notice": {
            "appid": "wx0123456789abcdef",
            "title": "会议室预订",
            "content_item": [{"key": "会议室", "value": "402"}],
        },
    }


@pytest.mark.parametrize(
    "msgtype",
    [
        "text",
        "image",
        "voice",
        "video",
        "file",
        "textcard",
        "news",
        "mpnews",
        "markdown",
        "miniprogram_notice",
    ],
)
def test_each_msgtype_is_delivered(emu: Emulator, app_api: Api, msgtype: str) -> None:
    body = send(app_api, msgtype, payloads(emu)[msgtype])
    assert body["errcode"] == 0, body
    assert body["invaliduser"] == ""
    assert isinstance(body["msgid"], str) and len(body["msgid"]) > 40
    msg = emu.messages(to="zhangsan", msgtype=msgtype).one()
    assert msg.agentid == AGENT and msg.msgid == body["msgid"]
    assert msg.text


@pytest.mark.parametrize(
    "card_type",
    [
        "text_notice",
        "news_notice",
        "button_interaction",
        "vote_interaction",
        "multiple_interaction",
    ],
)
def test_each_template_card_type_is_delivered(emu: Emulator, app_api: Api, card_type: str) -> None:
    body = send(app_api, "template_card", card(card_type))
    assert body["errcode"] == 0, body
    interactive = card_type not in ("text_notice", "news_notice")
    assert ("response_code" in body) is interactive
    msg = emu.messages(to="zhangsan", msgtype="template_card").one()
    assert msg.content["card_type"] == card_type
    assert "Deploy" in msg.text


def test_text_notice_with_action_menu_returns_response_code(app_api: Api) -> None:
    menu = {"desc": "more", "action_list": [{"text": "a", "key": "a"}]}
    body = send(app_api, "template_card", card(action_menu=menu, task_id="t-menu"))
    assert body["errcode"] == 0 and body["response_code"]


def test_video_title_is_truncated_to_128_bytes(emu: Emulator, app_api: Api) -> None:
    send(app_api, "video", {"media_id": media(emu, "video", "a.mp4"), "title": "长" * 100})
    assert len(emu.messages(to="zhangsan").one().content["title"].encode()) <= 128


# -- envelope errors --------------------------------------------------------------------------------
def test_invalid_msgtype_40008(app_api: Api) -> None:
    assert send(app_api, "fax", {"content": "x"})["errcode"] == 40008


def test_missing_agentid_41011(app_api: Api) -> None:
    body = app_api.post(
        "message/send", {"touser": "zhangsan", "msgtype": "text", "text": {"content": "x"}}
    )
    assert body["errcode"] == 41011


def test_unknown_agentid_40056(app_api: Api) -> None:
    assert send(app_api, agentid=999)["errcode"] == 40056


def test_other_apps_agentid_301002(app_api: Api) -> None:
    body = send(app_api, agentid=1000003)
    assert body["errcode"] == 301002
    assert body["errmsg"].startswith("not allow operate another agent with this accesstoken.")


def test_contacts_secret_may_not_send_48002(contacts_api: Api) -> None:
    assert send(contacts_api)["errcode"] == 48002


def test_no_recipients_82001(app_api: Api) -> None:
    assert send(app_api, touser="")["errcode"] == 82001


def test_too_many_users_40032(app_api: Api) -> None:
    assert send(app_api, touser="|".join(f"u{i}" for i in range(1001)))["errcode"] == 40032


def test_too_many_parties_82002(app_api: Api) -> None:
    assert send(app_api, toparty="|".join(str(i) for i in range(101)))["errcode"] == 82002


def test_too_many_tags_82003(app_api: Api) -> None:
    assert send(app_api, totag="|".join(str(i) for i in range(101)))["errcode"] == 82003


def test_all_invalid_81013_keeps_the_lists(emu: Emulator, app_api: Api) -> None:
    body = send(app_api, touser="Nobody|ghost", toparty="99", totag="77")
    assert body["errcode"] == 81013
    assert body["errmsg"].startswith("user & party & tag all invalid")
    assert body["invaliduser"] == "nobody|ghost"
    assert body["invalidparty"] == "99" and body["invalidtag"] == "77"
    assert emu.messages() == []


# -- per-type validation ------------------------------------------------------------------------------
def test_text_empty_44004(app_api: Api) -> None:
    assert send(app_api, "text", {"content": ""})["errcode"] == 44004


def test_text_over_2048_bytes_45002(emu: Emulator, app_api: Api) -> None:
    assert send(app_api, "text", {"content": "x" * 2049})["errcode"] == 45002
    assert send(app_api, "text", {"content": "字" * 682})["errcode"] == 0  # 2046 bytes
    assert len(emu.messages()) == 1


def test_markdown_empty_44004_and_over_2048_bytes_45002(app_api: Api) -> None:
    assert send(app_api, "markdown", {"content": ""})["errcode"] == 44004
    assert send(app_api, "markdown", {"content": "x" * 2049})["errcode"] == 45002


def test_missing_media_id_41006(app_api: Api) -> None:
    assert send(app_api, "image", {})["errcode"] == 41006


def test_unknown_media_id_40007(app_api: Api) -> None:
    assert send(app_api, "image", {"media_id": "3nope"})["errcode"] == 40007


def test_media_of_the_wrong_type_40007(emu: Emulator, app_api: Api) -> None:
    assert send(app_api, "voice", {"media_id": media(emu, "image")})["errcode"] == 40007


def test_expired_media_id_40007(emu: Emulator, app_api: Api) -> None:
    media_id = media(emu)
    emu.advance(3 * 24 * 3600 - 10)
    assert send(Api(emu, "app", AGENT), "image", {"media_id": media_id})["errcode"] == 0
    emu.advance(11)
    assert send(Api(emu, "app", AGENT), "image", {"media_id": media_id})["errcode"] == 40007


def test_safe_file_of_unsafe_format_40004(emu: Emulator, app_api: Api) -> None:
    media_id = media(emu, "file", "tool.exe")
    assert send(app_api, "file", {"media_id": media_id}, safe=1)["errcode"] == 40004
    assert send(app_api, "file", {"media_id": media_id}, safe=0)["errcode"] == 0


def test_textcard_title_missing_41016(app_api: Api) -> None:
    assert send(app_api, "textcard", {"description": "d", "url": "https://x"})["errcode"] == 41016


def test_textcard_description_missing_41033(app_api: Api) -> None:
    assert send(app_api, "textcard", {"title": "t", "url": "https://x"})["errcode"] == 41033


def test_textcard_url_missing_41010(app_api: Api) -> None:
    assert send(app_api, "textcard", {"title": "t", "description": "d"})["errcode"] == 41010


def test_textcard_url_without_scheme_45034(app_api: Api) -> None:
    body = send(app_api, "textcard", {"title": "t", "description": "d", "url": "x.example"})
    assert body["errcode"] == 45034


def test_textcard_url_over_2048_bytes_40058(app_api: Api) -> None:
    url = "https://x.example/" + "a" * 2048
    body = send(app_api, "textcard", {"title": "t", "description": "d", "url": url})
    assert body["errcode"] == 40058
    assert body["errmsg"].startswith(
        "textcard.url exceed max length 2048. invalid Request Parameter"
    )


def test_news_with_safe_40074(app_api: Api) -> None:
    body = send(app_api, "news", {"articles": [{"title": "t", "url": "https://x"}]}, safe=1)
    assert body["errcode"] == 40074


@pytest.mark.parametrize("count", [0, 9])
def test_news_article_count_45008(app_api: Api, count: int) -> None:
    articles = [{"title": "t", "url": "https://x"}] * count
    assert send(app_api, "news", {"articles": articles})["errcode"] == 45008


def test_news_title_missing_41016(app_api: Api) -> None:
    assert send(app_api, "news", {"articles": [{"url": "https://x"}]})["errcode"] == 41016


def test_news_title_over_128_bytes_40058(app_api: Api) -> None:
    body = send(app_api, "news", {"articles": [{"title": "x" * 129, "url": "https://x"}]})
    assert body["errcode"] == 40058


def test_news_without_url_or_miniprogram_41010(app_api: Api) -> None:
    assert send(app_api, "news", {"articles": [{"title": "t"}]})["errcode"] == 41010
    ok = {"title": "t", "appid": "wx0123456789abcdef", "pagepath": "pages/index"}
    assert send(app_api, "news", {"articles": [ok]})["errcode"] == 0


def test_mpnews_author_over_64_bytes_45032(emu: Emulator, app_api: Api) -> None:
    art = {"title": "t", "thumb_media_id": media(emu), "content": "c", "author": "a" * 65}
    assert send(app_api, "mpnews", {"articles": [art]})["errcode"] == 45032


def test_mpnews_content_over_666k_45002(emu: Emulator, app_api: Api) -> None:
    art = {"title": "t", "thumb_media_id": media(emu), "content": "c" * (666 * 1024 + 1)}
    assert send(app_api, "mpnews", {"articles": [art]})["errcode"] == 45002


def mini(**fields: Any) -> dict[str, Any]:
    return {"appid": "wx0123456789abcdef", "title": "会议室预订", **fields}


def test_miniprogram_appid_missing_90200(app_api: Api) -> None:
    assert send(app_api, "miniprogram_notice", {"title": "会议室预订"})["errcode"] == 90200


def test_miniprogram_appid_invalid_90207(app_api: Api) -> None:
    assert send(app_api, "miniprogram_notice", mini(appid="nope"))["errcode"] == 90207


def test_miniprogram_too_many_items_90201(app_api: Api) -> None:
    items = [{"key": f"k{i}", "value": "v"} for i in range(11)]
    assert send(app_api, "miniprogram_notice", mini(content_item=items))["errcode"] == 90201


def test_miniprogram_item_key_too_long_90202(app_api: Api) -> None:
    items = [{"key": "k" * 11, "value": "v"}]
    assert send(app_api, "miniprogram_notice", mini(content_item=items))["errcode"] == 90202


def test_miniprogram_item_value_too_long_90203(app_api: Api) -> None:
    items = [{"key": "k", "value": "v" * 31}]
    assert send(app_api, "miniprogram_notice", mini(content_item=items))["errcode"] == 90203


def test_miniprogram_page_too_long_90204(app_api: Api) -> None:
    assert send(app_api, "miniprogram_notice", mini(page="p" * 1025))["errcode"] == 90204


def test_miniprogram_no_at_all_40058(app_api: Api) -> None:
    assert send(app_api, "miniprogram_notice", mini(), touser="@all")["errcode"] == 40058


# -- template_card validation ----------------------------------------------------------------------------
CARD_ERRORS: list[tuple[str, dict[str, Any], int]] = [
    ("bad card_type", {"card_type": "poster"}, 42031),
    ("no card_action", {"card_action": None}, 42045),
    ("bad card_action type", {"card_action": {"type": 0}}, 42045),
    ("card_action url missing", {"card_action": {"type": 1}}, 42028),
    ("card_action appid missing", {"card_action": {"type": 2}}, 42030),
    ("no title", {"main_title": None}, 41016),
    ("7 horizontal items", {"horizontal_content_list": [{"keyname": "k"}] * 7}, 42035),
    ("horizontal keyname missing", {"horizontal_content_list": [{"value": "v"}]}, 42027),
    ("horizontal media_id missing", {"horizontal_content_list": [{"keyname": "k", "type": 2}]}, 42029),
    ("horizontal bad userid", {"horizontal_content_list": [{"keyname": "k", "type": 3, "userid": "ghost"}]}, 42050),
    ("4 jump items", {"jump_list": [{"title": "j"}] * 4}, 42042),
    ("jump title missing", {"jump_list": [{"type": 0}]}, 42033),
    ("action_menu duplicate keys", {"task_id": "t1", "action_menu": {"action_list": [{"text": "a", "key": "k"}, {"text": "b", "key": "k"}]}}, 42051),
    ("action_menu without task_id", {"action_menu": {"action_list": [{"text": "a", "key": "k"}]}}, 42014),
    ("bad task_id", {"task_id": "no spaces allowed"}, 42014),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "fields", "errcode"), CARD_ERRORS, ids=[c[0] for c in CARD_ERRORS]
)
def test_text_notice_card_errors(
    emu: Emulator, app_api: Api, case: str, fields: dict[str, Any], errcode: int
) -> None:
    body_card = card(**fields)
    for k, v in fields.items():
        if v is None:
            body_card.pop(k)
    assert send(app_api, "template_card", body_card)["errcode"] == errcode
    assert emu.messages() == []


INTERACTIVE_ERRORS: list[tuple[str, str, dict[str, Any], int]] = [
    ("news_notice without image", "news_notice", {"card_image": None}, 42044),
    ("news_notice image url missing", "news_notice", {"card_image": {"aspect_ratio": 1.3}}, 42044),
    ("5 vertical items", "news_notice", {"vertical_content_list": [{"title": "v"}] * 5}, 42036),
    ("button without task_id", "button_interaction", {"task_id": None}, 42014),
    ("7 buttons", "button_interaction", {"button_list": [{"text": "b", "key": "k"}] * 7}, 42038),
    ("button text missing", "button_interaction", {"button_list": [{"key": "k"}]}, 42038),
    ("button key missing", "button_interaction", {"button_list": [{"text": "b"}]}, 42039),
    ("selection without question_key", "button_interaction", {"button_selection": {"option_list": [{"id": "a", "text": "A"}]}}, 42043),
    ("selection 11 options", "button_interaction", {"button_selection": {"question_key": "q", "option_list": [{"id": str(i), "text": "x"} for i in range(11)]}}, 42037),
    ("option id duplicate", "vote_interaction", {"checkbox": {"question_key": "q", "option_list": [{"id": "a", "text": "A"}, {"id": "a", "text": "B"}]}}, 42040),
    ("option text missing", "vote_interaction", {"checkbox": {"question_key": "q", "option_list": [{"id": "a"}]}}, 42041),
    ("submit key missing", "vote_interaction", {"submit_button": {"text": "go"}}, 42046),
    ("submit text missing", "vote_interaction", {"submit_button": {"key": "go"}}, 42049),
    ("4 selects", "multiple_interaction", {"select_list": [{"question_key": f"q{i}", "option_list": [{"id": "a", "text": "A"}]} for i in range(4)]}, 42047),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "card_type", "fields", "errcode"),
    INTERACTIVE_ERRORS,
    ids=[c[0] for c in INTERACTIVE_ERRORS],
)
def test_other_card_errors(
    app_api: Api, case: str, card_type: str, fields: dict[str, Any], errcode: int
) -> None:
    body_card = card(card_type, **fields)
    for k, v in fields.items():
        if v is None:
            body_card.pop(k)
    assert send(app_api, "template_card", body_card)["errcode"] == errcode


def test_task_id_must_be_unique_per_app(app_api: Api) -> None:
    assert send(app_api, "template_card", card("button_interaction"))["errcode"] == 0
    assert send(app_api, "template_card", card("button_interaction"))["errcode"] == 40058


# -- recipients -------------------------------------------------------------------------------------
def test_pipes_spaces_parties_and_tags_are_expanded(emu: Emulator, app_api: Api) -> None:
    body = send(app_api, touser="zhangsan | LiSi", toparty="4", totag="2")
    assert body["errcode"] == 0
    assert body["invaliduser"] == "" and body["invalidparty"] == "" and body["invalidtag"] == ""
    got = {m.to for m in emu.messages()}
    # dept 4 (front-end) + tag 2 (management) + the two users, each once
    assert got == {
        "zhangsan",
        "lisi",
        "chenjing",
        "yangguang",
        "zhaolei",
        "fengtao",
        "zhangwei",
        "wuxia",
        "luoqing",
        "songjuan",
    }


def test_partial_invalid_is_reported_not_fatal(emu: Emulator, app_api: Api) -> None:
    body = send(app_api, touser="zhangsan|GHOST")
    assert body["errcode"] == 0
    assert body["invaliduser"] == "ghost"
    assert "invalidparty" not in body and "invalidtag" not in body
    assert [m.to for m in emu.messages()] == ["zhangsan"]


def test_users_outside_visibility_are_invalid_and_not_delivered(emu: Emulator) -> None:
    sales = Api(emu, "app", 1000003)  # visible: department 5 only
    body = sales.post(
        "message/send",
        {
            "touser": "wuxia|zhangsan",
            "toparty": "3|5",
            "msgtype": "text",
            "agentid": 1000003,
            "text": {"content": "x"},
        },
    )
    assert body["errcode"] == 0
    assert body["invaliduser"] == "zhangsan" and body["invalidparty"] == "3"
    assert emu.messages(to="zhangsan") == []
    assert len(emu.messages(to="wuxia")) == 1


def test_at_all_reaches_exactly_the_visible_range(emu: Emulator) -> None:
    sales = Api(emu, "app", 1000003)
    body = sales.post(
        "message/send",
        {
            "touser": "@all",
            "toparty": "3",
            "msgtype": "text",
            "agentid": 1000003,
            "text": {"content": "x"},
        },
    )
    assert body["errcode"] == 0 and body["invaliduser"] == ""
    assert "invalidparty" not in body  # toparty is ignored with @all
    assert {m.to for m in emu.messages()} == {u["userid"] for u in _dept_users(emu, 5)}


def _dept_users(emu: Emulator, dept: int) -> list[dict[str, Any]]:
    api = Api(emu, "contacts")
    return api.get("user/simplelist", department_id=dept, fetch_child=1)["userlist"]  # type: ignore[no-any-return]


def test_at_all_for_root_visible_app_reaches_every_member(emu: Emulator, app_api: Api) -> None:
    assert send(app_api, touser="@all")["errcode"] == 0
    assert len(emu.messages()) == len(_dept_users(emu, 1))


def test_id_translation_renders_names(emu: Emulator, app_api: Api) -> None:
    send(app_api, "text", {"content": "on duty: $userName=lisi$"}, enable_id_trans=1)
    assert emu.messages(to="zhangsan").one().text == "on duty: 李四"


# -- duplicate check ----------------------------------------------------------------------------------
def test_duplicate_inside_window_is_not_delivered_twice(emu: Emulator, app_api: Api) -> None:
    first = send(app_api, enable_duplicate_check=1, duplicate_check_interval=600)
    emu.advance(599)
    second = send(app_api, enable_duplicate_check=1, duplicate_check_interval=600)
    assert second["errcode"] == 0 and second["msgid"] == first["msgid"]
    assert len(emu.messages(to="zhangsan")) == 1
    emu.advance(2)
    third = send(app_api, enable_duplicate_check=1, duplicate_check_interval=600)
    assert third["msgid"] != first["msgid"]
    assert len(emu.messages(to="zhangsan")) == 2


def test_duplicate_default_window_1800_and_cap_4_hours(emu: Emulator, app_api: Api) -> None:
    send(app_api, enable_duplicate_check=1)
    emu.advance(1799)
    send(app_api, enable_duplicate_check=1)
    assert len(emu.messages()) == 1
    emu.advance(2)
    send(app_api, enable_duplicate_check=1)
    assert len(emu.messages()) == 2
    payload = {"content": "cap"}
    send(app_api, "text", payload, enable_duplicate_check=1, duplicate_check_interval=99999)
    emu.advance(4 * 3600 + 1)
    send(
        Api(emu, "app", AGENT),
        "text",
        payload,
        enable_duplicate_check=1,
        duplicate_check_interval=99999,
    )
    assert len(emu.messages(to="zhangsan")) == 4


def test_without_duplicate_check_both_are_delivered(emu: Emulator, app_api: Api) -> None:
    send(app_api)
    send(app_api)
    assert len(emu.messages(to="zhangsan")) == 2


# -- per-member quota ----------------------------------------------------------------------------------
def test_over_30_per_minute_per_member_is_silently_dropped(emu: Emulator, app_api: Api) -> None:
    for i in range(31):
        assert send(app_api, "text", {"content": f"n{i}"})["errcode"] == 0
    assert len(emu.messages(to="zhangsan")) == 30
    emu.advance(61)
    send(app_api, "text", {"content": "later"})
    assert emu.messages(to="zhangsan")[-1].text == "later"


# -- recall -------------------------------------------------------------------------------------------
def test_recall_marks_the_message(emu: Emulator, app_api: Api) -> None:
    msgid = send(app_api, touser="zhangsan|lisi")["msgid"]
    assert app_api.post("message/recall", {"msgid": msgid})["errcode"] == 0
    assert all(m.recalled for m in emu.messages())


def test_recall_after_24_hours_42052(emu: Emulator, app_api: Api) -> None:
    msgid = send(app_api)["msgid"]
    emu.advance(24 * 3600 + 1)
    app_api = Api(emu, "app", AGENT)
    assert app_api.post("message/recall", {"msgid": msgid})["errcode"] == 42052
    assert not emu.messages().one().recalled


def test_recall_unknown_or_other_apps_msgid_40058(emu: Emulator, app_api: Api) -> None:
    msgid = send(app_api)["msgid"]
    other = Api(emu, "app", 1000004)
    assert other.post("message/recall", {"msgid": msgid})["errcode"] == 40058
    assert app_api.post("message/recall", {"msgid": "nope"})["errcode"] == 40058


# -- update_template_card --------------------------------------------------------------------------------
def test_update_card_button_once(emu: Emulator, app_api: Api) -> None:
    code = send(app_api, "template_card", card("button_interaction"), touser="zhangsan|lisi")[
        "response_code"
    ]
    body = app_api.post(
        "message/update_template_card",
        {
            "userids": ["zhangsan", "ghost"],
            "agentid": AGENT,
            "response_code": code,
            "button": {"replace_name": "已处理"},
        },
    )
    assert body["errcode"] == 0 and body["invaliduser"] == ["ghost"]
    assert emu.messages(to="zhangsan").one().content["replace_name"] == "已处理"
    assert emu.messages(to="lisi").one().updated == 0
    again = app_api.post(
        "message/update_template_card",
        {"atall": 1, "agentid": AGENT, "response_code": code, "button": {"replace_name": "x"}},
    )
    assert again["errcode"] == 60140


def test_update_card_replace_after_72h_60140(emu: Emulator, app_api: Api) -> None:
    code = send(app_api, "template_card", card("vote_interaction"))["response_code"]
    emu.advance(72 * 3600)
    body = Api(emu, "app", AGENT).post(
        "message/update_template_card",
        {"atall": 1, "agentid": AGENT, "response_code": code, "template_card": card()},
    )
    assert body["errcode"] == 60140


def test_update_card_replaces_the_card(emu: Emulator, app_api: Api) -> None:
    code = send(app_api, "template_card", card("vote_interaction"))["response_code"]
    new = card(main_title={"title": "Closed"})
    body = app_api.post(
        "message/update_template_card",
        {"atall": 1, "agentid": AGENT, "response_code": code, "template_card": new},
    )
    assert body["errcode"] == 0
    assert emu.messages(to="zhangsan").one().text.startswith("Closed")


def test_update_card_without_targets_82101(app_api: Api) -> None:
    code = send(app_api, "template_card", card("button_interaction"))["response_code"]
    body = app_api.post(
        "message/update_template_card",
        {"agentid": AGENT, "response_code": code, "button": {"replace_name": "x"}},
    )
    assert body["errcode"] == 82101


def test_update_card_targets_not_recipients_82102(app_api: Api) -> None:
    code = send(app_api, "template_card", card("button_interaction"))["response_code"]
    body = app_api.post(
        "message/update_template_card",
        {
            "userids": ["lisi"],
            "agentid": AGENT,
            "response_code": code,
            "button": {"replace_name": "x"},
        },
    )
    assert body["errcode"] == 82102 and body["invaliduser"] == ["lisi"]


def test_update_card_by_another_app_42015(emu: Emulator, app_api: Api) -> None:
    code = send(app_api, "template_card", card("button_interaction"))["response_code"]
    other = Api(emu, "app", 1000004)
    body = other.post(
        "message/update_template_card",
        {"atall": 1, "agentid": 1000004, "response_code": code, "button": {"replace_name": "x"}},
    )
    assert body["errcode"] == 42015
