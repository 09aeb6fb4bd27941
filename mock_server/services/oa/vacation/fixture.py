"""The ``vacation`` fixture section: leave types (there is no API to create them) and balances."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.vacation import models as vm

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host as Emulator

SECTION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Leave types (假期) in the getcorpconf shape, and members' balances.",
    "properties": {
        "types": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "time_attr"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "name": {"type": "string", "minLength": 1},
                    "time_attr": {"enum": [0, 1], "description": "0 by day, 1 by hour"},
                    "duration_type": {"enum": [0, 1]},
                    "quota_attr": {"type": "object"},
                    "perday_duration": {"type": "integer", "minimum": 1, "maximum": 86400},
                    "users": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "applicable range (absent: everyone)",
                    },
                },
            },
        },
        "balances": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["userid", "vacation_id", "leftduration"],
                "additionalProperties": False,
                "properties": {
                    "userid": {"type": "string"},
                    "vacation_id": {"type": "integer"},
                    "leftduration": {"type": "integer", "minimum": 0},
                    "usedduration": {"type": "integer", "minimum": 0},
                },
            },
        },
    },
}

DEFAULTS: dict[str, Any] = {
    "duration_type": 1,
    "quota_attr": {"type": 0},
    "perday_duration": 28800,
    "is_newovertime": 0,
    "enter_comp_time_limit": 0,
    "expire_rule": {"type": 4},
}


def load_vacation(emu: Emulator, corp: Corp, section: dict[str, Any] | None) -> None:
    store = vm.vacation(corp)
    users = cm.contacts(corp)
    for i, spec in enumerate((section or {}).get("types", [])):
        vtype = {**copy.deepcopy(DEFAULTS), **copy.deepcopy(spec)}
        members = vtype.pop("users", None)
        if vtype["id"] in store.types:
            raise ValueError(f"vacation.types[{i}]: duplicate id {vtype['id']}")
        store.types[vtype["id"]] = vtype
        if members is not None:
            for u in members:
                if users.find_user(u) is None:
                    raise ValueError(f"vacation.types[{i}].users: unknown user {u!r}")
            store.ranges[vtype["id"]] = [u.lower() for u in members]
    for i, row in enumerate((section or {}).get("balances", [])):
        user = users.find_user(row["userid"])
        if user is None or row["vacation_id"] not in store.types:
            raise ValueError(f"vacation.balances[{i}]: unknown user or vacation_id")
        used = row.get("usedduration", 0)
        store.balances.setdefault(user.key, {})[row["vacation_id"]] = {
            "assign": row["leftduration"] + used,
            "used": used,
            "left": row["leftduration"],
        }


section = FixtureSection("vacation", SECTION, load_vacation, order=46)
