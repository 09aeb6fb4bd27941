"""Vacation endpoints (假期): leave types, a member's balances, overwrite one balance.

Callers: the 审批 secret or a self-built app listed under 审批 -> 可调用接口的应用 (fixture
permission ``approval``); members outside the app's visibility answer 301063 (the real
choice between 301063 and 60011 is undocumented).
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import APPROVAL, Family
from mock_server.services.contacts import models as cm
from mock_server.services.oa.vacation import models as vm

api = Family("oa")


def _member(ctx: Context, userid: Any) -> cm.User:
    corp = ctx.corp
    user = cm.contacts(corp).find_user(userid) if isinstance(userid, str) else None
    if user is None or not cm.is_user_visible(corp, ctx.agent, user):
        raise WeComError(301063, f"userid {userid} invalid.")
    return user


@api.endpoint(
    "GET",
    "oa/vacation/getcorpconf",
    scopes=(APPROVAL,),
    app_permission="approval",
    doc="93375",
    errcodes=(48002,),
)
def getcorpconf(ctx: Context) -> dict[str, Any]:
    """Leave types configured in 假期管理 (GET; POST with an empty body works too)."""
    types = vm.vacation(ctx.corp).types
    return {"lists": [types[k] for k in sorted(types)]}


@api.endpoint(
    "POST",
    "oa/vacation/getuservacationquota",
    scopes=(APPROVAL,),
    app_permission="approval",
    doc="93376",
    errcodes=(301063, 48002),
)
def getuservacationquota(ctx: Context) -> dict[str, Any]:
    """A member's balance per leave type, in seconds (86400 a day, 3600 an hour)."""
    user = _member(ctx, ctx.json().get("userid"))
    return {"lists": vm.quota_list(ctx.corp, user.key)}


@api.endpoint(
    "POST",
    "oa/vacation/setoneuserquota",
    scopes=(APPROVAL,),
    app_permission="approval",
    doc="93377",
    errcodes=(301063, 301098, 48002),
)
def setoneuserquota(ctx: Context) -> None:
    """Overwrite a member's remaining balance of one leave type (0.1-day / 0.1-hour steps)."""
    body = ctx.json()
    user = _member(ctx, body.get("userid"))
    vm.set_left(ctx.corp, user.key, body)
