"""Live endpoints (直播, docs 93634-93641, 93874): create, modify, cancel, read, statistics.

Callers: a self-built app listed under 直播 (fixture permission ``living``); an app sees and
changes only the lives it created (92008). Only reserved lives can be modified or cancelled
(92006); a replay can be deleted once the live has ended (92007 before). Parameter errors are
40058 (the pages document none of their own); ``living/get_living_share_info`` is not emulated.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import Family
from mock_server.services.contacts import models as cm
from mock_server.services.oa.living import models as lm

api = Family("oa")
PERM = "living"
TYPES = (0, 1, 2, 3, 4)


def _uint(body: dict[str, Any], key: str, default: int | None = None) -> int:
    raw = body.get(key, default)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 0xFFFFFFFF:
        raise WeComError(40058, f"{key} invalid.")
    return raw


def _text(body: dict[str, Any], key: str, limit: int, required: bool = False) -> str | None:
    raw = body.get(key)
    if raw is None and not required:
        return None
    if not isinstance(raw, str) or (required and not raw) or len(raw) > limit:
        raise WeComError(40058, f"{key} must be a string of at most {limit} characters.")
    return raw


def _own(ctx: Context, livingid: Any) -> dict[str, Any]:
    live = lm.living(ctx.corp).lives.get(livingid) if isinstance(livingid, str) else None
    if live is None:
        raise WeComError(40058, "livingid invalid.")
    if live["owner"] != ctx.agentid:
        raise WeComError(92008)
    return live


def _fields(body: dict[str, Any], out: dict[str, Any], create: bool) -> None:
    staged: dict[str, Any] = {}
    theme = _text(body, "theme", 20, required=create)
    if theme is not None:
        staged["theme"] = theme
    for key in ("living_start", "living_duration"):
        if create or key in body:
            staged[key] = _uint(body, key)
    if "living_duration" in staged and staged["living_duration"] == 0:
        raise WeComError(40058, "living_duration must be positive.")
    if create or "type" in body:
        kind = body.get("type", 0)
        if kind not in TYPES or isinstance(kind, bool):
            raise WeComError(40058, "type must be 0-4.")
        staged["type"] = kind
    desc = _text(body, "description", 100)
    if desc is not None:
        staged["description"] = desc
    if create or "remind_time" in body:
        staged["remind_time"] = _uint(body, "remind_time", 0)
    out.update(staged)


@api.endpoint("POST", "living/create", app_permission=PERM, doc="93637", errcodes=(40058, 48002))
def living_create(ctx: Context) -> dict[str, Any]:
    """Reserve a live for an anchor (theme, start, duration, type, description)."""
    body = ctx.json()
    corp = ctx.corp
    anchor = cm.contacts(corp).find_user(body.get("anchor_userid", ""))
    if anchor is None or not cm.is_user_visible(corp, ctx.agent, anchor):
        raise WeComError(40058, "anchor_userid invalid.")
    live: dict[str, Any] = {"description": ""}
    _fields(body, live, create=True)
    livingid = "lv" + corp.ids.alnum(30)
    live.update(
        livingid=livingid, owner=ctx.agentid, anchor_userid=anchor.userid, created=ctx.now,
        started_at=0, ended_at=0, cancelled=False, replay_deleted=False,
        viewers=[], external_viewers=[], codes={},
    )  # fmt: skip
    lm.living(corp).lives[livingid] = live
    return {"livingid": livingid}


@api.endpoint(
    "POST", "living/modify", app_permission=PERM, doc="93640", errcodes=(40058, 48002, 92006, 92008)
)
def living_modify(ctx: Context) -> None:
    """Change a reserved live."""
    body = ctx.json()
    live = _own(ctx, body.get("livingid"))
    if lm.status(live, ctx.now) != lm.RESERVED:
        raise WeComError(92006)
    _fields(body, live, create=False)


@api.endpoint(
    "POST", "living/cancel", app_permission=PERM, doc="93638", errcodes=(40058, 48002, 92006, 92008)
)
def living_cancel(ctx: Context) -> None:
    """Cancel a reserved live (status 4; living_status_change)."""
    live = _own(ctx, ctx.json().get("livingid"))
    if lm.status(live, ctx.now) != lm.RESERVED:
        raise WeComError(92006)
    live["cancelled"] = True
    lm.emit(ctx.corp, live)


@api.endpoint(
    "POST",
    "living/delete_replay_data",
    app_permission=PERM,
    doc="93874",
    errcodes=(40058, 48002, 92007, 92008),
)
def living_delete_replay_data(ctx: Context) -> None:
    """Delete the replay of an ended live."""
    live = _own(ctx, ctx.json().get("livingid"))
    if lm.status(live, ctx.now) != lm.ENDED or live["replay_deleted"]:
        raise WeComError(92007)
    live["replay_deleted"] = True


@api.endpoint(
    "POST",
    "living/get_living_code",
    app_permission=PERM,
    doc="93641",
    errcodes=(40058, 48002, 92008),
)
def living_get_living_code(ctx: Context) -> dict[str, Any]:
    """A code letting a WeChat user (openid) open the live; the same for 5 minutes."""
    body = ctx.json()
    live = _own(ctx, body.get("livingid"))
    openid = _text(body, "openid", 128, required=True)
    assert openid is not None
    code, issued = live["codes"].get(openid, ["", 0])
    if not code or ctx.now - issued >= 300:
        code = ctx.corp.ids.alnum(32)
        live["codes"][openid] = [code, ctx.now]
    return {"living_code": code}


@api.endpoint(
    "POST",
    "living/get_user_all_livingid",
    app_permission=PERM,
    doc="93634",
    errcodes=(40058, 48002),
)
def living_get_user_all_livingid(ctx: Context) -> dict[str, Any]:
    """Ids of this app's lives a member anchors, paged (next_cursor "" on the last page)."""
    body = ctx.json()
    corp = ctx.corp
    user = cm.contacts(corp).find_user(body.get("userid", ""))
    if user is None:
        raise WeComError(40058, "userid invalid.")
    cursor = body.get("cursor") or "0"
    if not isinstance(cursor, str) or not cursor.isdecimal():
        raise WeComError(40058, "cursor invalid.")
    limit = _uint(body, "limit", 100)
    if not 1 <= limit <= 100:
        raise WeComError(40058, "limit must be 1..100.")
    lives = sorted(
        (
            x
            for x in lm.living(corp).lives.values()
            if x["owner"] == ctx.agentid and x["anchor_userid"] == user.userid
        ),
        key=lambda x: (x["living_start"], x["livingid"]),
    )
    offset = int(cursor)
    page = [x["livingid"] for x in lives[offset : offset + limit]]
    more = offset + limit < len(lives)
    return {"next_cursor": str(offset + limit) if more else "", "livingid_list": page}


