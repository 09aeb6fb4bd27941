"""The messaging part of a corp fixture: group robots (webhook key, name, members of its chat)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.messaging import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

ROBOT = {
    "type": "object",
    "required": ["key", "name"],
    "additionalProperties": False,
    "properties": {
        "key": {
            "type": "string",
            "pattern": "^[0-9A-Za-z\\-]{8,64}$",
            "description": "the webhook key (?key=), UUID-like in the real API",
        },
        "name": {"type": "string", "minLength": 1},
        "chatid": {"type": "string", "description": "id of the robot's chat (generated if absent)"},
        "members": {
            "type": "array",
            "items": {"type": "string"},
            "description": "userids of the chat the robot was added to",
        },
    },
}

ROBOTS_SECTION = {"type": "array", "items": ROBOT, "description": "Group robots (webhooks)."}


def load_robots(emu: Host, corp: Corp, section: list[dict[str, Any]] | None) -> None:
    store = m.messaging(corp)
    users = cm.contacts(corp)
    for i, r in enumerate(section or []):
        if r["key"] in store.robots:
            raise ValueError(f"robots[{i}]: duplicate key {r['key']!r}")
        members = []
        for uid in r.get("members", []):
            u = users.find_user(uid)
            if u is None:
                raise ValueError(f"robots[{i}]: unknown member {uid!r}")
            members.append(u.key)
        chatid = r.get("chatid") or "wr" + corp.ids.alnum(22)
        store.robots[r["key"]] = m.Robot(r["key"], r["name"], chatid, members)


section = FixtureSection("robots", ROBOTS_SECTION, load_robots, order=30)
