"""Bad input to any OA endpoint is answered with a real errcode, never -1 (a crash)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import Emulator
from mock_server.emulator import default_registry

OA = sorted(e.name for e in default_registry().endpoints() if e.family == "oa")
EMU = Emulator()
TOKENS = {"approval": EMU.token("app", 1000004), "app": EMU.token("app", 1000002)}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(max_size=8),
    st.floats(allow_nan=False),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = [
    "template_id", "creator_userid", "use_template_approver", "apply_data", "summary_list",
    "approver", "process", "notifyer", "starttime", "endtime", "new_cursor", "cursor", "size",
    "filters", "sp_no", "calendar", "cal_id", "cal_id_list", "schedule", "schedule_id",
    "schedule_id_list", "op_mode", "op_start_time", "attendees", "offset", "limit",
    "admin_userid", "title", "meeting_start", "meeting_duration", "invitees", "settings",
    "reminders", "meetingid", "userid", "begin_time", "end_time", "location",
]  # fmt: skip
bodies = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)


NOW = EMU.clock.time()
VALID: dict[str, dict[str, Any]] = {
    "oa/applyevent": {
        "creator_userid": "zhangsan",
        "template_id": "C4NwEqqnGJ2qLkKaWNxjHWJ1UYF1s8aXqCFpPEZ8",
        "use_template_approver": 1,
        "apply_data": {
            "contents": [
                {
                    "control": "Selector",
                    "id": "Selector-1569573760849",
                    "value": {
                        "selector": {"type": "single", "options": [{"key": "option-1569573760850"}]}
                    },
                },
                {"control": "Money", "id": "Money-1569573760853", "value": {"new_money": "1.00"}},
                {
                    "control": "Table",
                    "id": "Table-1569573760854",
                    "value": {
                        "children": [
                            {
                                "list": [
                                    {
                                        "id": "Date-1569573760855",
                                        "value": {"date": {"type": "day", "s_timestamp": "1"}},
                                    },
                                    {"id": "Text-1569573760856", "value": {"text": "x"}},
                                    {"id": "Money-1569573760857", "value": {"new_money": "1"}},
                                ]
                            }
                        ]
                    },
                },
                {
                    "control": "File",
                    "id": "File-1569573760858",
                    "value": {"files": [{"file_id": "x"}]},
                },
            ]
        },
        "summary_list": [{"summary_info": [{"text": "x", "lang": "zh_CN"}]}],
    },
    "oa/schedule/add": {
        "schedule": {
            "organizer": "lisi",
            "start_time": NOW + 60,
            "end_time": NOW + 120,
            "attendees": [{"userid": "zhangsan"}],
            "reminders": {
                "is_remind": 1,
                "is_repeat": 1,
                "repeat_type": 1,
                "is_custom_repeat": 1,
                "repeat_interval": 1,
            },
        }
    },
    "oa/calendar/add": {
        "calendar": {
            "summary": "s",
            "color": "#000000",
            "shares": [{"userid": "lisi"}],
            "admins": ["lisi"],
        }
    },
    "meeting/create": {
        "admin_userid": "lisi",
        "title": "t",
        "meeting_start": NOW + 600,
        "meeting_duration": 600,
        "invitees": {"userid": ["zhangsan"]},
        "settings": {"hosts": {"userid": ["zhangsan"]}, "password": "1234"},
        "reminders": {"is_repeat": 1, "repeat_type": 1, "repeat_interval": 2},
    },
}


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _replace(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    import copy

    out = copy.deepcopy(obj)
    cur = out
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return out


@pytest.mark.parametrize("name", sorted(VALID))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_crash_on_one_bad_field(name: str, data: st.DataObject) -> None:
    valid = VALID[name]
    path = data.draw(st.sampled_from(_paths(valid)))
    body = _replace(valid, path, data.draw(values))
    token = TOKENS["approval" if name == "oa/applyevent" else "app"]
    res = EMU.call("POST", name, params={"access_token": token}, json=body)
    assert res["errcode"] != -1, (name, body, res)
