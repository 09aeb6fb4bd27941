"""「联系我」contact ways (doc 92228): QR codes / mini-program buttons bound to members.

No HTTP here. A way stores its ``state``; when a WeChat user scans it (a sandbox action) the
new follow relation carries that state into ``add_external_contact`` and ``follow_user.state``.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import get_int, get_list, get_str, utf8_len
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact import sandbox as sb
from mock_server.services.external_contact.attachments import parse_attachments
from mock_server.services.external_contact.scrm_store import (
    DAY,
    ContactWay,
    day_of,
    deliver,
    external_scrm,
    limit_or_default,
    new_hex_id,
    next_cursor,
    page_cursor,
)

MEMBERS_MAX = 100  # after expanding departments (41041)
API_WAYS_MAX = 500_000  # shared with group join ways (41045)
TEMP_WAYS_PER_DAY = 100_000
TEMP_EXPIRES_DEFAULT, TEMP_EXPIRES_MAX = 7 * DAY, 14 * DAY
CHAT_EXPIRES_DEFAULT, CHAT_EXPIRES_MAX = DAY, 14 * DAY
REMARK_MAX = STATE_MAX = 30  # characters
LIST_SINCE = 1625846400  # 2021-07-10 00:00 Beijing: list_contact_way only returns newer ways
LIST_DEFAULT, LIST_MAX = 100, 1000
STYLES = {1: (1, 2, 3), 2: (1, 2)}  # button styles per way type (scene 1 only)


def _bool(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise json_type_error(40058, f"{key} expect bool.")


def _chars(body: dict[str, Any], key: str, limit: int) -> str | None:
    value = get_str(body, key)
    if value is not None and len(value) > limit:
        raise param_error(key, f"exceed max length {limit}")
    return value


def _members(
    corp: Corp, agent: Agent | None, users: list[str], parties: list[int]
) -> list[cm.User]:
    """The way's members after expanding departments (validated: exist, visible, active)."""
    contacts = cm.contacts(corp)
    keys = m.visible_keys(corp, agent)
    out: dict[str, cm.User] = {}
    for uid in users:
        user = m.require_member(corp, uid, keys)
        if user.status != 1:
            raise WeComError(41054)  # member not activated
        out[user.key] = user
    for dept in parties:
        if dept not in contacts.departments:
            raise WeComError(40066)
        if agent is not None and not cm.is_department_visible(corp, agent, dept):
            raise WeComError(60011)
        for user in contacts.users_in(dept, recursive=True):
            if user.status == 1:
                out.setdefault(user.key, user)
    return list(out.values())


def _conclusions(corp: Corp, value: Any) -> dict[str, Any] | None:
    """Closing messages of temp chats (§ conclusions): text plus one of image/link/miniprogram."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise json_type_error(40058, "conclusions expect object.")
    out: dict[str, Any] = {}
    text = value.get("text")
    if isinstance(text, dict) and text.get("content"):
        content = text["content"]
        if not isinstance(content, str) or utf8_len(content) > 4000:
            raise param_error("conclusions.text.content", "exceed max length 4000")
        out["text"] = {"content": content}
    for kind in ("image", "link", "miniprogram"):
        if isinstance(value.get(kind), dict):
            parsed = parse_attachments(
                corp, {"attachments": [{"msgtype": kind, kind: value[kind]}]}
            )
            out[kind] = parsed[0][kind]
    if not out:
        raise param_error("conclusions", "empty")
    return out


def _apply_fields(
    corp: Corp, agent: Agent | None, way: ContactWay, body: dict[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Validate the writable fields into a dict of changes (nothing is mutated here)."""
    changes: dict[str, Any] = {}
    if "style" in body and way.scene == 1:
        style = get_int(body, "style")
        if style is not None and style not in STYLES[way.type]:
            raise WeComError(41042)
        changes["style"] = style or 0
    for key, limit in (("remark", REMARK_MAX), ("state", STATE_MAX)):
        if key in body:
            changes[key] = _chars(body, key, limit) or ""
    if "skip_verify" in body:
        changes["skip_verify"] = _bool(body, "skip_verify", True)
    if "mark_source" in body:
        changes["mark_source"] = _bool(body, "mark_source", True)
    users = way.user
    parties = way.party
    if "user" in body:
        users = get_list(body, "user", item=str) or []
    if "party" in body:
        raw = get_list(body, "party", item=(int, str)) or []
        try:
            parties = [int(p) for p in raw]
        except ValueError:
            raise json_type_error(40058, "party expect array of int.") from None
    if way.type == 1:
        parties = []  # only honoured for multi-member ways
        if len(users) > 1:
            raise WeComError(41041)
        if not users:
            raise param_error("user", "exceed min size 1")
    elif not users and not parties:
        raise param_error("user", "and party both empty")
    members = _members(corp, agent, users, parties)
    if len(members) > MEMBERS_MAX:
        raise WeComError(41041)
    if creating or "user" in body or "party" in body:
        changes["user"] = list(users)
        changes["party"] = list(parties)
    if way.is_temp:
        for key, default, maximum in (
            ("expires_in", TEMP_EXPIRES_DEFAULT, TEMP_EXPIRES_MAX),
            ("chat_expires_in", CHAT_EXPIRES_DEFAULT, CHAT_EXPIRES_MAX),
        ):
            if creating or key in body:
                value = get_int(body, key)
                if value is not None and not 0 < value <= maximum:
                    raise param_error(key, f"exceed range (0, {maximum}]")
                changes[key] = value or default
        if "unionid" in body:
            changes["unionid"] = get_str(body, "unionid") or ""
        if "conclusions" in body:
            changes["conclusions"] = _conclusions(corp, body.get("conclusions"))
    return changes


