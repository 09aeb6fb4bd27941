"""The OA part of a corp fixture: approval templates with controls and approval flows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.controls import CONTROL_TYPES, build_control
from mock_server.services.oa.store import Template, oa

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

TEXTS = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]}
CONTROL: dict[str, Any] = {
    "type": "object",
    "required": ["control", "id"],
    "additionalProperties": False,
    "properties": {
        "control": {"enum": list(CONTROL_TYPES)},
        "id": {"type": "string", "pattern": "^[A-Za-z]+-\\d+$"},
        "title": TEXTS,
        "placeholder": TEXTS,
        "require": {"enum": [0, 1]},
        "un_print": {"enum": [0, 1]},
        "type": {
            "description": "Date: day|hour; Selector/Contact: single|multi; Attendance: 1|3|4|5"
        },
        "mode": {"enum": ["user", "department"]},
        "range_type": {"enum": ["hour", "halfday"]},
        "options": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "text"],
                "properties": {"key": {"type": "string"}, "text": TEXTS},
            },
        },
        "items": {
            "type": "array",
            "description": "Vacation types",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": TEXTS},
            },
        },
        "children": {"type": "array", "items": {"$ref": "#/properties/oa/$defs/control"}},
        "text": {"type": "string", "description": "Tips text"},
    },
}
OA_SECTION = {
    "type": "object",
    "additionalProperties": False,
    "description": "Approval templates (controls in short form) with their approval flows.",
    "$defs": {"control": CONTROL},
    "properties": {
        "templates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["template_id", "name", "controls"],
                "additionalProperties": False,
                "properties": {
                    "template_id": {"type": "string", "minLength": 1},
                    "name": {"type": "string", "minLength": 1},
                    "record_type": {"type": "integer"},
                    "controls": {
                        "type": "array",
                        "items": {"$ref": "#/properties/oa/$defs/control"},
                    },
                    "approvers": {
                        "type": "array",
                        "description": "One entry per level; or = 或签, and = 会签",
                        "items": {
                            "type": "object",
                            "required": ["userid"],
                            "additionalProperties": False,
                            "properties": {
                                "attr": {"enum": ["or", "and"]},
                                "userid": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "minItems": 1,
                                },
                            },
                        },
                    },
                    "notifyer": {"type": "array", "items": {"type": "string"}},
                    "notify_type": {"enum": [1, 2, 3]},
                },
            },
        }
    },
}


def load_oa(emu: Host, corp: Corp, section: dict[str, Any] | None) -> None:
    store = oa(corp)
    users = cm.contacts(corp)
    for i, t in enumerate((section or {}).get("templates", [])):
        for lv in t.get("approvers", []):
            for u in lv["userid"]:
                if users.find_user(u) is None:
                    raise ValueError(f"oa.templates[{i}].approvers: unknown user {u!r}")
        for u in t.get("notifyer", []):
            if users.find_user(u) is None:
                raise ValueError(f"oa.templates[{i}].notifyer: unknown user {u!r}")
        store.templates[t["template_id"]] = Template(
            template_id=t["template_id"],
            name=t["name"],
            controls=[build_control(c) for c in t["controls"]],
            record_type=t.get("record_type", 0),
            approvers=[
                {"attr": lv.get("attr", "or"), "userid": list(lv["userid"])}
                for lv in t.get("approvers", [])
            ],
            notifyer=list(t.get("notifyer", [])),
            notify_type=t.get("notify_type", 1),
        )


section = FixtureSection("oa", OA_SECTION, load_oa, order=40)
