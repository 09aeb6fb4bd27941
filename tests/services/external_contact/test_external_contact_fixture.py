"""The external_contact fixture section, its errors, and ``fixture generate --customers``."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from mock_server import Emulator
from mock_server.cli import main
from mock_server.cli.fixture import generate
from mock_server.core.fixtures import FixtureError


def _doc(section: dict[str, Any]) -> dict[str, Any]:
    doc = generate(3, 1, 0)
    doc["external_contact"] = section
    return doc


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ({"customers": [{"name": "a", "follow": [{"userid": "ghost"}]}]}, "customers[0].follow[0]"),
        (
            {"customers": [{"name": "a", "follow": [{"userid": "wang00000", "tags": ["x"]}]}]},
            "tags",
        ),
        ({"follow_users": ["ghost"]}, "follow_users[0]"),
        ({"group_chats": [{"owner": "ghost"}]}, "group_chats[0].owner"),
        ({"group_chats": [{"owner": "wang00000", "members": [{"userid": "wmX"}]}]}, "members[0]"),
        ({"customers": [{"name": "a", "type": 3}]}, "type"),
    ],
)
def test_bad_references_name_the_yaml_path(section: dict[str, Any], where: str) -> None:
    with pytest.raises(FixtureError) as err:
        Emulator([_doc(section)])
    assert where in str(err.value)


def test_generate_customers_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["fixture", "generate", "--users", "30", "--customers", "400", "--departments", "3"])
        == 0
    )
    doc = yaml.safe_load(capsys.readouterr().out)
    section = doc["external_contact"]
    assert len(section["customers"]) == 400 and len(section["group_chats"]) == 8
    emu = Emulator([doc])
    ids = emu.external_contacts()
    assert len(ids) == 400 and ids[0] == section["customers"][0]["external_userid"]
    token = emu.token("external")
    chats = emu.call(
        "POST",
        "externalcontact/groupchat/list",
        params={"access_token": token},
        json={"limit": 100},
    )
    assert len(chats["group_chat_list"]) == 8


def test_fixture_rows_are_not_mutated() -> None:
    doc = _doc({"customers": [{"name": "a", "follow": [{"userid": "wang00000"}]}]})
    before = copy.deepcopy(doc)
    Emulator([doc]).reset()
    assert doc == before
