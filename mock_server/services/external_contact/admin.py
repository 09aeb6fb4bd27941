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
from mock_server.services.external_contact.scrm_sandbox import ACTIONS

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


# -- customer and group sandbox actions: POST /__admin/external/<path> ----------------------
# Each takes its Python API method's keyword arguments from the JSON body:
# (argument, default) or (argument, default, kind); kind "strs" is a required list of
# strings, "strs?" an optional one, "bool" a flag.
Arg = tuple[Any, ...]
SANDBOX: dict[str, tuple[str, str, tuple[Arg, ...]]] = {
    "follow/add": (
        "customer_add_follow",
        "A customer adds a member (a new customer unless ``external_userid`` is given).",
        (
            ("userid", None),
            ("external_userid", None),
            ("customer", None),
            ("state", ""),
            ("add_way", 1),
            ("welcome_code", True, "bool"),
        ),
    ),
    "follow/delete_by_customer": (
        "customer_delete_follow",
        "The customer deletes the member.",
        (("userid", None), ("external_userid", None)),
    ),
    "follow/delete_by_member": (
        "follow_delete_customer",
        "The member deletes the customer.",
        (("userid", None), ("external_userid", None)),
    ),
    "groupchat/create": (
        "create_customer_group",
        "A member creates a customer group.",
        (("owner", None), ("name", ""), ("notice", ""), ("members", None, "strs?")),
    ),
    "groupchat/join": (
        "customer_join_group",
        "Customers (or members) join a group.",
        (
            ("chat_id", None),
            ("members", None, "strs"),
            ("join_scene", 1),
            ("invitor", None),
            ("group_nickname", ""),
        ),
    ),
    "groupchat/leave": (
        "customer_leave_group",
        "Members leave a group.",
        (("chat_id", None), ("members", None, "strs"), ("quit_scene", 0)),
    ),
    "groupchat/dismiss": (
        "dismiss_customer_group",
        "The owner dismisses a group.",
        (("chat_id", None),),
    ),
}


def _arg(body: Any, spec: Arg) -> Any:
    name, default, kind = (*spec, "")[:3]
    if kind == "strs" or (kind == "strs?" and name in body):
        return _str_list(body, name)
    value = body.get(name, default)
    return bool(value) if kind == "bool" else value


def _sandbox_action(method: str, doc: str, args: tuple[Arg, ...]) -> Callable[..., Any]:
    def run(emu: Host, req: AdminRequest) -> dict[str, Any]:
        kwargs = {spec[0]: _arg(req.body, spec) for spec in args}
        return _run(getattr(_api(emu), method), **kwargs, corpid=req.corpid(emu))

    run.__doc__ = doc
    return run


for _path, (_method, _doc, _args) in SANDBOX.items():
    admin.action("POST", f"/external/{_path}")(_sandbox_action(_method, _doc, _args))


# -- SCRM sandbox actions: POST /__admin/external/scrm/<action> ---------------------------------
def _scrm_action(name: str) -> Callable[[Host, AdminRequest], dict[str, Any]]:
    def run(emu: Host, req: AdminRequest) -> dict[str, Any]:
        body = dict(req.body)
        body.pop("corpid", None)
        return _run(_api(emu).scrm_action, name=name, payload=body, corpid=req.corpid(emu))

    run.__doc__ = f"SCRM sandbox action {name!r} (see scrm_sandbox.ACTIONS)."
    return run


for _name in ACTIONS:
    admin.action("POST", f"/external/scrm/{_name}")(_scrm_action(_name))