def _api_way_count(corp: Corp) -> int:
    return sum(1 for w in external_scrm(corp).contact_ways.values() if not w.is_temp)


def add_contact_way(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    st = external_scrm(corp)
    way_type = get_int(body, "type", missing=41037)
    if way_type not in (1, 2):
        raise WeComError(41039)
    scene = get_int(body, "scene", missing=41038)
    if scene not in (1, 2):
        raise WeComError(41040)
    now = corp.clock.time()
    is_temp = _bool(body, "is_temp", False)
    if is_temp and way_type != 1:
        raise param_error("is_temp", "only for single-member ways")
    way = ContactWay(
        config_id="",
        type=way_type,
        scene=scene,
        create_time=now,
        owner=agent.agentid if agent is not None else None,
        is_temp=is_temp,
        is_exclusive=_bool(body, "is_exclusive", False),
    )
    changes = _apply_fields(corp, agent, way, body, creating=True)
    if is_temp:
        if st.temp_ways_by_day.get(day_of(now), 0) >= TEMP_WAYS_PER_DAY:
            raise WeComError(41045)
    elif _api_way_count(corp) + join_way_count(corp) >= API_WAYS_MAX:
        raise WeComError(41045)
    # mutate
    for key, value in changes.items():
        setattr(way, key, value)
    way.config_id = new_hex_id(corp, "contact_way")
    if scene == 2:
        way.qr_code = f"https://p.qpic.cn/wwhead/{m.make_id(corp, 'qr', st.counter, 'nMl9', 40)}/0"
    st.contact_ways[way.config_id] = way
    if is_temp:
        st.temp_ways_by_day[day_of(now)] = st.temp_ways_by_day.get(day_of(now), 0) + 1
    out = {"config_id": way.config_id}
    if way.qr_code:
        out["qr_code"] = way.qr_code
    return out


def join_way_count(corp: Corp) -> int:
    """Group join ways share the 500,000 quota (kept here so both sides agree)."""
    return len(external_scrm(corp).join_ways)


def require_way(corp: Corp, config_id: Any) -> ContactWay:
    if config_id is None or config_id == "":
        raise WeComError(41043)
    if not isinstance(config_id, str):
        raise json_type_error(40058, "config_id expect string.")
    way = external_scrm(corp).contact_ways.get(config_id)
    if way is None:
        raise WeComError(41044)
    return way


def _expired(corp: Corp, way: ContactWay) -> bool:
    return way.is_temp and (way.used or corp.clock.time() > way.create_time + way.expires_in)


def way_dict(way: ContactWay) -> dict[str, Any]:
    out: dict[str, Any] = {"config_id": way.config_id, "type": way.type, "scene": way.scene}
    if way.scene == 1:
        out["style"] = way.style
    out.update(
        {
            "remark": way.remark,
            "skip_verify": way.skip_verify,
            "state": way.state,
            "user": list(way.user),
            "party": list(way.party),
            "is_temp": way.is_temp,
        }
    )
    if way.qr_code:
        out["qr_code"] = way.qr_code
    if way.is_temp:
        out["expires_in"] = way.expires_in
        out["chat_expires_in"] = way.chat_expires_in
        out["unionid"] = way.unionid
        if way.conclusions:
            out["conclusions"] = _conclusions_view(way.conclusions)
    out["mark_source"] = way.mark_source
    return out


def _conclusions_view(c: dict[str, Any]) -> dict[str, Any]:
    out = {k: dict(v) for k, v in c.items()}
    image = out.get("image")
    if image is not None and "media_id" in image:
        # The read side gives pic_url for images written as media_id (doc 92228).
        out["image"] = {"pic_url": f"https://p.qpic.cn/pic_wework/{image['media_id'][:24]}/0"}
    return out


def get_contact_way(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    return {"contact_way": way_dict(require_way(corp, body.get("config_id")))}


def list_contact_way(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    now = corp.clock.time()
    start = get_int(body, "start_time")
    end = get_int(body, "end_time")
    start = now - 90 * DAY if start is None else start
    end = now if end is None else end
    if start > end:
        raise param_error("start_time", "larger than end_time")
    limit = limit_or_default(get_int(body, "limit"), LIST_DEFAULT, LIST_MAX)
    rows = [
        w.config_id
        for w in external_scrm(corp).contact_ways.values()
        if not w.is_temp and start <= w.create_time <= end and w.create_time >= LIST_SINCE
    ]
    filters = f"{start}:{end}"
    offset = page_cursor(corp, "contact_way", filters, body.get("cursor"), len(rows))
    page = rows[offset : offset + limit]
    end_at = offset + len(page)
    return {
        "contact_way": [{"config_id": c} for c in page],
        "next_cursor": next_cursor(corp, "contact_way", filters, end_at, len(rows)),
    }


def update_contact_way(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    way = require_way(corp, body.get("config_id"))
    if _expired(corp, way):
        raise WeComError(41044)  # an expired temp way cannot be edited (code unconfirmed)
    changes = _apply_fields(corp, agent, way, body, creating=False)
    for key, value in changes.items():
        setattr(way, key, value)


def del_contact_way(corp: Corp, body: dict[str, Any]) -> None:
    way = require_way(corp, body.get("config_id"))
    del external_scrm(corp).contact_ways[way.config_id]


def close_temp_chat(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> None:
    user = m.require_member(corp, get_str(body, "userid"), m.visible_keys(corp, agent))
    customer = m.require_customer(corp, get_str(body, "external_userid"))
    chat = external_scrm(corp).temp_chats.get(f"{user.key}|{customer.external_userid}")
    if chat is None or chat["closed"] or corp.clock.time() > chat["expires"]:
        raise WeComError(84061)  # not an open temporary chat (code unconfirmed)
    chat["closed"] = True
    if chat.get("conclusions"):
        deliver(corp, customer.external_userid, user.userid, "conclusions", chat["conclusions"])


# -- sandbox: a WeChat user scans the way ---------------------------------------------------
def scan(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """A WeChat user scans the QR code / taps the button: adds one of the way's members.

    skip_verify ways add at once (``add_external_contact`` with ``State`` and
    ``WelcomeCode``); others leave a friend request the member accepts later.
    """
    st = external_scrm(corp)
    way = st.contact_ways.get(payload.get("config_id") or "")
    if way is None:
        raise sb.SandboxError(f"unknown config_id {payload.get('config_id')!r}")
    if _expired(corp, way):
        raise sb.SandboxError("this temporary contact way has expired or was already used")
    members = _members(corp, None, way.user, way.party)
    if not members:
        raise sb.SandboxError("the way has no active member")
    existing = payload.get("external_userid")
    customer = payload.get("customer")
    user = _pick_member(corp, way, members, existing, customer)
    if not way.skip_verify:
        if existing is None:
            existing = sb.create_customer(corp, dict(customer or {})).external_userid
        elif existing not in m.external_contact(corp).customers:
            raise sb.SandboxError(f"unknown external_userid {existing!r}")
        st.pending.append(
            {
                "userid": user.userid,
                "external_userid": existing,
                "state": way.state,
                "config_id": way.config_id,
                "time": corp.clock.time(),
            }
        )
        way.next_member += 1
        return {"pending": True, "userid": user.userid, "external_userid": existing}
    result = sb.customer_adds_member(
        corp, user.userid, external_userid=existing, customer=customer, state=way.state
    )
    way.next_member += 1
    _after_add(corp, way, user, result["external_userid"])
    return {"pending": False, **result}


def _pick_member(
    corp: Corp, way: ContactWay, members: list[cm.User], existing: Any, customer: Any
) -> cm.User:
    if way.is_exclusive:
        # Customers of one external company are routed to the same follow user.
        corp_name = (customer or {}).get("corp_name") if existing is None else None
        if existing is not None and existing in m.external_contact(corp).customers:
            corp_name = m.external_contact(corp).customers[existing].corp_name
        if corp_name:
            ext = m.external_contact(corp)
            for user in members:
                for f in ext.by_user.get(user.key, []):
                    if ext.customers[f.external_userid].corp_name == corp_name:
                        return user
    return members[way.next_member % len(members)]


def _after_add(corp: Corp, way: ContactWay, user: cm.User, external_userid: str) -> None:
    if way.is_temp:
        way.used = True
        external_scrm(corp).temp_chats[f"{user.key}|{external_userid}"] = {
            "expires": corp.clock.time() + way.chat_expires_in,
            "closed": False,
            "conclusions": way.conclusions,
        }


def accept(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """The member accepts a pending friend request from a contact way."""
    st = external_scrm(corp)
    user = cm.contacts(corp).find_user(payload.get("userid") or "")
    eid = payload.get("external_userid")
    for i, req in enumerate(st.pending):
        if user is not None and req["userid"].lower() == user.key and req["external_userid"] == eid:
            result = sb.customer_adds_member(
                corp, user.userid, external_userid=eid, state=req["state"]
            )
            del st.pending[i]
            way = st.contact_ways.get(req["config_id"])
            if way is not None:
                _after_add(corp, way, user, eid)
            return result
    raise sb.SandboxError("no pending request from this customer to this member")
