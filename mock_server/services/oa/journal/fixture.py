"""The ``journal`` fixture section: report templates (汇报模板); reports come from the sandbox."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.oa.journal import models as jm

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host as Emulator

SECTION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Report templates (汇报): who reports, to whom, how often.",
    "properties": {
        "templates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["template_id", "template_name", "report_type"],
                "additionalProperties": False,
                "properties": {
                    "template_id": {"type": "string", "minLength": 1},
                    "template_name": {"type": "string", "minLength": 1},
                    "report_type": {
                        "enum": [2, 3, 4],
                        "description": "2 daily, 3 weekly, 4 monthly",
                    },
                    "report_range": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "user_list": {"type": "array", "items": {"type": "string"}},
                            "party_list": {"type": "array", "items": {"type": "integer"}},
                        },
                    },
                    "white_list": {"type": "array", "items": {"type": "string"}},
                    "receivers": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


def load_journal(emu: Emulator, corp: Corp, section: dict[str, Any] | None) -> None:
    store = jm.journal(corp)
    users = cm.contacts(corp)
    for i, spec in enumerate((section or {}).get("templates", [])):
        tpl = copy.deepcopy(spec)
        for u in tpl.get("receivers", []) + tpl.get("report_range", {}).get("user_list", []):
            if users.find_user(u) is None:
                raise ValueError(f"journal.templates[{i}]: unknown user {u!r}")
        store.templates[tpl["template_id"]] = tpl


section = FixtureSection("journal", SECTION, load_journal, order=48)
