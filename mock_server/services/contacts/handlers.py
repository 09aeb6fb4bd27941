"""Contacts endpoints (通讯录): thin handlers over ``models``."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from mock_server.core.errors import WeComError, json_type_error
from mock_server.core.params import get_int, get_list, get_str, query_int
from mock_server.core.pipeline import Context
from mock_server.core.registry import APP, APPROVAL, CONTACTS, EXTERNAL, Family
from mock_server.services.contacts import models as m

api = Family("contacts")
READ = (CONTACTS, APP)
WRITE = (CONTACTS,)
# Member/department reads a basic (system) app's secret may also make, with the reduced
# field set of 2022-06-20 (doc 90196); which reads exactly is unpublished (unconfirmed).
DETAIL_READ = (CONTACTS, APP, EXTERNAL, APPROVAL)
BASIC_SCOPES = (EXTERNAL, APPROVAL)


def _restricted(ctx: Context) -> bool:
    """Sensitive member fields withheld: basic apps, and apps with the modern privacy rules."""
    agent = ctx.agent
    return ctx.scope in BASIC_SCOPES or (agent is not None and agent.restricted_fields)


def _store(ctx: Context) -> m.ContactsStore:
    return m.contacts(ctx.corp)


def _actor(ctx: Context) -> dict[str, Any]:
    return {"actor_scope": ctx.scope, "actor_agentid": ctx.agentid}


def _dept_id_query(ctx: Context, key: str = "id", *, required: bool = True) -> int | None:
    value = query_int(ctx.query, key, missing=60003 if required else None, bad=60003)
    return value


# -- departments -----------------------------------------------------------------------------
@api.endpoint(
    "POST",
    "department/create",
    scopes=WRITE,
    success_errmsg="created",
    doc="90205",
    errcodes=(40058, 60001, 60004, 60008, 60009, 81002, 48002),
)
def department_create(ctx: Context) -> dict[str, Any]:
    """Create a department."""
    body = ctx.json()
    dept = m.create_department(
        ctx.corp,
        name=get_str(body, "name"),
        # An explicit empty name_en is refused (kept apart from "not given").
        name_en="" if body.get("name_en") == "" else get_str(body, "name_en"),
        parentid=get_int(body, "parentid"),
        order=get_int(body, "order"),
        id=get_int(body, "id"),
        **_actor(ctx),
    )
    return {"id": dept.id}


@api.endpoint(
    "POST",
    "department/update",
    scopes=WRITE,
    success_errmsg="updated",
    doc="90206",
    errcodes=(40058, 60001, 60003, 60004, 60008, 60009, 60010, 81002, 48002),
)
def department_update(ctx: Context) -> None:
    """Update a department (omitted fields unchanged)."""
    body = ctx.json()
    dept_id = get_int(body, "id", missing=60003)
    assert dept_id is not None
    m.update_department(
        ctx.corp,
        dept_id,
        name=get_str(body, "name"),
        name_en=get_str(body, "name_en"),
        parentid=get_int(body, "parentid"),
        order=get_int(body, "order"),
        **_actor(ctx),
    )


@api.endpoint(
    "GET",
    "department/delete",
    scopes=WRITE,
    success_errmsg="deleted",
    doc="90207",
    errcodes=(60003, 60005, 60006, 60007, 48002),
)
def department_delete(ctx: Context) -> None:
    """Delete an empty department."""
    dept_id = _dept_id_query(ctx)
    assert dept_id is not None
    m.delete_department(ctx.corp, dept_id, **_actor(ctx))


def _visible_tree(ctx: Context) -> tuple[m.ContactsStore, list[int]]:
    """Department ids the caller asked for and may see, in tree order."""
    store = _store(ctx)
    corp = ctx.corp
    agent = ctx.agent
    dept_id = _dept_id_query(ctx, required=False)
    visible = m.visible_departments(corp, agent)
    if dept_id is not None:
        if dept_id not in store.departments:
            raise WeComError(60003)
        if dept_id not in visible:
            raise WeComError(60011)
        roots = [dept_id]
    else:
        # Tops of the visible forest: visible departments whose parent is not visible.
        roots = [
            d
            for d in store.subtree(m.ROOT)
            if d in visible and store.departments[d].parentid not in visible
        ]
    out: list[int] = []
    for r in roots:
        out.extend(d for d in store.subtree(r) if d in visible)
    return store, out


@api.endpoint(
    "GET", "department/list", scopes=DETAIL_READ, doc="90208", errcodes=(48009, 60003, 60011)
)
def department_list(ctx: Context) -> dict[str, Any]:
    """A department and its descendants (the whole visible tree without id)."""
    store, ids = _visible_tree(ctx)
    return {"department": [m.department_dict(store, store.departments[d]) for d in ids]}


@api.endpoint(
    "GET", "department/simplelist", scopes=DETAIL_READ, doc="95350", errcodes=(60003, 60011)
)
def department_simplelist(ctx: Context) -> dict[str, Any]:
    """Department ids, parents and orders (recursive)."""
    store, ids = _visible_tree(ctx)
    return {
        "department_id": [
            {
                "id": d,
                "parentid": store.departments[d].parentid,
                "order": store.departments[d].order,
            }
            for d in ids
        ]
    }


@api.endpoint(
    "GET", "department/get", scopes=DETAIL_READ, doc="95351", errcodes=(48009, 60003, 60011)
)
def department_get(ctx: Context) -> dict[str, Any]:
    """One department."""
    store = _store(ctx)
    dept_id = _dept_id_query(ctx)
    assert dept_id is not None
    dept = store.departments.get(dept_id)
    if dept is None:
        raise WeComError(60003)
    if not m.is_department_visible(ctx.corp, ctx.agent, dept_id):
        raise WeComError(60011)
    return {"department": m.department_dict(store, dept)}


# -- users ------------------------------------------------------------------------------------
USER_WRITE_ERRCODES = (
    40003,
    40066,
    60102,
    60103,
    60104,
    60105,
    60106,
    60110,
    60112,
    60123,
    60129,
    60132,
    60143,
    60145,
    60257,
    301012,
    301013,
    48002,
)


@api.endpoint(
    "POST",
    "user/create",
    scopes=WRITE,
    success_errmsg="created",
    doc="90195",
    errcodes=(*USER_WRITE_ERRCODES, 41009, 60111),  # 60111: a direct_leader not found
)
def user_create(ctx: Context) -> dict[str, Any]:
    """Create a member."""
    body = ctx.json()
    _, created = m.create_user(ctx.corp, body, **_actor(ctx))
    if created:
        return {"created_department_list": {"department_info": created}}
    return {}


@api.endpoint(
    "GET",
    "user/get",
    scopes=DETAIL_READ,
    doc="90196",
    errcodes=(40003, 41009, 48009, 60111, 60011),
)
def user_get(ctx: Context) -> dict[str, Any]:
    """Read a member (fields filtered by the app's visibility and age)."""
    userid = get_str(ctx.query, "userid", missing=41009)
    user = _store(ctx).find_user(userid or "")
    corp = ctx.corp
    if user is None:
        raise WeComError(60111)
    # A member outside the app's visibility: 60011, as for departments (real captures).
    if not m.is_user_visible(corp, ctx.agent, user):
        raise WeComError(60011)
    return m.user_dict(corp, user, ctx.agent, restricted=_restricted(ctx))


@api.endpoint(
    "POST",
    "user/update",
    scopes=WRITE,
    success_errmsg="updated",
    doc="90197",
    errcodes=(*USER_WRITE_ERRCODES, 41009, 60111, 301036),
)
def user_update(ctx: Context) -> None:
    """Update a member (omitted fields unchanged; mobile ignored once activated)."""
    m.update_user(ctx.corp, ctx.json(), **_actor(ctx))


@api.endpoint(
    "GET",
    "user/delete",
    scopes=WRITE,
    success_errmsg="deleted",
    doc="90198",
    errcodes=(41009, 60111, 301005, 48002),
)
def user_delete(ctx: Context) -> None:
    """Delete a member."""
    userid = get_str(ctx.query, "userid", missing=41009)
    m.delete_users(ctx.corp, [userid or ""], **_actor(ctx))


@api.endpoint(
    "POST",
    "user/batchdelete",
    scopes=WRITE,
    success_errmsg="deleted",
    doc="90199",
    errcodes=(40031, 40032, 60111, 301005, 48002),
)
def user_batchdelete(ctx: Context) -> None:
    """Delete up to 200 members, all or nothing."""
    ids = get_list(ctx.json(), "useridlist", missing=40031, item=str)
    assert ids is not None
    if not ids:
        raise WeComError(40031)
    if len(ids) > 200:
        raise WeComError(40032)
    m.delete_users(ctx.corp, ids, **_actor(ctx))


def _department_users(ctx: Context) -> tuple[list[m.User], bool]:
    store = _store(ctx)
    corp = ctx.corp
    # The real API's answer to a missing department_id is undocumented; 60003 is what an
    # unknown id gets, and "no id" is treated the same.
    dept_id = query_int(ctx.query, "department_id", missing=60003, bad=60003)
    assert dept_id is not None
    if dept_id not in store.departments:
        raise WeComError(60003)
    agent = ctx.agent
    if not m.is_department_visible(corp, agent, dept_id):
        raise WeComError(60011)
    fetch_child = ctx.query.get("fetch_child") == "1"
    users = store.users_in(dept_id, recursive=fetch_child)
    if agent is not None:
        visible = m.visible_user_keys(corp, agent)
        users = [u for u in users if u.key in visible]
    return users, fetch_child


@api.endpoint(
    "GET", "user/simplelist", scopes=DETAIL_READ, doc="90200", errcodes=(48009, 60003, 60011)
)
def user_simplelist(ctx: Context) -> dict[str, Any]:
    """Members of a department (userid, name, departments)."""
    users, _ = _department_users(ctx)
    corp = ctx.corp
    out = []
    for u in users:
        d = m.user_dict(corp, u, ctx.agent)
        out.append(
            {
                "userid": u.userid,
                "name": u.name,
                "department": d["department"],
                "open_userid": d["open_userid"],
            }
        )
    return {"userlist": out}


@api.endpoint("GET", "user/list", scopes=DETAIL_READ, doc="90201", errcodes=(48009, 60003, 60011))
def user_list(ctx: Context) -> dict[str, Any]:
    """Members of a department with details."""
    users, _ = _department_users(ctx)
    corp = ctx.corp
    restricted = _restricted(ctx)
    return {
        "userlist": [
            m.user_dict(corp, u, ctx.agent, for_list=True, restricted=restricted) for u in users
        ]
    }


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"dept_user:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, offset = raw.partition(":")
        if prefix != "dept_user":
            raise ValueError(raw)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise WeComError(60268) from None


@api.endpoint(
    "POST", "user/list_id", scopes=(CONTACTS,), doc="96067", errcodes=(40058, 60268, 48002)
)
def user_list_id(ctx: Context) -> dict[str, Any]:
    """(userid, department) rows of the whole corp, paged by cursor."""
    body = ctx.json()
    limit = get_int(body, "limit")
    if limit is None:
        limit = 10000
    if not 1 <= limit <= 10000:
        raise WeComError(40058, "limit exceed range [1, 10000].")
    cursor = get_str(body, "cursor")
    offset = _decode_cursor(cursor) if cursor else 0
    store = _store(ctx)
    # Rows are ordered by member creation, so members added while paging come last and
    # none is returned twice; deleted members simply disappear.
    rows = [
        {"userid": u.userid, "department": d}
        for u in sorted(store.users.values(), key=lambda u: u.seq)
        for d in u.department
    ]
    if offset > len(rows):
        raise WeComError(60268)
    page = rows[offset : offset + limit]
    out: dict[str, Any] = {"dept_user": page}
    nxt = offset + len(page)
    out["next_cursor"] = _encode_cursor(nxt) if nxt < len(rows) else ""
    return out


@api.endpoint(
    "POST",
    "user/convert_to_openid",
    scopes=READ,
    doc="90202",
    errcodes=(41009, 60111, 43004),
)
def user_convert_to_openid(ctx: Context) -> dict[str, Any]:
    """userid -> openid (for WeChat Pay etc.)."""
    userid = get_str(ctx.json(), "userid", missing=41009)
    corp = ctx.corp
    user = _store(ctx).find_user(userid or "")
    if user is None or not m.is_user_visible(corp, ctx.agent, user):
        raise WeComError(60111)
    if user.status != 1:
        # Only members who logged in with WeChat / follow the plugin have an openid.
        raise WeComError(43004)
    return {"openid": m.openid_of(corp, user)}


@api.endpoint("POST", "user/convert_to_userid", scopes=READ, doc="90202", errcodes=(40073,))
def user_convert_to_userid(ctx: Context) -> dict[str, Any]:
    """openid -> userid."""
    openid = get_str(ctx.json(), "openid", missing=40073)
    corp = ctx.corp
    for user in _store(ctx).users.values():
        if user.status == 1 and m.openid_of(corp, user) == openid:
            if m.is_user_visible(corp, ctx.agent, user):
                return {"userid": user.userid}
    raise WeComError(40073)


@api.endpoint("POST", "user/getuserid", scopes=READ, doc="95402", errcodes=(46004, 40058))
def user_getuserid(ctx: Context) -> dict[str, Any]:
    """mobile -> userid."""
    mobile = get_str(ctx.json(), "mobile", missing=46004)
    assert mobile is not None
    if not 5 <= len(mobile.encode()) <= 32:
        raise WeComError(40058, "mobile exceed length range [5, 32].")
    store = _store(ctx)
    key = store.mobiles.get(m.normalize_mobile(mobile))
    corp = ctx.corp
    if key is None or not m.is_user_visible(corp, ctx.agent, store.users[key]):
        raise WeComError(46004)
    return {"userid": store.users[key].userid}


# -- tags ------------------------------------------------------------------------------------
TAG_SCOPES = (CONTACTS, APP)


@api.endpoint(
    "POST",
    "tag/create",
    scopes=TAG_SCOPES,
    success_errmsg="created",
    doc="90210",
    errcodes=(40068, 40071, 40072, 41018, 40126),
)
def tag_create(ctx: Context) -> dict[str, Any]:
    """Create a tag (owned by the calling app)."""
    body = ctx.json()
    tagid = body.get("tagid")
    if isinstance(tagid, str) and tagid.isdecimal():
        tagid = int(tagid)
    tag = m.create_tag(ctx.corp, body.get("tagname"), tagid, ctx.agentid)
    return {"tagid": tag.tagid}


@api.endpoint(
    "POST",
    "tag/update",
    scopes=TAG_SCOPES,
    success_errmsg="updated",
    doc="90211",
    errcodes=(41017, 41018, 40068, 40071, 40072, 81011),
)
def tag_update(ctx: Context) -> None:
    """Rename a tag (owner only)."""
    body = ctx.json()
    corp = ctx.corp
    tag = m.get_tag(corp, body.get("tagid"))
    name = m.check_tagname(body.get("tagname"))
    m.check_tag_owner(tag, ctx.scope, ctx.agentid)
    if any(t.tagname == name and t.tagid != tag.tagid for t in m.contacts(corp).tags.values()):
        raise WeComError(40071)
    tag.tagname = name


@api.endpoint(
    "GET",
    "tag/delete",
    scopes=TAG_SCOPES,
    success_errmsg="deleted",
    doc="90212",
    errcodes=(41017, 40068, 81011),
)
def tag_delete(ctx: Context) -> None:
    """Delete a tag (owner only)."""
    corp = ctx.corp
    tag = m.get_tag(corp, ctx.query.get("tagid"))
    m.check_tag_owner(tag, ctx.scope, ctx.agentid)
    store = m.contacts(corp)
    del store.tags[tag.tagid]
    store.touch()


@api.endpoint("GET", "tag/get", scopes=TAG_SCOPES, doc="90213", errcodes=(41017, 40068))
def tag_get(ctx: Context) -> dict[str, Any]:
    """A tag's members visible to the caller."""
    corp = ctx.corp
    store = m.contacts(corp)
    tag = m.get_tag(corp, ctx.query.get("tagid"))
    agent = ctx.agent
    users = [store.users[k] for k in tag.users if k in store.users]
    parties = list(tag.parties)
    if agent is not None:
        visible = m.visible_user_keys(corp, agent)
        users = [u for u in users if u.key in visible]
        depts = m.visible_departments(corp, agent)
        parties = [p for p in parties if p in depts]
    return {
        "tagname": tag.tagname,
        "userlist": [{"userid": u.userid, "name": u.name} for u in users],
        "partylist": parties,
    }


def _tag_members(ctx: Context, *, add: bool) -> dict[str, Any]:
    body = ctx.json()
    corp = ctx.corp
    tag = m.get_tag(corp, body.get("tagid"))
    userlist = body.get("userlist") or []
    partylist = body.get("partylist") or []
    if not isinstance(userlist, list):
        raise json_type_error(40031 if not add else 40070, "invalid user list")
    if not isinstance(partylist, list):
        raise json_type_error(40066)  # "Warning: wrong json format. invalid party list"
    if not userlist and not partylist:
        raise WeComError(40070 if add else 40031)
    if len(userlist) > 1000 or len(partylist) > 100:
        raise WeComError(81014)
    m.check_tag_owner(tag, ctx.scope, ctx.agentid)
    bad_users, bad_parties = m.change_tag_members(
        corp, tag, userlist, partylist, add=add, agent=ctx.agent, **_actor(ctx)
    )
    if len(bad_users) == len(userlist) and len(bad_parties) == len(partylist):
        if add:
            # Real text has a trailing space ("all list invalid ") per the doc example.
            raise WeComError(40070, "all list invalid ", replace=True)
        raise WeComError(40031, "all list invalid", replace=True)
    out: dict[str, Any] = {}
    if bad_users:
        out["invalidlist"] = "|".join(bad_users)
    if bad_parties:
        out["invalidparty"] = bad_parties
    return out


@api.endpoint(
    "POST",
    "tag/addtagusers",
    scopes=TAG_SCOPES,
    doc="90214",
    errcodes=(40066, 40068, 41017, 40070, 81011, 81014, 81003),
)
def tag_addtagusers(ctx: Context) -> dict[str, Any]:
    """Add members/departments to a tag; invalid ones are reported, not fatal."""
    return _tag_members(ctx, add=True)


@api.endpoint(
    "POST",
    "tag/deltagusers",
    scopes=TAG_SCOPES,
    success_errmsg="deleted",
    doc="90215",
    errcodes=(40066, 40068, 41017, 40031, 81011, 81014),
)
def tag_deltagusers(ctx: Context) -> dict[str, Any]:
    """Remove members/departments from a tag."""
    return _tag_members(ctx, add=False)


@api.endpoint("GET", "tag/list", scopes=TAG_SCOPES, doc="90216")
def tag_list(ctx: Context) -> dict[str, Any]:
    """All tags of the corp."""
    tags = sorted(m.contacts(ctx.corp).tags.values(), key=lambda t: t.tagid)
    return {"taglist": [{"tagid": t.tagid, "tagname": t.tagname} for t in tags]}
