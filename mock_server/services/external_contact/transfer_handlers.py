"""Customer transfer (继承) endpoints: thin declarations over ``transfers``."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.services.external_contact import group_transfers as gt
from mock_server.services.external_contact import transfers as tr
from mock_server.services.external_contact.contact_way_handlers import corp_of
from mock_server.services.external_contact.handlers import SCOPE, PageResponse, api

MEMBER = (60011, 60111, 40130, 41054)


@api.endpoint(
    "POST",
    "externalcontact/transfer_customer",
    doc="92125",
    errcodes=(48002, 40058, *MEMBER),
    **SCOPE,
)
def transfer_customer(ctx: Context) -> dict[str, Any]:
    """On-job transfer of up to 100 customers; accepted after 24 h unless refused."""
    return tr.transfer_customer(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/transfer_result",
    doc="94088",
    errcodes=(48002, 40058, 50100, 60011, 60111),
    **SCOPE,
)
def transfer_result(ctx: Context) -> dict[str, Any]:
    """Status of on-job transfers between two members (1 done, 2 waiting, 3 refused, 4 full)."""
    return tr.transfer_result(corp_of(ctx), ctx.agent, ctx.json(), resigned=False)


@api.endpoint(
    "POST",
    "externalcontact/resigned/transfer_customer",
    doc="94081",
    # 40130 (takeover = handover) cannot happen: a resigned handover is no member any more
    errcodes=(48002, 40058, 40097, 60011, 60111, 41054),
    **SCOPE,
)
def resigned_transfer_customer(ctx: Context) -> dict[str, Any]:
    """Assign a resigned member's customers to a member (accepted after 24 h)."""
    return tr.resigned_transfer_customer(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/resigned/transfer_result",
    doc="94082",
    errcodes=(48002, 40058, 40097, 50100, 60011, 60111),
    **SCOPE,
)
def resigned_transfer_result(ctx: Context) -> dict[str, Any]:
    """Status of a resigned member's customers assigned to a member."""
    return tr.transfer_result(corp_of(ctx), ctx.agent, ctx.json(), resigned=True)


@api.endpoint(
    "POST",
    "externalcontact/get_unassigned_list",
    doc="92124",
    errcodes=(48002, 40058, 50100),
    **SCOPE,
)
def get_unassigned_list(ctx: Context) -> PageResponse:
    """Customers of resigned members waiting for assignment (cursor or legacy page_id)."""
    return PageResponse(tr.unassigned(corp_of(ctx), ctx.agent, ctx.json()))


@api.endpoint(
    "POST",
    "externalcontact/transfer",
    doc="14020",
    # an unknown handover that is no member is looked up among the resigned: 60111, never 40097
    errcodes=(48002, 40058, 40096, 40128, 40129, 40131, *MEMBER),
    **SCOPE,
)
def legacy_transfer(ctx: Context) -> None:
    """Legacy: transfer one customer of an on-job or resigned member."""
    tr.legacy_transfer(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/groupchat/transfer",
    doc="92127",
    errcodes=(48002, 40058, 41054, 60011, 60111),
    **SCOPE,
)
def groupchat_transfer(ctx: Context) -> dict[str, Any]:
    """Assign customer groups of a resigned owner to a new owner (failures per group)."""
    return gt.transfer_groups(corp_of(ctx), ctx.agent, ctx.json(), resigned=True)


@api.endpoint(
    "POST",
    "externalcontact/groupchat/onjob_transfer",
    doc="95703",
    errcodes=(48002, 40058, 41054, 60011, 60111),
    **SCOPE,
)
def groupchat_onjob_transfer(ctx: Context) -> dict[str, Any]:
    """Transfer customer groups of an owner still employed (2 per group per 90 days)."""
    return gt.transfer_groups(corp_of(ctx), ctx.agent, ctx.json(), resigned=False)
