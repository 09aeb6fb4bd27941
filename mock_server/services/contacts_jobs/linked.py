"""Linked corporations (互联企业): partner corps' members a self-built app may see and message.

The fixture's ``linkedcorp`` section describes the link group (``linkedid``), the partner
corps' departments and members, and per app which of them it may see. Partner ids are
strings ``CORPID/USERID`` and ``LINKEDID/DEPARTMENTID`` (department ids are unique in the
group). Errcodes are undocumented: 40058 for a malformed id, 60011 outside the app's view,
60111 / 60003 for an unknown member / department (inferred).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

MSGTYPES = (
    "text",
    "image",
    "video",
    "file",
    "textcard",
    "news",
    "mpnews",
    "markdown",
    "miniprogram_notice",
)
MAX_USERS, MAX_PARTIES, MAX_TAGS = 1000, 100, 100


@dataclass
class LinkedStore:
    linkedid: str = ""
    departments: dict[int, dict[str, Any]] = field(default_factory=dict)  # + "corpid"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # "corpid/userid" lower
    perms: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # agentid -> lists


def linkedcorp(corp: Corp) -> LinkedStore:
    return corp.store("linkedcorp")


_USER = {
    "type": "object",
    "required": ["userid", "name", "department"],
    "additionalProperties": False,
    "properties": {
        "userid": {"type": "string", "minLength": 1},
        "name": {"type": "string", "minLength": 1},
        "department": {"type": "array", "items": {"type": "integer"}},
        "mobile": {"type": "string"},
        "telephone": {"type": "string"},
        "email": {"type": "string"},
        "position": {"type": "string"},
        "extattr": {"type": "object"},
    },
}
_DEPT = {
    "type": "object",
    "required": ["id", "name", "parentid"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "minLength": 1},
        "parentid": {"type": "integer", "minimum": 0},
        "order": {"type": "integer", "minimum": 0},
    },
}
SECTION = {
    "type": "object",
    "required": ["linkedid", "corps"],
    "additionalProperties": False,
    "properties": {
        "linkedid": {"type": "string", "pattern": "^[0-9A-Za-z_-]+$"},
        "corps": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["corpid", "departments", "users"],
                "additionalProperties": False,
                "properties": {
                    "corpid": {"type": "string", "pattern": "^[0-9A-Za-z]+$"},
                    "name": {"type": "string"},
                    "departments": {"type": "array", "items": _DEPT},
                    "users": {"type": "array", "items": _USER},
                },
            },
        },
        "perm": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["agentid"],
                "additionalProperties": False,
                "properties": {
                    "agentid": {"type": "integer"},
                    "userids": {"type": "array", "items": {"type": "string", "pattern": "/"}},
                    "department_ids": {
                        "type": "array",
                        "items": {"type": "string", "pattern": "/"},
                    },
                },
            },
        },
    },
}


def load(emu: Host, corp: Corp, section: dict[str, Any] | None) -> None:
    if not section:
        return
    store = linkedcorp(corp)
    store.linkedid = section["linkedid"]
    for c in section["corps"]:
        for d in c["departments"]:
            store.departments[d["id"]] = {"order": 0, **d, "corpid": c["corpid"]}
        for u in c["users"]:
            store.users[f"{c['corpid']}/{u['userid']}".lower()] = {**u, "corpid": c["corpid"]}
    for p in section.get("perm", []):
        store.perms[str(p["agentid"])] = {
            "userids": list(p.get("userids", [])),
            "department_ids": list(p.get("department_ids", [])),
        }


section = FixtureSection("linkedcorp", SECTION, load, order=30)


# -- visibility ----------------------------------------------------------------------------------
def subtree(store: LinkedStore, dept_id: int) -> list[int]:
    out, stack = [], [dept_id]
    while stack:
        d = stack.pop()
        out.append(d)
        kids = [k for k, v in store.departments.items() if v["parentid"] == d and k != d]
        stack.extend(sorted(kids, key=lambda k: (-store.departments[k]["order"], k), reverse=True))
    return out


def visible(corp: Corp, agentid: int | None) -> tuple[list[int], list[str]]:
    """(department ids, user keys) of partner corps the app may see."""
    store = linkedcorp(corp)
    perm = store.perms.get(str(agentid), {"userids": [], "department_ids": []})
    depts: list[int] = []
    for ref in perm["department_ids"]:
        linkedid, _, raw = ref.partition("/")
        if linkedid == store.linkedid and raw.isdecimal() and int(raw) in store.departments:
            depts.extend(d for d in subtree(store, int(raw)) if d not in depts)
    users = [k for k, u in store.users.items() if set(u["department"]) & set(depts)]
    users += [
        r.lower() for r in perm["userids"] if r.lower() in store.users and r.lower() not in users
    ]
    return depts, users


def perm_list(corp: Corp, agentid: int | None) -> dict[str, Any]:
    store = linkedcorp(corp)
    perm = store.perms.get(str(agentid), {"userids": [], "department_ids": []})
    return {"userids": list(perm["userids"]), "department_ids": list(perm["department_ids"])}


def _dept_ref(store: LinkedStore, dept_id: int) -> str:
    return f"{store.linkedid}/{dept_id}"


def user_info(corp: Corp, key: str, depts: list[int] | None = None) -> dict[str, Any]:
    store = linkedcorp(corp)
    u = store.users[key]
    shown = [d for d in u["department"] if depts is None or d in depts]
    out: dict[str, Any] = {
        "userid": u["userid"],
        "name": u["name"],
        "department": [_dept_ref(store, d) for d in shown],
    }
    for k in ("mobile", "telephone", "email", "position"):
        if u.get(k):
            out[k] = u[k]
    out["corpid"] = u["corpid"]
    if u.get("extattr"):
        out["extattr"] = u["extattr"]
    return out


def get_user(corp: Corp, agentid: int | None, ref: Any) -> dict[str, Any]:
    if not isinstance(ref, str) or ref.count("/") != 1 or ref.startswith("/") or ref.endswith("/"):
        raise param_error("userid", "invalid")
    key = ref.lower()
    if key not in linkedcorp(corp).users:
        raise WeComError(60111)
    depts, users = visible(corp, agentid)
    if key not in users:
        raise WeComError(60011)
    return user_info(corp, key, depts)


def _department(corp: Corp, agentid: int | None, ref: Any) -> tuple[int, list[int]]:
    store = linkedcorp(corp)
    linkedid, _, raw = ref.partition("/") if isinstance(ref, str) else ("", "", "")
    if not raw.isdecimal():
        raise param_error("department_id", "invalid")
    dept_id = int(raw)
    if linkedid != store.linkedid or dept_id not in store.departments:
        raise WeComError(60003)
    depts, _ = visible(corp, agentid)
    if dept_id not in depts:
        raise WeComError(60011)
    return dept_id, depts


def list_users(
    corp: Corp, agentid: int | None, ref: Any, fetch_child: bool, *, simple: bool
) -> list[dict[str, Any]]:
    store = linkedcorp(corp)
    dept_id, visible_depts = _department(corp, agentid, ref)
    wanted = set(subtree(store, dept_id) if fetch_child else [dept_id])
    corpid = store.departments[dept_id]["corpid"]
    out = []
    for key, u in store.users.items():
        if u["corpid"] == corpid and wanted & set(u["department"]):
            info = user_info(corp, key, [d for d in u["department"] if d in visible_depts])
            if simple:
                info = {k: info[k] for k in ("userid", "name", "department", "corpid")}
            out.append(info)
    return out


def list_departments(corp: Corp, agentid: int | None, ref: Any) -> list[dict[str, Any]]:
    store = linkedcorp(corp)
    dept_id, visible_depts = _department(corp, agentid, ref)
    return [
        {
            "department_id": str(d),
            "department_name": store.departments[d]["name"],
            "parentid": str(store.departments[d]["parentid"]),
            "order": store.departments[d]["order"],
        }
        for d in subtree(store, dept_id)
        if d in visible_depts
    ]
