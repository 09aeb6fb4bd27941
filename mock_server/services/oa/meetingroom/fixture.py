"""The ``meetingrooms`` fixture section: rooms (including ones only the admin console can
create: ``need_approval`` rooms and disabled rooms)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.oa.meetingroom import models as mr

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host as Emulator

SECTION: dict[str, Any] = {
    "type": "array",
    "description": "Meeting rooms (会议室); ids are given or numbered from 1.",
    "items": {
        "type": "object",
        "required": ["name", "capacity"],
        "additionalProperties": False,
        "properties": {
            "meetingroom_id": {"type": "integer", "minimum": 1},
            "name": {"type": "string", "minLength": 1, "maxLength": 30},
            "capacity": {"type": "integer", "minimum": 0},
            "city": {"type": "string"},
            "building": {"type": "string"},
            "floor": {"type": "string"},
            "equipment": {"type": "array", "items": {"enum": list(mr.EQUIPMENT)}},
            "coordinate": {
                "type": "object",
                "required": ["latitude", "longitude"],
                "properties": {"latitude": {"type": "string"}, "longitude": {"type": "string"}},
            },
            "need_approval": {"enum": [0, 1]},
            "disabled": {"type": "boolean"},
            "range": {
                "type": "object",
                "properties": {
                    "user_list": {"type": "array", "items": {"type": "string"}},
                    "department_list": {"type": "array", "items": {"type": "integer"}},
                },
            },
        },
    },
}


def load_rooms(emu: Emulator, corp: Corp, section: list[dict[str, Any]] | None) -> None:
    store = mr.meetingroom(corp)
    for i, spec in enumerate(section or []):
        room = {"equipment": [], "need_approval": 0, **copy.deepcopy(spec)}
        rid = room.setdefault("meetingroom_id", store.next_id)
        if rid in store.rooms:
            raise ValueError(f"meetingrooms[{i}]: duplicate meetingroom_id {rid}")
        store.rooms[rid] = room
        store.next_id = max(store.next_id, rid + 1)


section = FixtureSection("meetingrooms", SECTION, load_rooms, order=47)
