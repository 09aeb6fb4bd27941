"""Customer-group join way endpoints and ``opengid_to_chatid``: thin declarations."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.services.external_contact import join_ways as jw
from mock_server.services.external_contact.contact_way_handlers import corp_of
from mock_server.services.external_contact.handlers import SCOPE, api

CHAT_CODES = (60011, 86001, 41091)


@api.endpoint(
    "POST",
    "externalcontact/groupchat/add_join_way",
    doc="92229",
    errcodes=(48002, 40058, 41045, *CHAT_CODES),
    **SCOPE,
)
def add_join_way(ctx: Context) -> dict[str, Any]:
    """Create a 「加入群聊」 QR code / plugin for up to 5 customer groups."""
    return jw.add_join_way(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/groupchat/get_join_way",
    doc="92229",
    errcodes=(48002, 40058, 41043, 41044),
    **SCOPE,
)
def get_join_way(ctx: Context) -> dict[str, Any]:
    """A join way this app created (groups, QR code, state)."""
    return jw.get_join_way(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/groupchat/update_join_way",
    doc="92229",
    errcodes=(48002, 40058, 41043, 41044, *CHAT_CODES),
    **SCOPE,
)
def update_join_way(ctx: Context) -> None:
    """Overwrite a join way's configuration (scene and chat_id_list required)."""
    jw.update_join_way(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/groupchat/del_join_way",
    doc="92229",
    errcodes=(48002, 40058, 41043, 41044),
    **SCOPE,
)
def del_join_way(ctx: Context) -> None:
    """Delete a join way this app created."""
    jw.del_join_way(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/opengid_to_chatid",
    doc="94822",
    errcodes=(48002, 40058, 90511),
    **SCOPE,
)
def opengid_to_chatid(ctx: Context) -> dict[str, Any]:
    """The customer group chat_id behind a mini program's opengid."""
    return jw.opengid_to_chatid(corp_of(ctx), ctx.agent, ctx.json())
