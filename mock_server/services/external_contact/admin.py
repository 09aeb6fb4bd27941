"""``/__admin/external/...``: the sandbox actions of customer contact over HTTP.

Every action takes a JSON body and an optional ``corpid`` (default: the first corp) and
answers 400 ``{"error": ...}`` when the action cannot happen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest
from mock_server.services.external_contact.api import ExternalContactAPI
from mock_server.services.external_contact.sandbox import SandboxError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> ExternalContactAPI:
    return emu.api("external_contact", ExternalContactAPI)


def _run(fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    try:
        result = fn(**kwargs)
    except (SandboxError, KeyError, TypeError) as exc:
        raise AdminError(str(exc).strip("'\"")) from None
    return result if isinstance(result, dict) else {"status": "ok"}


def _str_list(body: Any, key: str) -> list[str]:
    value = body.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AdminError(f"{key} must be a list of strings")
    return value


@admin.action("GET", "/external/customers")
def customers(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """external_userids of every customer (or of ``?userid=``'s customers)."""
    ids = _api(emu).external_contacts(req.text("userid"), req.corpid(emu))
    return {"external_userid": ids}


@admin.action("POST", "/external/follow/add")
def follow_add(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A customer adds a member (a new customer unless ``external_userid`` is given)."""
    b = req.body
    return _run(
        _api(emu).customer_add_follow,
        userid=b.get("userid"),
        external_userid=b.get("external_userid"),
        customer=b.get("customer"),
        state=b.get("state", ""),
        add_way=b.get("add_way", 1),
        welcome_code=bool(b.get("welcome_code", True)),
        corpid=req.corpid(emu),
    )


@admin.action("POST", "/external/follow/delete_by_customer")
def follow_deleted_by_customer(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """The customer deletes the member."""
    b = req.body
    return _run(
        _api(emu).customer_delete_follow,
        userid=b.get("userid"),
        external_userid=b.get("external_userid"),
        corpid=req.corpid(emu),
    )


@admin.action("POST", "/external/follow/delete_by_member")
def follow_deleted_by_member(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """The member deletes the customer."""
    b = req.body
    return _run(
        _api(emu).follow_delete_customer,
        userid=b.get("userid"),
        external_userid=b.get("external_userid"),
        corpid=req.corpid(emu),
    )


@admin.action("POST", "/external/groupchat/create")
def group_create(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A member creates a customer group."""
    b = req.body
    return _run(
        _api(emu).create_customer_group,
        owner=b.get("owner"),
        name=b.get("name", ""),
        notice=b.get("notice", ""),
        members=_str_list(b, "members") if "members" in b else None,
        corpid=req.corpid(emu),
    )


@admin.action("POST", "/external/groupchat/join")
def group_join(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Customers (or members) join a group."""
    b = req.body
    return _run(
        _api(emu).customer_join_group,
        chat_id=b.get("chat_id"),
        members=_str_list(b, "members"),
        join_scene=b.get("join_scene", 1),
        invitor=b.get("invitor"),
        group_nickname=b.get("group_nickname", ""),
        corpid=req.corpid(emu),
    )


@admin.action("POST", "/external/groupchat/leave")
def group_leave(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Members leave a group."""
    b = req.body
    return _run(
        _api(emu).customer_leave_group,
        chat_id=b.get("chat_id"),
        members=_str_list(b, "members"),
        quit_scene=b.get("quit_scene", 0),
        corpid=req.corpid(emu),
    )


@admin.action("POST", "/external/groupchat/dismiss")
def group_dismiss(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """The owner dismisses a group."""
    return _run(
        _api(emu).dismiss_customer_group, chat_id=req.body.get("chat_id"), corpid=req.corpid(emu)
    )
