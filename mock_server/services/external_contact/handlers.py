"""Customer contact endpoints (客户联系): thin handlers over the domain modules.

Callers: the customer-contact system secret, or a self-built app listed under 客户联系 ->
"可调用接口的应用" (fixture permission ``externalcontact``); anyone else gets 48002.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from mock_server.core.errors import WeComError, param_error
from mock_server.core.journal import LIST_LIMIT, cut_list
from mock_server.core.params import get_int, get_list, get_obj, get_str
from mock_server.core.pipeline import ApiResponse, Context, success
from mock_server.core.registry import EXTERNAL, Family
from mock_server.services.external_contact import customers as cu
from mock_server.services.external_contact import groups as g
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact import tags as t
from mock_server.services.external_contact.paging import Page, encode

api = Family("external_contact")
SCOPE: dict[str, Any] = {"scopes": (EXTERNAL,), "app_permission": "externalcontact"}


class PageResponse(ApiResponse):
    """A success envelope around a ``Page`` of rendered rows: the big list is encoded by
    joining its rows' bytes, and built as a list only when something reads ``body`` (a hook,
    ``Emulator.call``, contract validation). Anything that replaced a part of the answer
    afterwards (a fault, a hook) makes it encode the answer as it then is."""

    def __init__(self, page: Page) -> None:
        super().__init__(success(page.body, "ok"))
        self._lazy: Page | None = page
        self._key = page.key
        self._raws = page.raws
        self._count = page.count
        self._page: bytes | None = None
        self._parts: list[tuple[str, Any]] = []

    @property
    def body(self) -> Any:
        body = self._body
        page = self._lazy
        if page is not None:
            self._lazy = None
            body[page.key] = page.rows()
            self._parts = list(body.items())
        return body

    @body.setter
    def body(self, value: Any) -> None:
        self._body = value
        self._lazy = None

    @property
    def errcode(self) -> int | None:
        code = self._body.get("errcode", 0)
        return code if isinstance(code, int) else None

    def head(self) -> dict[str, Any] | None:
        return self._body if self._lazy is not None else super().head()

    def bounded(self) -> dict[str, Any]:
        page = self._lazy
        if page is None:
            return super().bounded()
        out = dict(self._body)
        out[page.key] = cut_list(page.rows(LIST_LIMIT), self._count)
        return out

    def payload(self) -> bytes:
        if self._lazy is None:
            body = self._body
            if not (
                isinstance(body, dict)
                and len(body) == len(self._parts)
                and all(body.get(k) is v for k, v in self._parts)
                and len(body[self._key]) == self._count
            ):
                return super().payload()
        if self._page is None:  # the journal sizes it, the transport sends it: once
            self._page = encode(self._body, self._key, self._raws)
        return self._page


F = TypeVar("F", bound=Callable[..., Any])


def keep_empty(**lists: list[Any]) -> Callable[[F], F]:
    """Error answers keep the empty lists of the success shape, as captured
    (``{"errcode":84061,...,"external_userid":[]}``, ``"external_contact_list":[]``)."""

    def deco(fn: F) -> F:
        @wraps(fn)
        def wrapper(ctx: Context) -> Any:
            try:
                return fn(ctx)
            except WeComError as exc:
                for key, value in lists.items():
                    exc.extra.setdefault(key, list(value))
                raise

        return wrapper  # type: ignore[return-value]

    return deco


def _actor(ctx: Context) -> dict[str, Any]:
    return {"actor_scope": ctx.scope, "actor_agentid": ctx.agentid}


@api.endpoint(
    "GET", "externalcontact/get_follow_user_list", doc="92571", errcodes=(48002,), **SCOPE
)
def get_follow_user_list(ctx: Context) -> dict[str, Any]:
    """Members with customer contact enabled (in the app's visibility)."""
    return {"follow_user": cu.follow_user_list(ctx.corp, ctx.agent)}


@api.endpoint(
    "GET", "externalcontact/list", doc="92113", errcodes=(48002, 60011, 60111, 84061), **SCOPE
)
@keep_empty(external_userid=[])
def external_list(ctx: Context) -> dict[str, Any]:
    """external_userids of one member's customers."""
    corp = ctx.corp
    return {"external_userid": cu.customers_of(corp, ctx.agent, ctx.query.get("userid"))}


@api.endpoint(
    "GET",
    "externalcontact/get",
    doc="92114",
    errcodes=(48002, 40096, 84061, m.CURSOR_ERRCODE),
    **SCOPE,
)
@keep_empty(follow_user=[])
def external_get(ctx: Context) -> dict[str, Any]:
    """A customer and its follow users (paged by cursor beyond 500 follow users)."""
    return cu.get_customer(
        ctx.corp,
        ctx.agent,
        ctx.query.get("external_userid"),
        ctx.query.get("cursor") or None,
    )


@api.endpoint(
    "POST",
    "externalcontact/batch/get_by_user",
    doc="92994",
    errcodes=(48002, 40058, 60111, m.CURSOR_ERRCODE),
    **SCOPE,
)
@keep_empty(external_contact_list=[])
def batch_get_by_user(ctx: Context) -> ApiResponse:
    """Customers of up to 100 members, one row per (customer, member), paged by cursor."""
    body = ctx.json()
    if "userid_list" not in body and "userid" in body:
        # The older body (wechatpy and go-workwx still send it): one member as ``userid``.
        single = body.get("userid")
        userids: list[str] | None = [single] if isinstance(single, str) and single else []
        if not isinstance(single, str):
            raise WeComError(40058, "userid expect string.", json_warning=True)
    else:
        userids = get_list(body, "userid_list", item=str)
    if not userids:
        raise param_error("userid_list", "exceed min size 1")
    if len(userids) > m.BATCH_USERS_MAX:
        raise param_error("userid_list", f"exceed max size {m.BATCH_USERS_MAX}")
    limit = get_int(body, "limit")
    if limit is None or limit == 0:
        limit = m.BATCH_LIMIT_DEFAULT
    elif limit < 0:
        raise param_error("limit", "invalid")
    limit = min(limit, m.BATCH_LIMIT_MAX)  # larger values are clamped, not rejected
    cursor = get_str(body, "cursor")
    page = cu.batch_by_user(ctx.corp, ctx.agent, userids, cursor, limit)
    return ApiResponse(success(page, "ok"))


@api.endpoint(
    "POST",
    "externalcontact/remark",
    doc="92115",
    errcodes=(48002, 40007, 40058, 40096, 60011, 60111, 84061),
    **SCOPE,
)
def remark(ctx: Context) -> None:
    """Set a member's remark, description, company, mobiles or picture for a customer."""
    cu.remark(ctx.corp, ctx.agent, ctx.json(), **_actor(ctx))


@api.endpoint(
    "POST",
    "externalcontact/get_corp_tag_list",
    doc="92117",
    errcodes=(48002, 40058),
    **SCOPE,
)
def get_corp_tag_list(ctx: Context) -> dict[str, Any]:
    """Corp tag groups and tags (all, or by group_id / tag_id)."""
    body = ctx.json()
    tag_ids = get_list(body, "tag_id", item=str) or []
    group_ids = get_list(body, "group_id", item=str) or []
    return {"tag_group": t.corp_tag_list(ctx.corp, tag_ids, group_ids)}


@api.endpoint(
    "POST",
    "externalcontact/add_corp_tag",
    doc="92117",
    errcodes=(48002, 40058, 40068, 40071, 40126, 41111, 81011),
    **SCOPE,
)
def add_corp_tag(ctx: Context) -> dict[str, Any]:
    """Add tags to a group (by group_id, or a group_name that is created if new)."""
    group = t.add_corp_tag(ctx.corp, ctx.json(), agentid=ctx.agentid, actor_scope=ctx.scope)
    return {"tag_group": group}


@api.endpoint(
    "POST",
    "externalcontact/edit_corp_tag",
    doc="92117",
    errcodes=(48002, 40058, 40068, 40071, 81011),
    **SCOPE,
)
def edit_corp_tag(ctx: Context) -> None:
    """Rename or re-order a tag or a tag group."""
    t.edit_corp_tag(ctx.corp, ctx.json(), agentid=ctx.agentid, actor_scope=ctx.scope)


@api.endpoint(
    "POST",
    "externalcontact/del_corp_tag",
    doc="92117",
    errcodes=(48002, 40058, 40068, 81011),
    **SCOPE,
)
def del_corp_tag(ctx: Context) -> None:
    """Delete tags and/or groups (a group disappears with its last tag)."""
    body = ctx.json()
    t.del_corp_tag(
        ctx.corp,
        get_list(body, "tag_id", item=str) or [],
        get_list(body, "group_id", item=str) or [],
        agentid=ctx.agentid,
        actor_scope=ctx.scope,
    )


@api.endpoint(
    "POST",
    "externalcontact/mark_tag",
    doc="92118",
    errcodes=(48002, 40058, 40068, 40096, 40144, 60011, 60111, 84061),
    **SCOPE,
)
def mark_tag(ctx: Context) -> None:
    """Add/remove corp tags on a member's customer."""
    cu.mark_tag(ctx.corp, ctx.agent, ctx.json(), **_actor(ctx))


@api.endpoint(
    "POST",
    "externalcontact/groupchat/list",
    doc="92120",
    errcodes=(48002, 40058, 81017, m.CURSOR_ERRCODE),
    **SCOPE,
)
def groupchat_list(ctx: Context) -> dict[str, Any]:
    """Customer groups (chat_id, status), filtered by status and owners, paged by cursor."""
    body = ctx.json()
    limit = get_int(body, "limit")
    if limit is None:
        raise param_error("limit", "missing")
    if not 1 <= limit <= m.GROUP_LIMIT_MAX:
        raise param_error("limit", f"exceed range [1, {m.GROUP_LIMIT_MAX}]")
    status = get_int(body, "status_filter") or 0
    if status not in (0, 1, 2, 3):
        raise param_error("status_filter", "exceed range [0, 3]")
    owners: list[str] | None = None
    owner_filter = get_obj(body, "owner_filter")
    if owner_filter is not None:
        owners = get_list(owner_filter, "userid_list", item=str)
        if owners is not None and len(owners) > m.GROUP_OWNERS_MAX:
            raise param_error("owner_filter.userid_list", f"exceed max size {m.GROUP_OWNERS_MAX}")
        if not owners:
            owners = None
    return g.list_chats(
        ctx.corp,
        ctx.agent,
        status_filter=status,
        owners=owners,
        cursor=get_str(body, "cursor"),
        limit=limit,
    )


@api.endpoint(
    "POST",
    "externalcontact/groupchat/get",
    doc="92122",
    errcodes=(48002, 40058, 49008, 60011, 86001),
    **SCOPE,
)
def groupchat_get(ctx: Context) -> dict[str, Any]:
    """A customer group with members, admins and member_version."""
    body = ctx.json()
    need_name = get_int(body, "need_name") or 0
    if need_name not in (0, 1):
        raise param_error("need_name", "exceed range [0, 1]")
    return g.get_chat(ctx.corp, ctx.agent, get_str(body, "chat_id"), need_name == 1)
