"""Per-msgtype validation and plain-text rendering of message bodies (no HTTP, no state changes).

Each ``check_*`` returns the content object to store (truncated where the real API truncates)
or raises the errcode the real API answers with. Limits are UTF-8 bytes unless said otherwise.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import utf8_len
from mock_server.core.state import Corp
from mock_server.services.messaging.media.models import Media, media

APP_MSGTYPES = (
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
    "template_card",
)
APPCHAT_MSGTYPES = (
    "text",
    "image",
    "voice",
    "video",
    "file",
    "textcard",
    "news",
    "mpnews",
    "markdown",
)
ROBOT_MSGTYPES = (
    "text",
    "markdown",
    "markdown_v2",
    "image",
    "news",
    "file",
    "voice",
    "template_card",
)
CARD_TYPES = (
    "text_notice",
    "news_notice",
    "button_interaction",
    "vote_interaction",
    "multiple_interaction",
)
# Cards whose send returns a response_code (also text/news_notice with an action_menu).
INTERACTIVE_CARDS = ("button_interaction", "vote_interaction", "multiple_interaction")
SAFE_FILE_EXTS = {
    "txt",
    "pdf",
    "doc",
    "docx",
    "ppt",
    "pptx",
    "xls",
    "xlsx",
    "xml",
    "jpg",
    "jpeg",
    "png",
    "bmp",
    "gif",
}
# Every errcode ``check_template_card`` can raise (endpoint declarations list them).
CARD_ERRCODES = (
    40007, 40058, 41006, 41016, 42014, 42027, 42028, 42029, 42030, 42031, 42033, 42035,
    42036, 42037, 42038, 42039, 42040, 42041, 42042, 42043, 42044, 42045, 42046, 42047,
    42049, 42050, 42051,
)  # fmt: skip
TASK_ID_RE = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
ROBOT_IMAGE_MAX = 2 * 1024 * 1024
MPNEWS_CONTENT_MAX = 666 * 1024


# -- small readers -------------------------------------------------------------------------
def obj(body: dict[str, Any], key: str, missing: int) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        raise WeComError(missing)
    if not isinstance(value, dict):
        raise json_type_error(40058, f"{key} expect object.")
    return value


def text_field(data: dict[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise json_type_error(40058, f"{path} expect string.")
    return value


def _trunc_bytes(value: str, limit: int) -> str:
    raw = value.encode("utf-8")
    if len(raw) <= limit:
        return value
    return raw[:limit].decode("utf-8", "ignore")


def _trunc_chars(value: str, limit: int) -> str:
    return value[:limit]


def _check_url(url: str, path: str, limit: int = 2048) -> None:
    if utf8_len(url) > limit:
        raise param_error(path, f"exceed max length {limit}")
    if not url.lower().startswith(("http://", "https://")):
        raise WeComError(45034)


def _media(
    corp: Corp, media_id: Any, types: tuple[str, ...] | None, *, robot_key: str | None = None
) -> Media:
    """A live media item usable by this sender: unknown, expired, of the wrong type or
    uploaded by another sender (a robot's uploads are that robot's) -> 40007."""
    if media_id is None or media_id == "":
        raise WeComError(41006)
    if not isinstance(media_id, str):
        raise json_type_error(40058, "media_id expect string.")
    item = media(corp).items.get(media_id)
    now = corp.clock.time()
    if item is None or item.expired(now) or item.robot_key != robot_key:
        raise WeComError(40007)
    if types is not None and item.type not in types:
        raise WeComError(40007)
    return item


# -- app messages (message/send) and appchat/send --------------------------------------------
def check_content(
    corp: Corp,
    msgtype: str,
    body: dict[str, Any],
    *,
    safe: int,
    appchat: bool = False,
    agentid: int | None = None,
) -> dict[str, Any]:
    """Validate the ``body[msgtype]`` object of an app (or appchat) message."""
    data = obj(body, msgtype, 44004 if msgtype in ("text", "markdown") else 40058)
    if msgtype == "text":
        content = text_field(data, "content", "text.content")
        if content is None:
            raise WeComError(44004)
        if utf8_len(content) > 2048:
            if appchat:
                raise WeComError(45002)
            # Doc 90236 (field table): text content "最长不超过2048个字节，超过将截断" - the
            # app message is delivered cut at 2048 bytes (on a character boundary). The
            # 45002 help text also names text > 2048 bytes; the field table is the more
            # specific statement and is followed here (unconfirmed which a server applies).
            content = truncate_utf8(content, 2048)
        out: dict[str, Any] = {"content": content}
        if appchat and data.get("mentioned_list") is not None:
            out["mentioned_list"] = _str_list(data, "mentioned_list", "text.mentioned_list")
        return out
    if msgtype == "markdown":
        content = text_field(data, "content", "markdown.content")
        if content is None:
            raise WeComError(44004)
        if utf8_len(content) > 2048:
            raise WeComError(45002)
        return {"content": content}
    if msgtype in ("image", "voice", "video", "file"):
        types = {"image": ("image",), "voice": ("voice",), "video": ("video",), "file": None}
        item = _media(corp, data.get("media_id"), types[msgtype])
        out = {"media_id": item.media_id, "filename": item.filename}
        if msgtype == "file" and safe == 1:
            ext = item.filename.rsplit(".", 1)[-1].lower() if "." in item.filename else ""
            if ext not in SAFE_FILE_EXTS:
                raise WeComError(40004)
        if msgtype == "video":
            title = text_field(data, "title", "video.title")
            desc = text_field(data, "description", "video.description")
            if title:
                out["title"] = _trunc_bytes(title, 128)
            if desc:
                out["description"] = _trunc_bytes(desc, 512)
        return out
    if msgtype == "textcard":
        title = text_field(data, "title", "textcard.title")
        if title is None:
            raise WeComError(41016)
        desc = text_field(data, "description", "textcard.description")
        if desc is None:
            raise WeComError(41033)
        url = text_field(data, "url", "textcard.url")
        if url is None:
            raise WeComError(41010)
        _check_url(url, "textcard.url")
        btntxt = text_field(data, "btntxt", "textcard.btntxt") or "详情"
        if appchat:  # appchat doc: title <= 128 bytes, description <= 512 bytes
            title, desc = _trunc_bytes(title, 128), _trunc_bytes(desc, 512)
        else:  # message/send doc: 128 / 512 characters
            title, desc = _trunc_chars(title, 128), _trunc_chars(desc, 512)
        return {"title": title, "description": desc, "url": url, "btntxt": btntxt[:4]}
    if msgtype == "news":
        if safe in (1, 2):
            raise WeComError(40074)
        return {"articles": check_news_articles(data, "news", url_required=appchat)}
    if msgtype == "mpnews":
        return {"articles": _check_mpnews(corp, data)}
    if msgtype == "miniprogram_notice":
        return _check_miniprogram(data)
    if msgtype == "template_card":
        return check_template_card(corp, data, robot=False, agentid=agentid)
    raise WeComError(40008)


def _str_list(data: dict[str, Any], key: str, path: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise json_type_error(40058, f"{path} expect array of string.")
    return list(value)


def _articles(data: dict[str, Any], path: str) -> list[dict[str, Any]]:
    articles = data.get("articles")
    if articles is None or articles == []:
        raise WeComError(45008)
    if not isinstance(articles, list) or not all(isinstance(a, dict) for a in articles):
        raise json_type_error(40058, f"{path}.articles expect array of object.")
    if len(articles) > 8:
        raise WeComError(45008)
    return articles


def check_news_articles(
    data: dict[str, Any], path: str, *, url_required: bool
) -> list[dict[str, Any]]:
    out = []
    for a in _articles(data, path):
        title = text_field(a, "title", f"{path}.articles.title")
        if title is None:
            raise WeComError(41016)
        if utf8_len(title) > 128:
            raise param_error(f"{path}.articles.title", "exceed max length 128")
        desc = text_field(a, "description", f"{path}.articles.description") or ""
        if utf8_len(desc) > 512:
            raise param_error(f"{path}.articles.description", "exceed max length 512")
        url = text_field(a, "url", f"{path}.articles.url")
        appid = text_field(a, "appid", f"{path}.articles.appid")
        pagepath = text_field(a, "pagepath", f"{path}.articles.pagepath")
        if url is not None:
            _check_url(url, f"{path}.articles.url")
        elif url_required or not (appid and pagepath):
            raise WeComError(41010)
        picurl = text_field(a, "picurl", f"{path}.articles.picurl") or ""
        if utf8_len(picurl) > 2048:
            raise param_error(f"{path}.articles.picurl", "exceed max length 2048")
        item = {"title": title, "description": desc, "url": url or "", "picurl": picurl}
        if appid and pagepath:
            if utf8_len(pagepath) > 128:
                raise param_error(f"{path}.articles.pagepath", "exceed max length 128")
            item.update({"appid": appid, "pagepath": pagepath})
        out.append(item)
    return out


def _check_mpnews(corp: Corp, data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for a in _articles(data, "mpnews"):
        title = text_field(a, "title", "mpnews.articles.title")
        if title is None:
            raise WeComError(41016)
        if utf8_len(title) > 128:
            raise param_error("mpnews.articles.title", "exceed max length 128")
        thumb = _media(corp, a.get("thumb_media_id"), ("image",))
        content = text_field(a, "content", "mpnews.articles.content")
        if content is None:
            raise WeComError(44004)
        if utf8_len(content) > MPNEWS_CONTENT_MAX:
            raise WeComError(45002)
        author = text_field(a, "author", "mpnews.articles.author") or ""
        if utf8_len(author) > 64:
            raise WeComError(45032)
        digest = text_field(a, "digest", "mpnews.articles.digest") or ""
        if utf8_len(digest) > 512:
            raise param_error("mpnews.articles.digest", "exceed max length 512")
        source = text_field(a, "content_source_url", "mpnews.articles.content_source_url") or ""
        out.append(
            {
                "title": title,
                "thumb_media_id": thumb.media_id,
                "author": author,
                "content_source_url": source,
                "content": content,
                "digest": digest,
            }
        )
    return out


MINIPROGRAM_APPID_RE = re.compile(r"^wx[0-9a-f]{16}$")


def _check_miniprogram(data: dict[str, Any]) -> dict[str, Any]:
    appid = text_field(data, "appid", "miniprogram_notice.appid")
    if appid is None:
        raise WeComError(90200)
    # Which mini program is bound to the app is not modelled: any well-formed appid is accepted.
    if not MINIPROGRAM_APPID_RE.match(appid):
        raise WeComError(90207)
    page = text_field(data, "page", "miniprogram_notice.page") or ""
    if utf8_len(page) > 1024:
        raise WeComError(90204)
    title = text_field(data, "title", "miniprogram_notice.title")
    if title is None:
        raise WeComError(41016)
    if not 4 <= len(title) <= 12:
        raise param_error("miniprogram_notice.title", "length must be 4 to 12")
    desc = text_field(data, "description", "miniprogram_notice.description") or ""
    if desc and not 4 <= len(desc) <= 12:
        raise param_error("miniprogram_notice.description", "length must be 4 to 12")
    items = data.get("content_item") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise json_type_error(40058, "miniprogram_notice.content_item expect array of object.")
    if len(items) > 10:
        raise WeComError(90201)
    kept = []
    for i in items:
        key, value = i.get("key") or "", i.get("value") or ""
        if not isinstance(key, str) or not isinstance(value, str):
            raise json_type_error(40058, "miniprogram_notice.content_item expect string.")
        if not key and not value:
            continue  # pairs with both empty are ignored
        if not 1 <= len(key) <= 10:
            raise WeComError(90202)
        if not 1 <= len(value) <= 30:
            raise WeComError(90203)
        kept.append({"key": key, "value": value})
    return {
        "appid": appid,
        "page": page,
        "title": title,
        "description": desc,
        "emphasis_first_item": bool(data.get("emphasis_first_item", False)),
        "content_item": kept,
    }


# -- template_card -----------------------------------------------------------------------------
def _list(card: dict[str, Any], key: str, low: int, high: int, errcode: int) -> list[Any]:
    value = card.get(key)
    if value is None:
        if low > 0:
            raise WeComError(errcode)
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise json_type_error(40058, f"template_card.{key} expect array of object.")
    if not low <= len(value) <= high:
        raise WeComError(errcode)
    return value


def _sub(card: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = card.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise json_type_error(40058, f"template_card.{key} expect object.")
    return value


def _jump_target(item: dict[str, Any], allowed: tuple[int, ...], errcode: int) -> None:
    kind = item.get("type", 0)
    if isinstance(kind, bool) or not isinstance(kind, int) or kind not in allowed:
        raise WeComError(errcode)
    if kind == 1 and not item.get("url"):
        raise WeComError(42028)
    if kind == 2 and not item.get("appid"):
        raise WeComError(42030)


def check_template_card(
    corp: Corp, card: dict[str, Any], *, robot: bool, agentid: int | None = None
) -> dict[str, Any]:
    """Structural rules of a template card (app message or robot webhook)."""
    card_type = card.get("card_type")
    allowed = CARD_TYPES[:2] if robot else CARD_TYPES
    if card_type not in allowed:
        raise WeComError(42031)
    main = _sub(card, "main_title") or {}
    has_title = bool(main.get("title"))
    if card_type == "text_notice":
        if not has_title and not card.get("sub_title_text"):
            raise WeComError(41016)
    elif not has_title:
        raise WeComError(41016)

    action = _sub(card, "card_action")
    if card_type in ("text_notice", "news_notice") and action is None:
        raise WeComError(42045)
    if action is not None:
        _jump_target(action, (0, 1, 2) if card_type == "button_interaction" else (1, 2), 42045)

    for item in _list(card, "horizontal_content_list", 0, 6, 42035):
        if not item.get("keyname"):
            raise WeComError(42027)
        kind = item.get("type", 0)
        if kind == 1 and not item.get("url"):
            raise WeComError(42028)
        if kind == 2:
            if not item.get("media_id"):
                raise WeComError(42029)
            _media(corp, item["media_id"], None)
        if kind == 3:
            from mock_server.services.contacts.models import contacts

            userid = item.get("userid")
            if not isinstance(userid, str) or contacts(corp).find_user(userid) is None:
                raise WeComError(42050)
    for item in _list(card, "jump_list", 0, 3, 42042):
        if not item.get("title"):
            raise WeComError(42033)
        _jump_target(item, (0, 1, 2), 42042)

    if card_type == "news_notice":
        image = _sub(card, "card_image")
        area = _sub(card, "image_text_area")
        if robot and (image is None or not image.get("url")):
            raise WeComError(42044)
        if image is not None and not image.get("url"):
            raise WeComError(42044)
        if area is not None and not area.get("image_url"):
            raise WeComError(42044)
        if image is None and area is None:
            raise WeComError(42044)
        for item in _list(card, "vertical_content_list", 0, 4, 42036):
            if not item.get("title"):
                raise WeComError(42033)

    menu = _sub(card, "action_menu")
    if menu is not None:
        if robot:
            raise param_error("template_card.action_menu", "not supported")
        actions = menu.get("action_list")
        if not isinstance(actions, list) or not 1 <= len(actions) <= 3:
            raise param_error("template_card.action_menu.action_list", "size must be 1 to 3")
        keys = []
        for a in actions:
            if not isinstance(a, dict) or not a.get("text") or not a.get("key"):
                raise param_error("template_card.action_menu.action_list", "text and key required")
            if utf8_len(str(a["key"])) > 1024:
                raise param_error("template_card.action_menu.action_list.key", "exceed 1024")
            keys.append(a["key"])
        if len(set(keys)) != len(keys):
            raise WeComError(42051)

    task_id = card.get("task_id")
    needs_task = card_type in INTERACTIVE_CARDS or menu is not None
    if task_id is not None or needs_task:
        if robot:
            raise param_error("template_card.task_id", "not supported")
        if not isinstance(task_id, str) or not TASK_ID_RE.match(task_id):
            raise WeComError(42014)

    if card_type == "button_interaction":
        buttons = _list(card, "button_list", 1, 6, 42038)
        for b in buttons:
            if not b.get("text"):
                raise WeComError(42038)
            kind = b.get("type", 0)
            if kind == 1 and not b.get("url"):
                raise WeComError(42028)
            if kind == 0 and not b.get("key"):
                raise WeComError(42039)
        selection = _sub(card, "button_selection")
        if selection is not None:
            _check_question(selection, 10)
    elif card_type == "vote_interaction":
        checkbox = _sub(card, "checkbox")
        if checkbox is None:
            raise WeComError(42043)
        _check_question(checkbox, 20)
        _check_submit(card)
    elif card_type == "multiple_interaction":
        selects = _list(card, "select_list", 1, 3, 42047)
        qkeys = [_check_question(s, 10) for s in selects]
        if len(set(qkeys)) != len(qkeys):
            raise WeComError(42043)
        _check_submit(card)
    return dict(card)


def _check_question(question: dict[str, Any], max_options: int) -> str:
    qkey = question.get("question_key")
    if not isinstance(qkey, str) or not qkey or utf8_len(qkey) > 1024:
        raise WeComError(42043)
    options = question.get("option_list")
    if not isinstance(options, list) or not 1 <= len(options) <= max_options:
        raise WeComError(42037)
    ids = []
    for o in options:
        oid = o.get("id") if isinstance(o, dict) else None
        if not isinstance(oid, str) or not oid or utf8_len(oid) > 128 or oid in ids:
            raise WeComError(42040)
        if not o.get("text"):
            raise WeComError(42041)
        ids.append(oid)
    return qkey


def _check_submit(card: dict[str, Any]) -> None:
    submit = _sub(card, "submit_button")
    if submit is None or not submit.get("text"):
        raise WeComError(42049)
    key = submit.get("key")
    if not isinstance(key, str) or not key or utf8_len(key) > 1024:
        raise WeComError(42046)


def has_response_code(card: dict[str, Any]) -> bool:
    return card.get("card_type") in INTERACTIVE_CARDS or card.get("action_menu") is not None


# -- robot webhook -----------------------------------------------------------------------------
def check_robot_content(
    corp: Corp, msgtype: str, body: dict[str, Any], robot_key: str
) -> dict[str, Any]:
    data = obj(body, msgtype, 44004 if msgtype in ("text", "markdown", "markdown_v2") else 40058)
    if msgtype == "text":
        content = text_field(data, "content", "text.content")
        if content is None:
            raise WeComError(44004)
        # Docs say 2048 bytes; a real 2022 capture shows enforcement at 5120.
        if utf8_len(content) > 5120:
            raise param_error("text.content", "exceed max length 5120")
        out: dict[str, Any] = {"content": content}
        for key in ("mentioned_list", "mentioned_mobile_list"):
            if data.get(key) is not None:
                out[key] = _str_list(data, key, f"text.{key}")
        return out
    if msgtype in ("markdown", "markdown_v2"):
        content = text_field(data, "content", f"{msgtype}.content")
        if content is None:
            raise WeComError(44004)
        if utf8_len(content) > 4096:
            raise param_error(f"{msgtype}.content", "exceed max length 4096")
        return {"content": content}
    if msgtype == "image":
        b64 = text_field(data, "base64", "image.base64")
        md5 = text_field(data, "md5", "image.md5")
        if b64 is None:
            raise param_error("image.base64", "is empty")
        if md5 is None:
            raise param_error("image.md5", "is empty")
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise param_error("image.base64", "invalid base64") from None
        if len(raw) > ROBOT_IMAGE_MAX:
            raise WeComError(93018)
        if hashlib.md5(raw).hexdigest() != md5.lower():
            raise param_error("image.md5", "not match")
        if not (raw.startswith(b"\xff\xd8\xff") or raw.startswith(b"\x89PNG\r\n\x1a\n")):
            raise WeComError(40004)
        return {"md5": md5.lower(), "size": len(raw)}
    if msgtype == "news":
        return {"articles": check_news_articles(data, "news", url_required=True)}
    if msgtype in ("file", "voice"):
        item = _media(
            corp,
            data.get("media_id"),
            ("voice",) if msgtype == "voice" else ("file", "voice"),
            robot_key=robot_key,
        )
        return {"media_id": item.media_id, "filename": item.filename}
    if msgtype == "template_card":
        return check_template_card(corp, data, robot=True)
    raise WeComError(40008)


# -- plain-text rendering -------------------------------------------------------------------------
_TAG_RE = re.compile(r"<[^>]+>")


def _strip_tags(value: str) -> str:
    return _TAG_RE.sub("", value.replace("<br>", "\n").replace("<br/>", "\n"))


def render_text(msgtype: str, content: dict[str, Any]) -> str:
    """What a reader would see, as plain text (for assertions and logs)."""
    if msgtype in ("text", "markdown", "markdown_v2"):
        return _strip_tags(str(content.get("content", "")))
    if msgtype in ("image", "voice", "video", "file"):
        name = content.get("filename") or ""
        parts = [f"[{msgtype}{' ' + name if name else ''}]"]
        for key in ("title", "description"):
            if content.get(key):
                parts.append(str(content[key]))
        return "\n".join(parts)
    if msgtype == "textcard":
        return "\n".join(
            [str(content["title"]), _strip_tags(str(content["description"])), str(content["url"])]
        )
    if msgtype in ("news", "mpnews"):
        lines = []
        for a in content.get("articles", []):
            lines.append(str(a.get("title", "")))
            if a.get("description") or a.get("digest"):
                lines.append(str(a.get("description") or a.get("digest")))
        return "\n".join(lines)
    if msgtype == "miniprogram_notice":
        lines = [str(content.get("title", ""))]
        if content.get("description"):
            lines.append(str(content["description"]))
        lines.extend(f"{i['key']}: {i['value']}" for i in content.get("content_item", []))
        return "\n".join(lines)
    if msgtype == "template_card":
        main = content.get("main_title") or {}
        lines = [str(main.get(k)) for k in ("title", "desc") if main.get(k)]
        if content.get("sub_title_text"):
            lines.append(str(content["sub_title_text"]))
        for item in content.get("horizontal_content_list") or []:
            lines.append(f"{item.get('keyname', '')}: {item.get('value', '')}")
        return "\n".join(lines)
    return ""


def truncate_utf8(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, never cutting a character in half."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")
