"""Mass messaging (企业群发) endpoints: thin declarations over ``groupmsg``."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.services.external_contact import groupmsg as gm
from mock_server.services.external_contact.contact_way_handlers import corp_of
from mock_server.services.external_contact.handlers import SCOPE, PageResponse, api


@api.endpoint(
    "POST",
    "externalcontact/add_msg_template",
    doc="92135",
    errcodes=(48002, 40007, 40058, 41048, 41064, 41065, 60011, 60111),
    **SCOPE,
)
def add_msg_template(ctx: Context) -> dict[str, Any]:
    """Create a mass message to customers or customer groups (members confirm it)."""
    return gm.add_msg_template(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_groupmsg_list_v2",
    doc="93338",
    errcodes=(48002, 40058, 50100),
    **SCOPE,
)
def get_groupmsg_list_v2(ctx: Context) -> dict[str, Any]:
    """Mass messages created in a time range (at most one month), by cursor."""
    return gm.list_v2(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_groupmsg_task",
    doc="93338",
    errcodes=(48002, 40058, 41046, 41047, 50100),
    **SCOPE,
)
def get_groupmsg_task(ctx: Context) -> dict[str, Any]:
    """Per-member tasks of a mass message (status 0 not sent, 2 sent)."""
    return gm.task_list(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_groupmsg_send_result",
    doc="93338",
    errcodes=(48002, 40058, 41046, 41047, 50100, 60011, 60111),
    **SCOPE,
)
def get_groupmsg_send_result(ctx: Context) -> PageResponse:
    """Per-recipient results of one member's task (0 unsent, 1 sent, 2 not a friend, 3 quota)."""
    return PageResponse(gm.send_result(corp_of(ctx), ctx.agent, ctx.json()))


@api.endpoint(
    "POST",
    "externalcontact/remind_groupmsg_send",
    doc="97610",
    errcodes=(48002, 40058, 41046, 41047, 41093, 41094),
    **SCOPE,
)
def remind_groupmsg_send(ctx: Context) -> None:
    """Remind members who have not sent yet (at most 3 times in 24 hours)."""
    gm.remind(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/cancel_groupmsg_send",
    doc="97611",
    errcodes=(48002, 40058, 41046, 41047),
    **SCOPE,
)
def cancel_groupmsg_send(ctx: Context) -> None:
    """Stop a mass message for members who have not sent it (sent ones stay)."""
    gm.cancel(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_group_msg_result",
    doc="91561",
    errcodes=(48002, 40058, 41046, 41047, 50100),
    **SCOPE,
)
def get_group_msg_result(ctx: Context) -> dict[str, Any]:
    """Legacy: every recipient row of a mass message in one list."""
    return gm.legacy_result(corp_of(ctx), ctx.agent, ctx.json())
