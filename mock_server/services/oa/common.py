"""Helpers shared by the OA resources (calendars, schedules, meetings, approvals, vacation)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import APPROVAL, Family, Handler
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm


def userids(corp: Any, raw: Any, field: str, errcode: int) -> list[str]:
    """A list of existing userids (canonical spelling); anything else is ``errcode``."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise WeComError(errcode, f"{field} must be an array.")
    store = cm.contacts(corp)
    out: list[str] = []
    for u in raw:
        user = store.find_user(u) if isinstance(u, str) else None
        if user is None:
            raise WeComError(errcode, f"{field} {u} invalid.")
        if user.userid not in out:
            out.append(user.userid)
    return out


def int_field(data: dict[str, Any], key: str, errcode: int, default: int | None = None) -> int:
    raw = data.get(key, default)
    if raw is None or isinstance(raw, bool):
        raise WeComError(errcode, f"{key} required.")
    if isinstance(raw, str) and raw.lstrip("-").isdecimal():
        return int(raw)
    if not isinstance(raw, int):
        raise WeComError(errcode, f"{key} must be an integer.")
    return raw


def text_field(
    data: dict[str, Any], key: str, max_chars: int, errcode: int = 40058, default: str = ""
) -> str:
    raw = data.get(key, default)
    if raw is None:
        return default
    if not isinstance(raw, str):
        raise WeComError(errcode, f"{key} must be a string.")
    if len(raw) > max_chars:
        raise WeComError(errcode, f"{key} exceed max length {max_chars}.")
    return raw


def owner(ctx: Context) -> int | None:
    """Calendars, schedules and meetings belong to the app (agentid) that created them."""
    return ctx.agentid


def approval_endpoint(
    api: Family, method: str, name: str, *, doc: str, errcodes: Iterable[int]
) -> Callable[[Handler], Handler]:
    """An endpoint of the approval family (审批, 假期): callers are the 审批 secret or a
    self-built app listed under 审批 -> 可调用接口的应用 (fixture permission ``approval``)."""
    return api.endpoint(
        method, name, scopes=(APPROVAL,), app_permission="approval", doc=doc, errcodes=errcodes
    )


def visible_member(corp: Corp, agent: Agent | None, userid: Any) -> cm.User | None:
    """The member ``userid`` if the caller sees it (the 审批 secret, no agent, sees everyone)."""
    user = cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
    if user is None or not cm.is_user_visible(corp, agent, user):
        return None
    return user
