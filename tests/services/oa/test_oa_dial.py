"""Public-phone call records: window defaults and clamping, paging, visibility."""

from __future__ import annotations

import pytest

from mock_server import Emulator
from mock_server.clock import Clock
from tests.conftest import Api

WED = 1772553600  # 2026-03-04 00:00 (UTC+8); the demo records are Wed and Thu at 10:00
DAY = 86400


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(start=WED + 10 * DAY, frozen=True))


def records(api: Api, **body: int) -> list[dict]:
    res = api.post("dial/get_dial_record", body)
    assert res["errcode"] == 0, res
    return res["record"]  # type: ignore[no-any-return]


def test_window_paging_and_shape(emu: Emulator) -> None:
    api = Api(emu, "app", 1000004)
    both = records(api)  # default: the last 30 days
    assert [r["call_type"] for r in both] == [1, 2]
    assert both[1]["callee"] == [
        {"phone": 13800005678, "duration": 6},
        {"userid": "lisi", "duration": 6},
    ]
    assert (
        records(api, start_time=WED + DAY, end_time=WED + 2 * DAY)[0]["call_time"]
        == WED + DAY + 36000
    )
    assert records(api, start_time=WED + 36000, end_time=WED + 36000) == both[:1]  # closed interval
    assert records(api, limit=1, offset=1) == both[1:]
    assert records(api, limit=500) == both  # over 100 is served as 100
    # A span over 30 days is clamped to the 30 days before end_time.
    assert records(api, start_time=WED - 60 * DAY, end_time=WED + 31 * DAY) == both[1:]
    assert (
        api.post("dial/get_dial_record", {"start_time": WED, "end_time": WED - 1})["errcode"]
        == 600018
    )
    assert api.post("dial/get_dial_record", {"limit": "x"})["errcode"] == 40058
    assert Api(emu, "app", 1000002).post("dial/get_dial_record")["errcode"] == 48002


def test_members_outside_visibility_and_new_records(emu: Emulator) -> None:
    emu.corp().agents[1000004].allow_party = [5]  # sales only: lisi's call drops out
    api = Api(emu, "app", 1000004)
    assert [r["caller"]["userid"] for r in records(api)] == ["wuxia"]
    emu.oa.add_dial_record(call_time=WED + 5 * DAY, total_duration=3, call_type=1,
                        caller={"userid": "xuqiang", "duration": 3}, callee=[{"phone": 10086, "duration": 3}])  # fmt: skip
    assert [r["caller"]["userid"] for r in records(api)] == ["wuxia", "xuqiang"]
    with pytest.raises(ValueError):
        emu.oa.add_dial_record(
            call_time=WED, total_duration=1, call_type=1, caller={"userid": "ghost"}, callee=[]
        )
