"""Contacts domain: departments, members and tags of one corp. No HTTP here.

Every write validates first and mutates last, so a rejected request leaves state untouched.
Other families use the read helpers (``find_user``, ``visible_users`` ...).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.events import SOURCE_API, DomainEvent
from mock_server.core.state import Agent, Corp

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Set as AbstractSet

ROOT = 1
PENDING_DEPT_NAME = "其他（待设置部门）"
MAX_DEPTH = 15
USERID_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_\-@.]*$")
MOBILE_RE = re.compile(r"^\+?[0-9][0-9\- ]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TELEPHONE_RE = re.compile(r"^[0-9\-+,]*$")
DEPT_FORBIDDEN = set('\\:*?"<>|｜')
MAX_USER_DEPARTMENTS = 100
MAX_DIRECT_LEADERS = 5
SENSITIVE_FIELDS = (
    "mobile",
    "gender",
    "email",
    "biz_mail",
    "avatar",
    "thumb_avatar",
    "qr_code",
    "address",
)


@dataclass
class Department:
    id: int
    name: str
    parentid: int
    order: int = 0
    name_en: str = ""


@dataclass
class User:
    userid: str
    name: str
    department: list[int]
    order: list[int] = field(default_factory=list)
    is_leader_in_dept: list[int] = field(default_factory=list)
    mobile: str = ""
    email: str = ""
    biz_mail: str = ""
    position: str = ""
    gender: str = "0"
    alias: str = ""
    telephone: str = ""
    address: str = ""
    direct_leader: list[str] = field(default_factory=list)
    main_department: int = 0
    enable: int = 1
    status: int = 4  # 1 active, 2 disabled, 4 not activated, 5 left
    avatar: str = ""
    extattr: dict[str, Any] = field(default_factory=lambda: {"attrs": []})
    external_position: str = ""
    external_profile: dict[str, Any] | None = None
    userid_generated: bool = False
    seq: int = 0

    @property
    def key(self) -> str:
        return self.userid.lower()


@dataclass
class Tag:
    tagid: int
    tagname: str
    owner: int | None  # agentid of the creating app; None = contacts-sync / fixture
    users: list[str] = field(default_factory=list)  # user keys (lower-case)
    parties: list[int] = field(default_factory=list)


class ContactsStore:
    def __init__(self, corp: Corp) -> None:
        self.corp = corp
        self.departments: dict[int, Department] = {ROOT: Department(ROOT, corp.name or "root", 0)}
        self.users: dict[str, User] = {}
        self.mobiles: dict[str, str] = {}
        self.emails: dict[str, str] = {}
        self.tags: dict[int, Tag] = {}
        self.creator: str | None = None
        self.auto_create_departments = False
        self._seq = 0
        self._children_cache: dict[int, list[int]] | None = None
        # Visible (departments, user keys) per app configuration; cleared by ``_dirty``.
        self._visible_cache: dict[tuple[Any, ...], tuple[frozenset[int], frozenset[str]]] = {}

    # -- departments -------------------------------------------------------------------
    def children(self, dept_id: int) -> list[int]:
        if self._children_cache is None:
            cache: dict[int, list[int]] = {}
            for d in self.departments.values():
                if d.id != ROOT or d.parentid != 0:
                    cache.setdefault(d.parentid, []).append(d.id)
            for ids in cache.values():
                ids.sort(key=lambda i: (-self.departments[i].order, i))
            self._children_cache = cache
        return self._children_cache.get(dept_id, [])

    def _dirty(self) -> None:
        """Call after any change to departments, members or tags (drops derived caches)."""
        self._children_cache = None
        self._visible_cache.clear()

    touch = _dirty

    def subtree(self, dept_id: int) -> list[int]:
        """The department and all its descendants, depth-first, siblings by order."""
        out, stack = [], [dept_id]
        while stack:
            d = stack.pop()
            out.append(d)
            stack.extend(reversed(self.children(d)))
        return out

    def depth(self, dept_id: int) -> int:
        n, d = 1, self.departments[dept_id]
        while d.parentid and d.parentid in self.departments:
            n += 1
            d = self.departments[d.parentid]
        return n

    def is_descendant(self, dept_id: int, ancestor: int) -> bool:
        d = self.departments.get(dept_id)
        while d is not None:
            if d.id == ancestor:
                return True
            d = self.departments.get(d.parentid)
        return False

    def leaders_of(self, dept_id: int) -> list[str]:
        return [
            u.userid
            for u in self.users_in(dept_id)
            if dept_id in u.department and u.is_leader_in_dept[u.department.index(dept_id)] == 1
        ]

    def users_in(self, dept_id: int, recursive: bool = False) -> list[User]:
        depts = set(self.subtree(dept_id)) if recursive else {dept_id}
        users = [u for u in self.users.values() if depts.intersection(u.department)]

        def sort_key(u: User) -> tuple[int, int]:
            orders = [
                u.order[i] if i < len(u.order) else 0
                for i, d in enumerate(u.department)
                if d == dept_id
            ]
            return (-(orders[0] if orders else 0), u.seq)

        users.sort(key=sort_key)
        return users

    # -- users ---------------------------------------------------------------------------
    def find_user(self, userid: str) -> User | None:
        """Case-insensitive lookup, as the real API treats userids."""
        if not isinstance(userid, str):
            return None
        return self.users.get(userid.lower())

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq


def contacts(corp: Corp) -> ContactsStore:
    return corp.store("contacts")


# ---------------------------------------------------------------------------------------
# Visibility: what a self-built app may see; the contacts-sync secret sees everything.
# ---------------------------------------------------------------------------------------
def _visibility(corp: Corp, agent: Agent) -> tuple[frozenset[int], frozenset[str]]:
    """An app's visible departments and member keys, cached until contacts change.

    The cache key holds the app's allow lists (an admin may edit them) and the store's sizes
    as a safety net for code that mutates the store without calling ``store.touch()``.
    """
    store = contacts(corp)
    key = (
        agent.agentid,
        tuple(agent.allow_party),
        tuple(agent.allow_user),
        tuple(agent.allow_tag),
        len(store.departments),
        len(store.users),
        len(store.tags),
    )
    hit = store._visible_cache.get(key)
    if hit is not None:
        return hit
    depts: set[int] = set()
    for d in agent.allow_party:
        if d in store.departments:
            depts.update(store.subtree(d))
    for tagid in agent.allow_tag:
        tag = store.tags.get(tagid)
        if tag:
            for d in tag.parties:
                if d in store.departments:
                    depts.update(store.subtree(d))
    users = {k for k, u in store.users.items() if depts.intersection(u.department)}
    users.update(u.lower() for u in agent.allow_user if u.lower() in store.users)
    for tagid in agent.allow_tag:
        tag = store.tags.get(tagid)
        if tag:
            users.update(k for k in tag.users if k in store.users)
    if len(store._visible_cache) > 256:
        store._visible_cache.clear()
    hit = (frozenset(depts), frozenset(users))
    store._visible_cache[key] = hit
    return hit


def visible_departments(corp: Corp, agent: Agent | None) -> AbstractSet[int]:
    """Department ids the caller may see (all of them for a system secret)."""
    if agent is None:
        return contacts(corp).departments.keys()
    return _visibility(corp, agent)[0]


def visible_user_keys(corp: Corp, agent: Agent | None) -> AbstractSet[str]:
    """Lower-case userids of the members the caller may see."""
    if agent is None:
        return contacts(corp).users.keys()
    return _visibility(corp, agent)[1]


def is_user_visible(corp: Corp, agent: Agent | None, user: User) -> bool:
    if agent is None:
        return True
    return user.key in visible_user_keys(corp, agent)


def is_department_visible(corp: Corp, agent: Agent | None, dept_id: int) -> bool:
    return agent is None or dept_id in visible_departments(corp, agent)


# ---------------------------------------------------------------------------------------
# Departments
# ---------------------------------------------------------------------------------------
def _check_dept_name(name: Any, field_name: str = "name", *, required: bool = True) -> str | None:
    if name is None or name == "":
        if required:
            raise param_error(field_name, "exceed min utf8 words 1")
        return None
    if not isinstance(name, str):
        raise json_type_error(40058, f"{field_name} expect string.")
    if field_name == "name_en":
        if len(name) > 32:
            raise param_error("name_en", "exceed max length 32")
    elif len(name) > 64:
        # Current docs allow 64 chars; some captures enforced 32 (unconfirmed which is live).
        raise WeComError(60001)
    if DEPT_FORBIDDEN.intersection(name):
        raise WeComError(60009)
    return name


def create_department(
    corp: Corp,
    *,
    name: Any,
    parentid: Any,
    order: Any = None,
    id: Any = None,
    name_en: Any = None,
    source: str = SOURCE_API,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> Department:
    store = contacts(corp)
    dept_name = _check_dept_name(name)
    assert dept_name is not None
    if name_en == "":
        # Given but empty: the length check fires (the field is optional, not blankable).
        raise param_error("name_en", "exceed min utf8 words 1")
    en = _check_dept_name(name_en, "name_en", required=False) or ""
    if parentid is None:
        raise param_error("parentid", "missing")
    if parentid not in store.departments:
        raise WeComError(60004)
    if id is not None:
        if id <= 1 or id > 2**31 - 1:
            raise WeComError(60008, "department id invalid.")
        if id in store.departments:
            raise WeComError(60008)
    new_order = 0 if order is None else order
    if not 0 <= new_order < 2**32:
        raise param_error("order", "out of range")
    if any(store.departments[c].name == dept_name for c in store.children(parentid)):
        raise WeComError(60008)
    if store.depth(parentid) + 1 > MAX_DEPTH:
        raise WeComError(81002)
    new_id = id if id is not None else max(store.departments) + 1
    dept = Department(new_id, dept_name, parentid, new_order, en)
    store.departments[new_id] = dept
    store._dirty()
    corp.emit(
        _contact_event(
            corp,
            {
                "ChangeType": "create_party",
                "Id": new_id,
                "Name": dept_name,
                "ParentId": str(parentid),
                "Order": new_order,
            },
            source,
            actor_scope,
            actor_agentid,
        )
    )
    return dept


def update_department(
    corp: Corp,
    dept_id: int,
    *,
    name: Any = None,
    parentid: Any = None,
    order: Any = None,
    name_en: Any = None,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> Department:
    store = contacts(corp)
    dept = store.departments.get(dept_id)
    if dept is None:
        raise WeComError(60003)
    new_name = _check_dept_name(name, required=False)
    new_en = _check_dept_name(name_en, "name_en", required=False)
    if parentid is not None and parentid != dept.parentid:
        if dept_id == ROOT:
            raise WeComError(60010)
        if parentid not in store.departments:
            raise WeComError(60004)
        if store.is_descendant(parentid, dept_id):
            raise WeComError(60010)
        subtree_height = (
            max(store.depth(d) for d in store.subtree(dept_id)) - store.depth(dept_id) + 1
        )
        if store.depth(parentid) + subtree_height > MAX_DEPTH:
            raise WeComError(81002)
    target_parent = dept.parentid if parentid is None else parentid
    target_name = new_name if new_name is not None else dept.name
    if new_name is not None or parentid is not None:
        for c in store.children(target_parent):
            if c != dept_id and store.departments[c].name == target_name:
                raise WeComError(60008)
    if order is not None and not 0 <= order < 2**32:
        raise param_error("order", "out of range")
    change: dict[str, Any] = {"ChangeType": "update_party", "Id": dept_id}
    if new_name is not None and new_name != dept.name:
        dept.name = new_name
        change["Name"] = new_name
    if new_en is not None:
        dept.name_en = new_en
    if parentid is not None and parentid != dept.parentid:
        dept.parentid = parentid
        change["ParentId"] = str(parentid)
    if order is not None:
        dept.order = order
    store._dirty()
    corp.emit(_contact_event(corp, change, SOURCE_API, actor_scope, actor_agentid))
    return dept


def delete_department(
    corp: Corp, dept_id: int, *, actor_scope: str | None = None, actor_agentid: int | None = None
) -> None:
    store = contacts(corp)
    if dept_id == ROOT:
        raise WeComError(60007)
    if dept_id not in store.departments:
        raise WeComError(60003)
    if store.children(dept_id):
        raise WeComError(60006)
    if store.users_in(dept_id):
        raise WeComError(60005)
    del store.departments[dept_id]
    for tag in store.tags.values():
        if dept_id in tag.parties:
            tag.parties.remove(dept_id)
    store._dirty()
    corp.emit(
        _contact_event(
            corp,
            {"ChangeType": "delete_party", "Id": dept_id},
            SOURCE_API,
            actor_scope,
            actor_agentid,
        )
    )


def department_dict(store: ContactsStore, d: Department) -> dict[str, Any]:
    out: dict[str, Any] = {"id": d.id, "name": d.name}
    if d.name_en:
        out["name_en"] = d.name_en
    out["department_leader"] = store.leaders_of(d.id)
    out["parentid"] = d.parentid
    out["order"] = d.order
    return out


# ---------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------
def _check_userid(userid: Any) -> str:
    if not isinstance(userid, str) or not userid:
        raise WeComError(40003) if userid not in (None, "") else WeComError(41009)
    if len(userid.encode("utf-8")) > 64 or not USERID_RE.match(userid):
        raise WeComError(40003)
    return userid


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise WeComError(60112)
    return name


def _check_mobile(store: ContactsStore, mobile: Any, userid_key: str | None) -> str:
    if not isinstance(mobile, str) or len(mobile) > 32 or not valid_mobile(mobile):
        raise WeComError(60103)
    norm = normalize_mobile(mobile)
    owner = store.mobiles.get(norm)
    if owner is not None and owner != userid_key:
        raise WeComError(60104, f"mobile existed:{store.users[owner].userid}", replace=True)
    return mobile


def valid_mobile(mobile: str) -> bool:
    """Doc 90195: mainland numbers may omit +86 (then 11 digits starting with 1); others
    carry a country code, e.g. ``+852 61234567``. Digits, ``+``, ``-`` and spaces only."""
    if not MOBILE_RE.match(mobile):
        return False
    if mobile.startswith("+"):
        code, _, rest = mobile[1:].replace("-", " ").partition(" ")
        digits = rest.replace(" ", "")
        if not rest:  # "+8613800000000": the country code is not separated
            return mobile[1:3] == "86" and _mainland(mobile[3:].replace(" ", ""))
        if not code.isdecimal() or not 1 <= len(code) <= 4:
            return False
        return _mainland(digits) if code == "86" else 5 <= len(digits) <= 15
    return _mainland(mobile.replace(" ", "").replace("-", ""))


def _mainland(digits: str) -> bool:
    return len(digits) == 11 and digits.isdecimal() and digits.startswith("1")


def normalize_mobile(mobile: str) -> str:
    digits = mobile.replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def _check_email(
    store: ContactsStore, email: Any, userid_key: str | None, dup_code: int = 60106
) -> str:
    if (
        not isinstance(email, str)
        or not 6 <= len(email.encode()) <= 64
        or not EMAIL_RE.match(email)
    ):
        raise WeComError(60105 if dup_code == 60106 else 60143)
    owner = store.emails.get(email.lower())
    if owner is not None and owner != userid_key:
        raise WeComError(dup_code)
    return email


def _int_list(value: Any, field_name: str, errcode: int = 40058) -> list[int]:
    if not isinstance(value, list) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in value
    ):
        if isinstance(value, list) and all(isinstance(v, str) and v.isdecimal() for v in value):
            return [int(v) for v in value]
        raise json_type_error(
            errcode, None if errcode == 40066 else f"{field_name} expect array of int."
        )
    return list(value)


@dataclass
class _UserPlan:
    """Validated field changes, applied only when everything passed."""

    fields: dict[str, Any]
    created_departments: list[Department]


def _plan_user_fields(corp: Corp, data: dict[str, Any], existing: User | None) -> _UserPlan:
    store = contacts(corp)
    key = existing.key if existing else None
    f: dict[str, Any] = {}
    created: list[tuple[int, str]] = []
    if "name" in data or existing is None:
        f["name"] = _check_name(data.get("name"))
    if data.get("alias") not in (None, ""):
        alias = data["alias"]
        if not isinstance(alias, str) or len(alias) > 64:
            raise param_error("alias", "exceed max utf8 words 64")
        f["alias"] = alias
    if data.get("mobile") not in (None, ""):
        mobile = _check_mobile(store, data["mobile"], key)
        # The real API silently ignores mobile changes for members who activated WeCom.
        if existing is None or existing.status != 1:
            f["mobile"] = mobile
    if data.get("email") not in (None, ""):
        f["email"] = _check_email(store, data["email"], key)
    if data.get("biz_mail") not in (None, ""):
        f["biz_mail"] = _check_email(store, data["biz_mail"], key, dup_code=60145)
    if existing is None and "mobile" not in f and "email" not in f:
        raise WeComError(60129)
    if data.get("position") is not None:
        if not isinstance(data["position"], str) or len(data["position"]) > 128:
            raise WeComError(301012)
        f["position"] = data["position"]
    if data.get("telephone") not in (None, ""):
        tel = data["telephone"]
        if not isinstance(tel, str) or len(tel.encode()) > 32 or not TELEPHONE_RE.match(tel):
            raise WeComError(301013)
        f["telephone"] = tel
    if data.get("address") is not None:
        if not isinstance(data["address"], str) or len(data["address"]) > 128:
            raise param_error("address", "exceed max utf8 words 128")
        f["address"] = data["address"]
    if data.get("gender") not in (None, ""):
        g = data["gender"]
        g = str(g) if isinstance(g, int) and not isinstance(g, bool) else g
        if g not in ("0", "1", "2"):
            raise param_error("gender", "invalid")
        f["gender"] = g
    if data.get("enable") is not None:
        if data["enable"] not in (0, 1) or isinstance(data["enable"], bool):
            raise param_error("enable", "invalid")
        f["enable"] = data["enable"]
    for name in ("external_position",):
        if data.get(name) is not None:
            if not isinstance(data[name], str) or len(data[name]) > 12:
                raise param_error(name, "exceed max utf8 words 12")
            f[name] = data[name]
    for name in ("extattr", "external_profile"):
        if data.get(name) is not None:
            if not isinstance(data[name], dict):
                raise json_type_error(40058, f"{name} expect object.")
            f[name] = data[name]

    departments: list[int] | None = None
    if data.get("department") is not None:
        if isinstance(data["department"], int) and not isinstance(data["department"], bool):
            departments = [data["department"]]
        else:
            departments = _int_list(data["department"], "department", 40066)
        if len(departments) > MAX_USER_DEPARTMENTS:
            raise WeComError(60110)
        if len(set(departments)) != len(departments):
            raise WeComError(60123, "department duplicated.")
        for d in departments:
            if d not in store.departments:
                if not store.auto_create_departments or d <= 1:
                    raise WeComError(60123)
                created.append((d, str(d)))
        if not departments:
            departments = None
    if departments is None and existing is None:
        if store.auto_create_departments:
            departments = [0]  # resolved to the pending department below
        else:
            departments = [ROOT]
    if departments is not None:
        f["department"] = departments
        n = len(departments)
        if data.get("order") is not None:
            order = _int_list(data["order"], "order")
            if len(order) != n:
                raise param_error("order", "count not match department")
            f["order"] = order
        else:
            f["order"] = [0] * n
        if data.get("is_leader_in_dept") is not None:
            leaders = _int_list(data["is_leader_in_dept"], "is_leader_in_dept")
            if len(leaders) != n or any(v not in (0, 1) for v in leaders):
                raise WeComError(60132)
            f["is_leader_in_dept"] = leaders
        else:
            f["is_leader_in_dept"] = [0] * n
    elif data.get("is_leader_in_dept") is not None and existing is not None:
        leaders = _int_list(data["is_leader_in_dept"], "is_leader_in_dept")
        if len(leaders) != len(existing.department) or any(v not in (0, 1) for v in leaders):
            raise WeComError(60132)
        f["is_leader_in_dept"] = leaders

    if data.get("direct_leader") is not None:
        dl = data["direct_leader"]
        if not isinstance(dl, list) or any(not isinstance(x, str) for x in dl):
            raise json_type_error(40058, "direct_leader expect array of string.")
        if len(dl) > MAX_DIRECT_LEADERS:
            raise WeComError(60257)
        for leader in dl:
            if store.find_user(leader) is None:
                raise WeComError(60111, f"direct_leader {leader} not found.")
        f["direct_leader"] = [store.find_user(x).userid for x in dl]  # type: ignore[union-attr]

    if data.get("main_department") is not None:
        md = data["main_department"]
        if isinstance(md, bool) or not isinstance(md, int):
            raise json_type_error(40058, "main_department expect int.")
        depts = f.get("department", existing.department if existing else [])
        if md not in depts:
            raise param_error("main_department", "not in department list")
        f["main_department"] = md

    pending_depts = []
    for dept_id, dept_name in created:
        pending_depts.append(Department(dept_id, dept_name, -1))
    return _UserPlan(f, pending_depts)


def _pending_department(corp: Corp) -> int:
    store = contacts(corp)
    for d in store.departments.values():
        if d.name == PENDING_DEPT_NAME and d.parentid == ROOT:
            return d.id
    dept = Department(max(store.departments) + 1, PENDING_DEPT_NAME, ROOT, 0)
    store.departments[dept.id] = dept
    store._dirty()
    return dept.id


def _apply_plan(corp: Corp, user: User, plan: _UserPlan) -> list[dict[str, Any]]:
    store = contacts(corp)
    created_info = []
    if plan.created_departments or plan.fields.get("department") == [0]:
        pending = _pending_department(corp)
        if plan.fields.get("department") == [0]:
            plan.fields["department"] = [pending]
        for d in plan.created_departments:
            store.departments[d.id] = Department(d.id, d.name, pending, 0)
            created_info.append({"name": d.name, "id": d.id})
        store._dirty()
    old_mobile, old_email, old_biz = user.mobile, user.email, user.biz_mail
    for k, v in plan.fields.items():
        setattr(user, k, v)
    if "department" in plan.fields and user.main_department not in user.department:
        user.main_department = user.department[0]
    if user.mobile != old_mobile:
        store.mobiles.pop(normalize_mobile(old_mobile), None) if old_mobile else None
        store.mobiles[normalize_mobile(user.mobile)] = user.key
    if user.email != old_email:
        store.emails.pop(old_email.lower(), None) if old_email else None
        store.emails[user.email.lower()] = user.key
    if user.biz_mail != old_biz:
        store.emails.pop(old_biz.lower(), None) if old_biz else None
        store.emails[user.biz_mail.lower()] = user.key
    store._dirty()
    return created_info


def create_user(
    corp: Corp,
    data: dict[str, Any],
    *,
    status: int = 4,
    source: str = SOURCE_API,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> tuple[User, list[dict[str, Any]]]:
    """Create a member; returns it and the ``created_department_list`` entries."""
    store = contacts(corp)
    userid = _check_userid(data.get("userid"))
    if store.find_user(userid) is not None:
        raise WeComError(60102)
    plan = _plan_user_fields(corp, data, None)
    user = User(userid=userid, name=plan.fields["name"], department=[], status=status)
    user.seq = store.next_seq()
    user.avatar = avatar_url(corp, userid)
    created = _apply_plan(corp, user, plan)
    store.users[user.key] = user
    store._dirty()
    corp.emit(
        _contact_event(
            corp, user_event_fields(user, "create_user"), source, actor_scope, actor_agentid
        )
    )
    return user, created


def update_user(
    corp: Corp,
    data: dict[str, Any],
    *,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> User:
    store = contacts(corp)
    userid = data.get("userid")
    if not isinstance(userid, str) or not userid:
        raise WeComError(41009) if userid in (None, "") else json_type_error(40003)
    user = store.find_user(userid)
    if user is None:
        raise WeComError(60111)
    new_userid = data.get("new_userid")
    if new_userid not in (None, ""):
        _check_userid(new_userid)
        if not user.userid_generated:
            raise WeComError(301036)
        if store.find_user(new_userid) is not None and new_userid.lower() != user.key:
            raise WeComError(60102)
    before = user_event_fields(user, "update_user")
    plan = _plan_user_fields(corp, data, user)
    _apply_plan(corp, user, plan)
    change: dict[str, Any] = {"ChangeType": "update_user", "UserID": user.userid}
    if new_userid not in (None, ""):
        old_key = user.key
        user.userid = new_userid
        user.userid_generated = False
        del store.users[old_key]
        store.users[user.key] = user
        for index in (store.mobiles, store.emails):
            for k, v in list(index.items()):
                if v == old_key:
                    index[k] = user.key
        for tag in store.tags.values():
            tag.users = [user.key if k == old_key else k for k in tag.users]
        change["NewUserID"] = new_userid
    store._dirty()
    after = user_event_fields(user, "update_user")
    for k, v in after.items():
        if k not in ("ChangeType", "UserID") and before.get(k) != v:
            change[k] = v
    corp.emit(_contact_event(corp, change, SOURCE_API, actor_scope, actor_agentid))
    return user


def delete_users(
    corp: Corp,
    userids: Iterable[str],
    *,
    actor_scope: str | None = None,
    actor_agentid: int | None = None,
) -> None:
    """Delete members; all or nothing, as ``user/batchdelete`` is."""
    store = contacts(corp)
    users = []
    for uid in userids:
        user = store.find_user(uid) if isinstance(uid, str) else None
        if user is None:
            raise WeComError(60111, extra={})
        if store.creator and user.key == store.creator.lower():
            raise WeComError(301005)
        users.append(user)
    for user in users:
        if user.key not in store.users:
            continue
        del store.users[user.key]
        if user.mobile:
            store.mobiles.pop(normalize_mobile(user.mobile), None)
        for mail in (user.email, user.biz_mail):
            if mail:
                store.emails.pop(mail.lower(), None)
        for tag in store.tags.values():
            if user.key in tag.users:
                tag.users.remove(user.key)
        store._dirty()
        for other in store.users.values():
            if user.userid in other.direct_leader:
                other.direct_leader.remove(user.userid)
        corp.emit(
            _contact_event(
                corp,
                {"ChangeType": "delete_user", "UserID": user.userid},
                SOURCE_API,
                actor_scope,
                actor_agentid,
            )
        )


def avatar_url(corp: Corp, userid: str) -> str:
    digest = hashlib.md5(f"{corp.corpid}/{userid}".encode()).hexdigest()
    return f"https://wework.qpic.cn/wwhead/{digest}/0"


def openid_of(corp: Corp, user: User) -> str:
    digest = hashlib.sha1(f"{corp.corpid}:{user.key}".encode()).digest()
    import base64

    return "o" + base64.urlsafe_b64encode(digest).decode()[:27]


# Derived identifiers are hashes of a member's fixed key: kept, not rehashed on every read.
@functools.lru_cache(maxsize=16384)
def open_userid_of(corpid: str, key: str) -> str:
    return "wo" + hashlib.md5(f"{corpid}:{key}".encode()).hexdigest()[:30]


@functools.lru_cache(maxsize=16384)
def qr_code_of(key: str) -> str:
    vcode = hashlib.md5(key.encode()).hexdigest()[:16]
    return f"https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vc{vcode}"


def user_dict(
    corp: Corp,
    user: User,
    agent: Agent | None,
    *,
    for_list: bool = False,
    restricted: bool | None = None,
) -> dict[str, Any]:
    """A member as user/get returns it, filtered by what the caller may see."""
    if agent is None:
        n = len(user.department)
        department, order = list(user.department), user.order[:n]
        leader = user.is_leader_in_dept[:n]
    else:
        visible_depts = visible_departments(corp, agent)
        idx = [i for i, d in enumerate(user.department) if d in visible_depts]
        department = [user.department[i] for i in idx]
        order = [user.order[i] for i in idx]
        leader = [user.is_leader_in_dept[i] for i in idx]
    out: dict[str, Any] = {
        "userid": user.userid,
        "name": user.name,
        "department": department,
        "order": order,
        "position": user.position,
        "mobile": user.mobile,
        "gender": user.gender,
        "email": user.email,
        "biz_mail": user.biz_mail,
        "is_leader_in_dept": leader,
        "direct_leader": list(user.direct_leader),
        "avatar": user.avatar,
        "thumb_avatar": user.avatar[:-2] + "/100" if user.avatar.endswith("/0") else user.avatar,
        "telephone": user.telephone,
        "alias": user.alias,
        "address": user.address,
        "open_userid": open_userid_of(corp.corpid, user.key),
        "main_department": user.main_department,
        "extattr": user.extattr,
        "status": user.status,
        "qr_code": qr_code_of(user.key),
        "external_position": user.external_position,
        "enable": user.enable,
    }
    if user.external_profile is not None:
        out["external_profile"] = user.external_profile
    if for_list:
        out["isleader"] = 1 if any(user.is_leader_in_dept) else 0
        out["hide_mobile"] = 0
        out["english_name"] = ""
    if restricted is None:
        restricted = agent is not None and agent.restricted_fields
    if restricted:
        for k in SENSITIVE_FIELDS:
            out.pop(k, None)
    return out


def user_event_fields(user: User, change_type: str) -> dict[str, Any]:
    """The change_contact XML fields of a member, in the documented element order."""
    return {
        "ChangeType": change_type,
        "UserID": user.userid,
        "Name": user.name,
        "Department": ",".join(str(d) for d in user.department),
        "MainDepartment": user.main_department,
        "IsLeaderInDept": ",".join(str(x) for x in user.is_leader_in_dept),
        "DirectLeader": ",".join(user.direct_leader),
        "Position": user.position,
        "Mobile": user.mobile,
        "Gender": int(user.gender),
        "Email": user.email,
        "BizMail": user.biz_mail,
        "Status": user.status,
        "Avatar": user.avatar,
        "Alias": user.alias,
        "Telephone": user.telephone,
        "Address": user.address,
    }


def _contact_event(
    corp: Corp,
    data: dict[str, Any],
    source: str,
    actor_scope: str | None,
    actor_agentid: int | None,
) -> DomainEvent:
    return DomainEvent(
        corpid=corp.corpid,
        kind="change_contact",
        data=data,
        time=corp.clock.time(),
        source=source,
        actor_scope=actor_scope,
        actor_agentid=actor_agentid,
    )


# ---------------------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------------------
def check_tagname(name: Any) -> str:
    if name is None:
        raise WeComError(41018)
    if not isinstance(name, str) or not name or len(name) > 32:
        raise WeComError(40072)
    return name


def get_tag(corp: Corp, tagid: Any) -> Tag:
    if tagid is None or tagid == "":
        raise WeComError(41017)
    try:
        key = int(tagid)
    except (TypeError, ValueError):
        raise WeComError(40068) from None
    tag = contacts(corp).tags.get(key)
    if tag is None:
        raise WeComError(40068)
    return tag


def check_tag_owner(tag: Tag, actor_scope: str | None, actor_agentid: int | None) -> None:
    """Only the creating app may change a tag or its members; contacts-sync manages the tags
    it (or the admin) created. Fixture tags have no owner: made by the admin."""
    if tag.owner is None:
        # Tags made in the admin console (fixture tags without owner): the contacts-sync
        # secret manages them; an app did not create them, so it may not (doc 90214).
        if actor_scope == "contacts":
            return
        raise WeComError(81011)
    if actor_scope == "contacts" or actor_agentid != tag.owner:
        raise WeComError(81011)


def create_tag(corp: Corp, tagname: Any, tagid: Any, owner: int | None) -> Tag:
    store = contacts(corp)
    name = check_tagname(tagname)
    if any(t.tagname == name for t in store.tags.values()):
        raise WeComError(40071)
    if tagid is not None:
        if isinstance(tagid, bool) or not isinstance(tagid, int) or tagid < 0:
            raise WeComError(40068)
        if tagid in store.tags:
            raise WeComError(40068, "tagid existed.")
        new_id = tagid
    else:
        new_id = max(store.tags, default=0) + 1
    if len(store.tags) >= 3000:
        raise WeComError(40126)
    tag = Tag(new_id, name, owner)
    store.tags[new_id] = tag
    store._dirty()
    return tag


def change_tag_members(
    corp: Corp,
    tag: Tag,
    userlist: list[Any],
    partylist: list[Any],
    *,
    add: bool,
    agent: Agent | None,
    actor_scope: str | None,
    actor_agentid: int | None,
) -> tuple[list[str], list[int]]:
    """Add or remove tag members; returns (invalid userids, invalid party ids)."""
    store = contacts(corp)
    visible_users = visible_user_keys(corp, agent) if agent is not None else None
    visible_depts = visible_departments(corp, agent) if agent is not None else None
    invalid_users: list[str] = []
    invalid_parties: list[int] = []
    users: list[str] = []
    parties: list[int] = []
    for uid in userlist:
        user = store.find_user(uid) if isinstance(uid, str) else None
        if user is None or (visible_users is not None and user.key not in visible_users):
            invalid_users.append(str(uid))
        elif user.key not in users:
            users.append(user.key)
    for pid in partylist:
        ok = isinstance(pid, int) and not isinstance(pid, bool) and pid in store.departments
        if not ok or (visible_depts is not None and pid not in visible_depts):
            invalid_parties.append(pid if isinstance(pid, int) else 0)
        elif pid not in parties:
            parties.append(pid)
    if not users and not parties:
        return invalid_users, invalid_parties
    change: dict[str, list[Any]]
    if add:
        added_users = [k for k in users if k not in tag.users]
        added_parties = [p for p in parties if p not in tag.parties]
        if len(tag.users) + len(tag.parties) + len(added_users) + len(added_parties) > 30000:
            raise WeComError(81003)
        tag.users.extend(added_users)
        tag.parties.extend(added_parties)
        change = {"AddUserItems": added_users, "AddPartyItems": added_parties}
    else:
        removed_users = [k for k in users if k in tag.users]
        removed_parties = [p for p in parties if p in tag.parties]
        tag.users = [k for k in tag.users if k not in removed_users]
        tag.parties = [p for p in tag.parties if p not in removed_parties]
        change = {"DelUserItems": removed_users, "DelPartyItems": removed_parties}
    store._dirty()
    data: dict[str, Any] = {"ChangeType": "update_tag", "TagId": tag.tagid}
    for k, v in change.items():
        if v:
            data[k] = ",".join(store.users[x].userid if isinstance(x, str) else str(x) for x in v)
    corp.emit(_contact_event(corp, data, SOURCE_API, actor_scope, actor_agentid))
    return invalid_users, invalid_parties