@api.endpoint(
    "GET",
    "living/get_living_info",
    app_permission=PERM,
    doc="93635",
    errcodes=(40058, 48002, 92008),
)
def living_get_living_info(ctx: Context) -> dict[str, Any]:
    """A live's details and figures (GET ?livingid=)."""
    live = _own(ctx, ctx.query.get("livingid") or ctx.json().get("livingid"))
    corp = ctx.corp
    anchor = cm.contacts(corp).find_user(live["anchor_userid"])
    st = lm.status(live, ctx.now)
    viewers = len(live["viewers"]) + len(live["external_viewers"])
    info: dict[str, Any] = {
        "theme": live["theme"],
        "living_start": live["started_at"] or live["living_start"],
        "living_duration": (live["ended_at"] - live["started_at"])
        if live["ended_at"]
        else live["living_duration"],
        "status": st,
        "reserve_start": live["living_start"],
        "reserve_living_duration": live["living_duration"],
        "description": live["description"],
        "anchor_userid": live["anchor_userid"],
        "main_department": anchor.main_department if anchor else 0,
        "viewer_num": viewers,
        "comment_num": sum(v["is_comment"] for v in live["viewers"] + live["external_viewers"]),
        "mic_num": sum(v["is_mic"] for v in live["viewers"] + live["external_viewers"]),
        "open_replay": 1,
        "type": live["type"],
        "online_count": viewers if st == lm.LIVE else 0,
        "subscribe_count": 0,
    }
    if st == lm.ENDED:
        info["replay_status"] = 2 if live["replay_deleted"] else 0
    return {"living_info": info}


@api.endpoint(
    "POST",
    "living/get_watch_stat",
    app_permission=PERM,
    doc="93636",
    errcodes=(40058, 48002, 92008),
)
def living_get_watch_stat(ctx: Context) -> dict[str, Any]:
    """Who watched, for how long, commented or took the mic (one page; ending 1)."""
    body = ctx.json()
    live = _own(ctx, body.get("livingid"))
    key = body.get("next_key", "0")
    if key not in ("0", "", None):
        raise WeComError(40058, "next_key invalid.")
    return {
        "ending": 1,
        "next_key": "",
        "stat_info": {
            "users": list(live["viewers"]),
            "external_users": list(live["external_viewers"]),
        },
    }
