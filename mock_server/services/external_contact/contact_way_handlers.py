"""「联系我」 and welcome-message endpoints: thin declarations over ``contact_ways`` / ``welcome``."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.core.state import Corp
from mock_server.services.external_contact import contact_ways as cw
from mock_server.services.external_contact import welcome as w
from mock_server.services.external_contact.handlers import SCOPE, api
from mock_server.services.external_contact.transfers import settle

MEMBER_CODES = (60011, 60111, 41054, 40066)


def corp_of(ctx: Context) -> Corp:
    """The caller's corp with the clock's decisions applied (transfers due, ...)."""
    corp = ctx.corp
    settle(corp)
    return corp


@api.endpoint(
    "POST",
    "externalcontact/add_contact_way",
    doc="92228",
    errcodes=(
        48002,
        40007,
        40058,
        41037,
        41038,
        41039,
        41040,
        41041,
        41042,
        41045,
        *MEMBER_CODES,
    ),
    **SCOPE,
)
def add_contact_way(ctx: Context) -> dict[str, Any]:
    """Create a 「联系我」 QR code or mini-program button for one or several members."""
    return cw.add_contact_way(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_contact_way",
    doc="92228",
    errcodes=(48002, 40058, 41043, 41044),
    **SCOPE,
)
def get_contact_way(ctx: Context) -> dict[str, Any]:
    """A contact way's configuration (type, scene, state, members, QR code, ...)."""
    return cw.get_contact_way(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/list_contact_way",
    doc="92228",
    errcodes=(48002, 40058, 50100),
    **SCOPE,
)
def list_contact_way(ctx: Context) -> dict[str, Any]:
    """config_ids of API-created, non-temporary ways in a creation-time range, by cursor."""
    return cw.list_contact_way(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/update_contact_way",
    doc="92228",
    errcodes=(48002, 40007, 40058, 41041, 41042, 41043, 41044, *MEMBER_CODES),
    **SCOPE,
)
def update_contact_way(ctx: Context) -> None:
    """Change a way's remark, state, members, verification and temp-chat settings."""
    cw.update_contact_way(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/del_contact_way",
    doc="92228",
    errcodes=(48002, 40058, 41043, 41044),
    **SCOPE,
)
def del_contact_way(ctx: Context) -> None:
    """Delete a contact way (relations made through it stay)."""
    cw.del_contact_way(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/close_temp_chat",
    doc="92228",
    errcodes=(48002, 40058, 40096, 60011, 60111, 84061),
    **SCOPE,
)
def close_temp_chat(ctx: Context) -> None:
    """End a temporary chat opened through a temp way (its conclusions are sent first)."""
    cw.close_temp_chat(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/send_welcome_msg",
    doc="92137",
    errcodes=(48002, 40007, 40058, 41049, 41050, 41051, 41064, 41065, 60011, 84061),
    **SCOPE,
)
def send_welcome_msg(ctx: Context) -> None:
    """Send the welcome message with the add event's welcome code (20 s, once)."""
    w.send_welcome_msg(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/group_welcome_template/add",
    doc="92366",
    errcodes=(48002, 40007, 40058, 41055),
    **SCOPE,
)
def group_welcome_template_add(ctx: Context) -> dict[str, Any]:
    """Add a group welcome template (text with %NICKNAME%, plus one attachment)."""
    return w.template_add(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/group_welcome_template/edit",
    doc="92366",
    errcodes=(48002, 40007, 40058, 41058),
    **SCOPE,
)
def group_welcome_template_edit(ctx: Context) -> None:
    """Replace the content of a group welcome template this app created."""
    w.template_edit(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/group_welcome_template/get",
    doc="92366",
    errcodes=(48002, 40058),
    **SCOPE,
)
def group_welcome_template_get(ctx: Context) -> dict[str, Any]:
    """A group welcome template's content (images as pic_url)."""
    return w.template_get(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/group_welcome_template/del",
    doc="92366",
    errcodes=(48002, 40058, 41058),
    **SCOPE,
)
def group_welcome_template_del(ctx: Context) -> None:
    """Delete a group welcome template this app created."""
    w.template_del(corp_of(ctx), ctx.agent, ctx.json())
