"""Customer-group join ways 「加入群聊」 (doc 92229) and ``opengid_to_chatid`` (doc 94822).

Only the creating app may read or change a join way; they share the 500,000 API quota with
contact ways. A sandbox action lets a customer join through a way: the first group with room
is used, a new one is created when all are full and ``auto_create_room`` is 1.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.params import get_int, get_list, get_str
from mock_server.core.state import Agent, Corp
from mock_server.services.external_contact import contact_ways as cw
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact import sandbox as sb
from mock_server.services.external_contact.scrm_store import external_scrm, new_hex_id

CHATS_MAX = 5
REMARK_MAX = 30  # longer remarks are truncated, not rejected
ROOM_NAME_MAX = 40
STATE_MAX = 30
QR_JOIN_MAX = 200  # members a group takes through a QR code (unconfirmed for join ways)


def _fields(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    scene = get_int(body, "scene")
    if scene not in (1, 2):
        raise param_error("scene", "invalid" if scene is not None else "missing")
    chat_ids = get_list(body, "chat_id_list", item=str) or []
    if not chat_ids:
        raise param_error("chat_id_list", "exceed min size 1")
    if len(chat_ids) > CHATS_MAX:
        raise WeComError(41091)
    keys = m.visible_keys(corp, agent)
    chats = m.external_contact(corp).chats
    for cid in chat_ids:
        chat = chats.get(cid)
        if chat is None or chat.dismissed:
            raise WeComError(86001)
        if keys is not None and chat.owner not in keys:
            raise WeComError(60011)
    auto = get_int(body, "auto_create_room")
    auto = 1 if auto is None else auto
    if auto not in (0, 1):
        raise param_error("auto_create_room", "exceed range [0, 1]")
    base_name = get_str(body, "room_base_name") or ""
    if len(base_name) > ROOM_NAME_MAX:
        raise param_error("room_base_name", f"exceed max length {ROOM_NAME_MAX}")
    state = get_str(body, "state") or ""
    if len(state) > STATE_MAX:
        raise param_error("state", f"exceed max length {STATE_MAX}")
    mark = body.get("mark_source", True)
    return {
        "scene": scene,
        "remark": (get_str(body, "remark") or "")[:REMARK_MAX],
        "auto_create_room": auto,
        "room_base_name": base_name,
        "room_base_id": get_int(body, "room_base_id") or 0,
        "chat_id_list": list(dict.fromkeys(chat_ids)),
        "state": state,
        "mark_source": bool(mark),
    }


def add_join_way(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(corp, agent, body)
    st = external_scrm(corp)
    if (
        len(st.join_ways) + sum(1 for w in st.contact_ways.values() if not w.is_temp)
        >= cw.API_WAYS_MAX
    ):
        raise WeComError(41045)
    config_id = new_hex_id(corp, "join_way")
    qr = "https://p.qpic.cn/wwhead/" + m.make_id(corp, "join_qr", st.counter, "nMl9", 44) + "/0"
    st.join_ways[config_id] = {
        **fields,
        "owner": agent.agentid if agent is not None else None,
        "qr_code": qr,
        "rooms_created": 0,
    }
    return {"config_id": config_id}


def _own(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    config_id = get_str(body, "config_id")
    if config_id is None:
        raise WeComError(41043)
    way = external_scrm(corp).join_ways.get(config_id)
    owner = agent.agentid if agent is not None else None
    if way is None or way["owner"] != owner:
        raise WeComError(41044)  # another app's join way reads as unknown (unconfirmed)
    return config_id, way


def get_join_way(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    config_id, way = _own(corp, agent, body)
    keys = (
        "scene",
        "remark",
        "auto_create_room",
        "room_base_name",
        "room_base_id",
        "chat_id_list",
        "qr_code",
        "state",
        "mark_source",
    )
    out: dict[str, Any] = {"config_id": config_id}
    out.update({k: list(way[k]) if isinstance(way[k], list) else way[k] for k in keys})
    return {"join_way": out}


def update_join_way(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    """Full overwrite: omitted optional fields revert to their defaults (unconfirmed)."""
    _, way = _own(corp, agent, body)
    way.update(_fields(corp, agent, body))


def del_join_way(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    config_id, _ = _own(corp, agent, body)
    del external_scrm(corp).join_ways[config_id]


# -- opengid ---------------------------------------------------------------------------------
def opengid_of(corp: Corp, chat_id: str) -> str:
    """The group id a mini program sees inside a WeChat group (stable per corp and chat)."""
    digest = hashlib.sha256(f"{corp.corpid}:opengid:{chat_id}".encode()).hexdigest()
    return "oA" + digest[:26]


def opengid_to_chatid(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    opengid = get_str(body, "opengid")
    keys = m.visible_keys(corp, agent)
    if opengid:
        for chat in m.external_contact(corp).chats.values():
            if opengid_of(corp, chat.chat_id) == opengid and not chat.dismissed:
                if keys is None or chat.owner in keys:
                    return {"chat_id": chat.chat_id}
    raise WeComError(90511)


# -- sandbox: a customer joins through the way ------------------------------------------------
def join(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    way = external_scrm(corp).join_ways.get(payload.get("config_id") or "")
    if way is None:
        raise sb.SandboxError(f"unknown join way {payload.get('config_id')!r}")
    eid = payload.get("external_userid")
    if not isinstance(eid, str) or eid not in m.external_contact(corp).customers:
        raise sb.SandboxError("give the external_userid of a known customer")
    chats = m.external_contact(corp).chats
    target = None
    for cid in way["chat_id_list"]:
        chat = chats.get(cid)
        if chat is not None and not chat.dismissed and len(chat.members) < QR_JOIN_MAX:
            target = chat
            break
    if target is None:
        if not way["auto_create_room"]:
            raise sb.SandboxError("every group of this join way is full")
        first = chats[way["chat_id_list"][0]]
        way["rooms_created"] += 1
        name = f"{way['room_base_name']}{way['room_base_id'] + way['rooms_created']}"
        target = sb.new_chat(corp, owner=m.userid_of(corp, first.owner), name=name)
        way["chat_id_list"].append(target.chat_id)
    scene = 3 if way["scene"] == 2 else 2
    result = sb.join_group(corp, target.chat_id, [eid], join_scene=scene)
    target.members[-1].state = way["state"]
    return result
