"""Customer moment (客户朋友圈) task endpoints: thin declarations over ``moments``."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.services.external_contact import moments as mo
from mock_server.services.external_contact.contact_way_handlers import corp_of
from mock_server.services.external_contact.handlers import SCOPE, api

MOMENT = (41059, 41060)


@api.endpoint(
    "POST",
    "externalcontact/add_moment_task",
    doc="95094",
    errcodes=(48002, 40007, 40058, 41064, 41065, 41089, 41210),
    **SCOPE,
)
def add_moment_task(ctx: Context) -> dict[str, Any]:
    """Create a corp moment for members to publish (async job; 9 images, 1 video or 1 link)."""
    return mo.add_moment_task(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "GET",
    "externalcontact/get_moment_task_result",
    doc="95094",
    errcodes=(48002, 40088),
    **SCOPE,
)
def get_moment_task_result(ctx: Context) -> dict[str, Any]:
    """The add_moment_task job: status 3 with moment_id and invalid senders/tags."""
    return mo.task_result(corp_of(ctx), ctx.query)


@api.endpoint(
    "POST",
    "externalcontact/get_moment_list",
    doc="93333",
    errcodes=(48002, 40058, 50100),
    **SCOPE,
)
def get_moment_list(ctx: Context) -> dict[str, Any]:
    """Moments created in a time range (at most 30 days), 20 per page."""
    return mo.moment_list(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_moment_task",
    doc="93333",
    errcodes=(48002, 40058, 50100, *MOMENT),
    **SCOPE,
)
def get_moment_task(ctx: Context) -> dict[str, Any]:
    """Members asked to publish a corp moment and whether they did."""
    return mo.moment_task(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_moment_customer_list",
    doc="93333",
    errcodes=(48002, 40058, 41061, 41062, 50100, *MOMENT),
    **SCOPE,
)
def get_moment_customer_list(ctx: Context) -> dict[str, Any]:
    """The customers a member's published moment was meant for."""
    return mo.customer_list(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/get_moment_send_result",
    doc="93333",
    errcodes=(48002, 40058, 41061, 41062, 50100, *MOMENT),
    **SCOPE,
)
def get_moment_send_result(ctx: Context) -> dict[str, Any]:
    """The customers who can see a member's published moment."""
    return mo.send_result(corp_of(ctx), ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/cancel_moment_task",
    doc="97612",
    errcodes=(48002, 40058, *MOMENT),
    **SCOPE,
)
def cancel_moment_task(ctx: Context) -> None:
    """Stop a corp moment for members who have not published it."""
    mo.cancel(corp_of(ctx), ctx.json())
