"""``/__admin/contacts/...``: what an administrator does in the admin console (sandbox)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest, call_checked
from mock_server.core.errors import WeComError
from mock_server.services.contacts.api import ContactsAPI

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> ContactsAPI:
    return emu.api("contacts", ContactsAPI)


@admin.action("GET", "/contacts/users/<userid>")
def user_get(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A member as user/get shows it to the contacts secret."""
    user = _api(emu).user(req.params["userid"], req.corpid(emu))
    if user is None:
        raise AdminError(f"no member {req.params['userid']}", 404)
    return user


@admin.action("POST", "/contacts/users", status=201)
def user_add(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Add a member as an admin would in the console (emits change_contact)."""
    fields = {k: v for k, v in req.body.items() if k != "corpid"}
    try:
        return call_checked(_api(emu).add_user, req.corpid(emu), **fields)
    except WeComError as exc:
        raise AdminError(f"rejected with errcode {exc.errcode}: {exc.text()}") from None
