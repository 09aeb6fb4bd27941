"""Welcome messages (doc 92137) and group welcome templates (doc 92366). No HTTP here.

A welcome code comes with ``add_external_contact``; it is valid for 20 seconds on the
emulator clock and works once. The message lands in the sandbox's view of the customer
(``scrm_store.deliver``).
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import get_int, get_str
from mock_server.core.state import Agent, Corp
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.attachments import parse_attachments, parse_text
from mock_server.services.external_contact.scrm_store import (
    chatted,
    deliver,
    external_scrm,
    new_msg_id,
)

WELCOME_CODE_TTL = 20  # seconds
TEMPLATES_MAX = 100
TEMPLATE_TEXT_MAX = 3000  # bytes
TEMPLATE_KINDS = ("image", "link", "miniprogram", "file", "video")  # precedence order


def send_welcome_msg(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    code = get_str(body, "welcome_code", missing=41049)
    slot = m.external_contact(corp).welcome_codes.get(code or "")
    now = corp.clock.time()
    if slot is None or slot.get("used") or now - slot["time"] > WELCOME_CODE_TTL:
        raise WeComError(41050)
    text = parse_text(body)
    attachments = parse_attachments(corp, body)
    if text is None and not attachments:
        raise param_error("text", "and attachments both empty")
    userid, eid = slot["userid"], slot["external_userid"]
    user = m.require_member(corp, userid, m.visible_keys(corp, agent))
    follow = m.external_contact(corp).follows.get(eid, {}).get(user.key)
    if follow is None:
        raise WeComError(84061)  # the member deleted the customer meanwhile
    if chatted(corp, user.userid, eid, since=slot["time"]):
        raise WeComError(41051)  # "externaluser has started chatting"
    # mutate
    slot["used"] = True
    content: dict[str, Any] = {"text": text, "attachments": attachments}
    deliver(corp, eid, user.userid, "welcome", content)


# -- group welcome templates -----------------------------------------------------------------
def _template_content(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    text = parse_text(body, TEMPLATE_TEXT_MAX)
    if text is not None:
        content["text"] = text
    for kind in TEMPLATE_KINDS:
        if body.get(kind) is not None and not isinstance(body[kind], dict):
            raise json_type_error(40058, f"{kind} expect object.")
    for kind in TEMPLATE_KINDS:  # the first present kind is used, the others ignored
        if isinstance(body.get(kind), dict):
            parsed = parse_attachments(corp, {"attachments": [{"msgtype": kind, kind: body[kind]}]})
            content[kind] = parsed[0][kind]
            break
    if not content:
        raise param_error("text", "and attachments both empty")
    return content


def _owner(agent: Agent | None) -> int | None:
    return agent.agentid if agent is not None else None


def template_add(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    st = external_scrm(corp)
    content = _template_content(corp, body)
    notify = get_int(body, "notify")
    if notify not in (None, 0, 1):
        raise param_error("notify", "exceed range [0, 1]")
    if len(st.group_templates) >= TEMPLATES_MAX:
        raise WeComError(41055)
    template_id = new_msg_id(corp, "welcome_template")
    st.group_templates[template_id] = {
        "owner": _owner(agent),
        "content": content,
        "notify": 1 if notify is None else notify,
    }
    return {"template_id": template_id}


def _template(corp: Corp, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    template_id = get_str(body, "template_id")
    if template_id is None:
        raise param_error("template_id", "missing")
    tpl = external_scrm(corp).group_templates.get(template_id)
    if tpl is None:
        raise param_error("template_id", "invalid")  # unknown id: errcode undocumented
    return template_id, tpl


def _check_own(tpl: dict[str, Any], agent: Agent | None) -> None:
    if agent is not None and tpl["owner"] != agent.agentid:
        raise WeComError(41058)


def template_edit(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    _, tpl = _template(corp, body)
    _check_own(tpl, agent)
    tpl["content"] = _template_content(corp, body)


def template_get(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    _, tpl = _template(corp, body)
    out: dict[str, Any] = {}
    for key, value in tpl["content"].items():
        if key == "image" and "media_id" in value:
            # images come back as pic_url only (doc 92366 example)
            out[key] = {"pic_url": f"https://p.qpic.cn/pic_wework/{value['media_id'][:24]}/0"}
        else:
            out[key] = dict(value)
    return out


def template_del(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    template_id, tpl = _template(corp, body)
    _check_own(tpl, agent)
    del external_scrm(corp).group_templates[template_id]
