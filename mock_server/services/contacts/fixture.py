"""The contacts part of a corp fixture: departments, users, tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.errors import WeComError
from mock_server.core.events import SOURCE_FIXTURE
from mock_server.core.fixtures import FixtureError
from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.contacts import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

DEPARTMENT = {
    "type": "object",
    "required": ["id", "name"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "minLength": 1},
        "name_en": {"type": "string"},
        "parentid": {"type": "integer", "minimum": 0},
        "order": {"type": "integer", "minimum": 0},
    },
}

USER = {
    "type": "object",
    "required": ["userid", "name"],
    "properties": {
        "userid": {"type": "string", "minLength": 1, "maxLength": 64},
        "name": {"type": "string", "minLength": 1},
        "department": {"type": "array", "items": {"type": "integer"}},
        "order": {"type": "array", "items": {"type": "integer"}},
        "is_leader_in_dept": {"type": "array", "items": {"enum": [0, 1]}},
        "mobile": {"type": "string"},
        "email": {"type": "string"},
        "biz_mail": {"type": "string"},
        "position": {"type": "string"},
        "gender": {"enum": ["0", "1", "2", 0, 1, 2]},
        "alias": {"type": "string"},
        "telephone": {"type": "string"},
        "address": {"type": "string"},
        "direct_leader": {"type": "array", "items": {"type": "string"}},
        "main_department": {"type": "integer"},
        "enable": {"enum": [0, 1]},
        "status": {"enum": [1, 2, 4, 5]},
        "userid_generated": {"type": "boolean"},
        "extattr": {"type": "object"},
        "external_position": {"type": "string"},
        "external_profile": {"type": "object"},
    },
    "additionalProperties": False,
}

TAG = {
    "type": "object",
    "required": ["tagid", "tagname"],
    "additionalProperties": False,
    "properties": {
        "tagid": {"type": "integer", "minimum": 0},
        "tagname": {"type": "string", "minLength": 1, "maxLength": 32},
        "owner": {"type": "integer", "description": "agentid of the app that created the tag"},
        "users": {"type": "array", "items": {"type": "string"}},
        "parties": {"type": "array", "items": {"type": "integer"}},
    },
}

CONTACTS_SECTION = {
    "type": "object",
    "additionalProperties": False,
    "description": "Departments, members and tags. Department 1 (root) always exists.",
    "properties": {
        "root_name": {"type": "string"},
        "creator": {
            "type": "string",
            "description": "userid of the corp creator (cannot be deleted)",
        },
        "auto_create_departments": {
            "type": "boolean",
            "description": "user/create with an unknown department auto-creates it (current docs) "
            "instead of failing with 60123 (default: false)",
        },
        "departments": {"type": "array", "items": DEPARTMENT},
        "users": {"type": "array", "items": USER},
        "tags": {"type": "array", "items": TAG},
    },
}


def load_contacts(emu: Host, corp: Corp, section: dict[str, Any] | None) -> None:
    section = section or {}
    store = m.contacts(corp)
    if section.get("root_name"):
        store.departments[m.ROOT].name = section["root_name"]
    store.auto_create_departments = bool(section.get("auto_create_departments", False))
    pending = [d for d in section.get("departments", []) if d["id"] != m.ROOT]
    # Parents may be listed after their children: create in dependency order.
    while pending:
        progressed = False
        for d in list(pending):
            parent = d.get("parentid", m.ROOT)
            if parent in store.departments:
                _wrap(
                    f"contacts.departments[id={d['id']}]",
                    lambda d=d, parent=parent: m.create_department(
                        corp,
                        name=d["name"],
                        name_en=d.get("name_en"),
                        parentid=parent,
                        order=d.get("order", 0),
                        id=d["id"],
                        source=SOURCE_FIXTURE,
                    ),
                )
                pending.remove(d)
                progressed = True
        if not progressed:
            ids = [d["id"] for d in pending]
            raise ValueError(f"departments {ids} have a missing parent or form a cycle")
    users = section.get("users", [])
    for i, u in enumerate(users):
        data = {
            k: v for k, v in u.items() if k not in ("status", "userid_generated", "direct_leader")
        }
        user, _ = _wrap(
            f"contacts.users[{i}]",
            lambda data=data, u=u: m.create_user(
                corp, data, status=u.get("status", 1), source=SOURCE_FIXTURE
            ),
        )
        user.userid_generated = bool(u.get("userid_generated", False))
    for i, u in enumerate(users):
        if u.get("direct_leader"):
            _wrap(
                f"contacts.users[{i}].direct_leader",
                lambda u=u: m.update_user(
                    corp, {"userid": u["userid"], "direct_leader": u["direct_leader"]}
                ),
            )
    if section.get("creator"):
        if store.find_user(section["creator"]) is None:
            raise ValueError(f"creator {section['creator']!r} is not a user")
        store.creator = section["creator"]
    for i, t in enumerate(section.get("tags", [])):
        tag = _wrap(
            f"contacts.tags[{i}]",
            lambda t=t: m.create_tag(corp, t["tagname"], t["tagid"], t.get("owner")),
        )
        for uid in t.get("users", []):
            user = store.find_user(uid)
            if user is None:
                raise ValueError(f"tags[{i}]: unknown user {uid!r}")
            tag.users.append(user.key)
        for pid in t.get("parties", []):
            if pid not in store.departments:
                raise ValueError(f"tags[{i}]: unknown department {pid}")
            tag.parties.append(pid)
    store.touch()


def _wrap(path: str, fn: Any) -> Any:
    try:
        return fn()
    except WeComError as err:
        raise FixtureError(
            "<fixture>", path, f"rejected with errcode {err.errcode}: {err.text()}"
        ) from None


section = FixtureSection("contacts", CONTACTS_SECTION, load_contacts, order=10)
