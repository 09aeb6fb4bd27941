"""``/__admin/external/...``: the sandbox actions of customer contact over HTTP.

Every route takes a JSON body and an optional ``corpid`` (default: the first corp) and
answers 400 ``{"error": ...}`` when the action cannot happen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator
from mock_server.services.external_contact.sandbox import SandboxError


def _run(fn: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        result = fn(**kwargs)
    except (SandboxError, KeyError, TypeError) as exc:
        raise AdminError(str(exc).strip("'\"")) from None
    return jsonify(result if isinstance(result, dict) else {"status": "ok"})


def _str_list(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AdminError(f"{key} must be a list of strings")
    return value


@admin_extension
def external_routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.get("/external/customers")
    def ext_customers() -> Any:
        ids = emu.external_contacts(request.args.get("userid"), request.args.get("corpid"))
        return jsonify({"external_userid": ids})

    @bp.post("/external/follow/add")
    def ext_follow_add() -> Any:
        b = body_json()
        return _run(
            emu.customer_add_follow,
            userid=b.get("userid"),
            external_userid=b.get("external_userid"),
            customer=b.get("customer"),
            state=b.get("state", ""),
            add_way=b.get("add_way", 1),
            welcome_code=bool(b.get("welcome_code", True)),
            corpid=b.get("corpid"),
        )

    @bp.post("/external/follow/delete_by_customer")
    def ext_follow_deleted_by_customer() -> Any:
        b = body_json()
        return _run(
            emu.customer_delete_follow,
            userid=b.get("userid"),
            external_userid=b.get("external_userid"),
            corpid=b.get("corpid"),
        )

    @bp.post("/external/follow/delete_by_member")
    def ext_follow_deleted_by_member() -> Any:
        b = body_json()
        return _run(
            emu.follow_delete_customer,
            userid=b.get("userid"),
            external_userid=b.get("external_userid"),
            corpid=b.get("corpid"),
        )

    @bp.post("/external/groupchat/create")
    def ext_group_create() -> Any:
        b = body_json()
        return _run(
            emu.create_customer_group,
            owner=b.get("owner"),
            name=b.get("name", ""),
            notice=b.get("notice", ""),
            members=_str_list(b, "members") if "members" in b else None,
            corpid=b.get("corpid"),
        )

    @bp.post("/external/groupchat/join")
    def ext_group_join() -> Any:
        b = body_json()
        return _run(
            emu.customer_join_group,
            chat_id=b.get("chat_id"),
            members=_str_list(b, "members"),
            join_scene=b.get("join_scene", 1),
            invitor=b.get("invitor"),
            group_nickname=b.get("group_nickname", ""),
            corpid=b.get("corpid"),
        )

    @bp.post("/external/groupchat/leave")
    def ext_group_leave() -> Any:
        b = body_json()
        return _run(
            emu.customer_leave_group,
            chat_id=b.get("chat_id"),
            members=_str_list(b, "members"),
            quit_scene=b.get("quit_scene", 0),
            corpid=b.get("corpid"),
        )

    @bp.post("/external/scrm/<path:action>")
    def ext_scrm_action(action: str) -> Any:
        b = body_json()
        return _run(emu.scrm_action, name=action, payload=b, corpid=b.pop("corpid", None))

    @bp.post("/external/groupchat/dismiss")
    def ext_group_dismiss() -> Any:
        b = body_json()
        return _run(emu.dismiss_customer_group, chat_id=b.get("chat_id"), corpid=b.get("corpid"))
