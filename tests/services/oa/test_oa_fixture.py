"""The oa fixture section: templates are validated with clear errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.core.fixtures import FixtureError, load_yaml
from mock_server.core.resources import demo_fixture


def demo() -> dict[str, Any]:
    return copy.deepcopy(load_yaml(demo_fixture()))


def test_demo_templates_load() -> None:
    emu = Emulator()
    from mock_server.services.oa.store import oa

    templates = oa(emu.corp()).templates
    assert sorted(t.name for t in templates.values()) == sorted(
        ["请假", "报销", "采购", "通用审批"]
    )
    kinds = set()
    for t in templates.values():
        for c in t.controls:
            kinds.add(c["property"]["control"])
            for sub in c.get("config", {}).get("table", {}).get("children", []):
                kinds.add(sub["property"]["control"])
    for needed in ("Text", "Textarea", "Number", "Money", "Date", "Selector", "Contact", "Tips",
                   "File", "Table", "Vacation", "Attendance"):  # fmt: skip
        assert needed in kinds


def test_unknown_approver_is_a_fixture_error() -> None:
    doc = demo()
    doc["oa"]["templates"][0]["approvers"][0]["userid"] = ["ghost"]
    with pytest.raises(FixtureError, match="ghost"):
        Emulator([doc])


def test_unknown_control_type_is_a_schema_error() -> None:
    doc = demo()
    doc["oa"]["templates"][0]["controls"][0]["control"] = "Hologram"
    with pytest.raises(FixtureError, match=r"oa\.templates\[0\]\.controls\[0\]"):
        Emulator([doc])
