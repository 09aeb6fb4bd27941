"""Statistics endpoints: thin declarations over ``statistics``."""

from __future__ import annotations

from typing import Any

from mock_server.core.pipeline import Context
from mock_server.services.external_contact import statistics as s
from mock_server.services.external_contact.contact_way_handlers import corp_of
from mock_server.services.external_contact.handlers import SCOPE, api


@api.endpoint(
    "POST",
    "externalcontact/get_user_behavior_data",
    doc="92132",
    errcodes=(48002, 40058, 40066, 60011, 60111),
    **SCOPE,
)
def get_user_behavior_data(ctx: Context) -> dict[str, Any]:
    """Daily contact figures of members/departments (aggregated), last 180 days, 30 at most."""
    return s.user_behavior(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/groupchat/statistic",
    doc="92133",
    errcodes=(48002, 40058, 60011, 60111, 81017),
    **SCOPE,
)
def groupchat_statistic(ctx: Context) -> dict[str, Any]:
    """Customer-group figures per owner over a day range, ordered and paged by offset."""
    return s.group_statistic(corp_of(ctx), ctx.agent, ctx.json())


@api.endpoint(
    "POST",
    "externalcontact/groupchat/statistic_group_by_day",
    doc="92133",
    errcodes=(48002, 40058, 60011, 60111, 81017),
    **SCOPE,
)
def groupchat_statistic_group_by_day(ctx: Context) -> dict[str, Any]:
    """Customer-group figures per day, aggregated over the selected owners."""
    return s.group_statistic_by_day(corp_of(ctx), ctx.agent, ctx.json())
