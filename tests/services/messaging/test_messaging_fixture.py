"""The ``robots`` fixture section and robot look-up across corps."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.core.fixtures import FixtureError

CORP: dict[str, Any] = {
    "corpid": "wwrobots00000000001",
    "name": "Robots Ltd",
    "agents": [{"agentid": 1000009, "name": "bot", "secret": "FAKE-secret", "allow_party": [1]}],
    "contacts": {
        "users": [
            {"userid": "alice", "name": "Alice", "department": [1], "mobile": "+86 13800000001"},
            {"userid": "bob", "name": "Bob", "department": [1], "email": "bob@robots.example.com"},
        ]
    },
    "robots": [
        {
            "key": "fake-robot-key-0001",
            "name": "CI",
            "chatid": "cichat",
            "members": ["Alice", "bob"],
        }
    ],
}


def test_robots_load_and_deliver_to_their_corp() -> None:
    emu = Emulator([CORP])
    assert emu.robots() == [
        {
            "key": "fake-robot-key-0001",
            "name": "CI",
            "chatid": "cichat",
            "members": ["alice", "bob"],
        }
    ]
    body = {
        "msgtype": "text",
        "text": {"content": "green", "mentioned_mobile_list": ["13800000001"]},
    }
    assert (
        emu.call("POST", "webhook/send", params={"key": "fake-robot-key-0001"}, json=body)[
            "errcode"
        ]
        == 0
    )
    msg = emu.messages(robot="fake-robot-key-0001", chat="cichat").one()
    assert msg.mentioned == ["alice"]


def test_robot_with_unknown_member_is_a_fixture_error() -> None:
    doc = copy.deepcopy(CORP)
    doc["robots"][0]["members"] = ["ghost"]
    with pytest.raises(FixtureError, match="unknown member 'ghost'"):
        Emulator([doc])


def test_robot_key_format_is_validated() -> None:
    doc = copy.deepcopy(CORP)
    doc["robots"][0]["key"] = "bad key"
    with pytest.raises(FixtureError):
        Emulator([doc])


def test_reset_restores_robots_and_empties_the_inbox() -> None:
    emu = Emulator([CORP])
    emu.call(
        "POST",
        "webhook/send",
        params={"key": "fake-robot-key-0001"},
        json={"msgtype": "text", "text": {"content": "x"}},
    )
    emu.reset()
    assert emu.messages() == []
    assert (
        emu.call(
            "POST",
            "webhook/send",
            params={"key": "fake-robot-key-0001"},
            json={"msgtype": "markdown", "markdown": {"content": "y"}},
        )["errcode"]
        == 0
    )
