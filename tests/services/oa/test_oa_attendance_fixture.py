"""Fixture sections of check-in, vacation, meeting rooms and journals: loading and refusals."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from typing import Any

import pytest
import yaml

from mock_server import Emulator
from mock_server.clock import Clock
from mock_server.resources import demo_fixture
from mock_server.services.contacts.generate import generate
from mock_server.services.oa.checkin.fixture import generated_rules
from tests.conftest import Api

CN = dt.timezone(dt.timedelta(hours=8))


@functools.cache
def _demo() -> dict[str, Any]:
    return yaml.safe_load(demo_fixture().read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def demo() -> dict[str, Any]:
    return copy.deepcopy(_demo())


def test_shift_assignments_from_the_fixture() -> None:
    doc = demo()
    doc["checkin"]["schedules"] = [{"userid": "wuxia", "date": "2026-03-05", "schedule_id": 2}]
    start = int(dt.datetime(2026, 3, 1, tzinfo=CN).timestamp())
    emu = Emulator([doc], clock=Clock(start=start, frozen=True))
    got = Api(emu, "app", 1000004).post(
        "checkin/getcheckinschedulist",
        {"starttime": start, "endtime": start + 7 * 86400, "useridlist": ["wuxia"]},
    )
    (row,) = got["schedule_list"]
    assert row["schedule"]["scheduleList"][0]["day"] == 5
    assert row["schedule"]["scheduleList"][0]["schedule_info"]["schedule_name"] == "晚班"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["checkin"]["rules"][1]["range"].update(party_id=["3"]), "ranges overlap"),
        (
            lambda d: d["checkin"].update(
                schedules=[{"userid": "zhangsan", "date": "2026-03-05", "schedule_id": 1}]
            ),
            "no shift rule",
        ),
        (
            lambda d: d["checkin"].update(
                schedules=[{"userid": "wuxia", "date": "2026-03-05", "schedule_id": 9}]
            ),
            "unknown schedule_id",
        ),
        (
            lambda d: d["checkin"]["rules"].append(copy.deepcopy(d["checkin"]["rules"][0])),
            "duplicate groupid",
        ),
        (
            lambda d: d["vacation"]["balances"].append(
                {"userid": "ghost", "vacation_id": 1, "leftduration": 0}
            ),
            "unknown user",
        ),
        (
            lambda d: d["meetingrooms"].append({"meetingroom_id": 1, "name": "X", "capacity": 1}),
            "duplicate meetingroom_id",
        ),
        (lambda d: d["journal"]["templates"][0].update(receivers=["ghost"]), "unknown user"),
    ],
)
def test_bad_sections_are_refused(change: Any, words: str) -> None:
    doc = demo()
    change(doc)
    with pytest.raises(ValueError, match=words):
        Emulator([doc])


def test_generated_corp_has_a_check_in_rule() -> None:
    doc = generate(20, 3, seed=1)
    generated_rules(doc)
    assert doc["checkin"]["rules"][0]["range"] == {"party_id": ["1"]}
    emu = Emulator([doc])
    body = Api(emu, "app", 1000002).post("checkin/getcorpcheckinoption")
    assert body["errcode"] == 0 and body["group"][0]["groupname"] == "固定班"
