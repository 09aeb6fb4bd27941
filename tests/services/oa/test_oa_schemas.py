"""Every OA endpoint has its schema pair, and real responses validate against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from mock_server import Emulator
from mock_server.emulator import default_registry
from tests.conftest import Api

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"
OA = [e for e in default_registry().endpoints() if e.family == "oa"]


def _registry() -> Registry:
    common = json.loads((SCHEMAS / "common.json").read_text(encoding="utf-8"))
    return Registry().with_resource(common["$id"], Resource.from_contents(common))


def validate(ep_name: str, kind: str, instance: Any) -> None:
    stem = next(e.schema_stem for e in OA if e.name == ep_name)
    schema = json.loads((SCHEMAS / f"{stem}.{kind}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, registry=_registry()).validate(instance)


def test_round_validates(emu: Emulator) -> None:
    oa_api, app = Api(emu, "app", 1000004), Api(emu, "app", 1000002)
    now = emu.clock.time()
    calls: list[tuple[Api, str, dict[str, Any]]] = [
        (
            oa_api,
            "oa/gettemplatedetail",
            {"template_id": "C4NwEqqnGJ2qLkKaWNxjHWJ1UYF1s8aXqCFpPEZ8"},
        ),
        (
            oa_api,
            "oa/applyevent",
            {
                "creator_userid": "zhangsan",
                "template_id": "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa",
                "use_template_approver": 1,
                "apply_data": {
                    "contents": [
                        {"control": "Text", "id": "Text-1580000000001", "value": {"text": "x"}}
                    ]
                },
                "summary_list": [{"summary_info": [{"text": "x", "lang": "zh_CN"}]}],
            },
        ),
        (
            oa_api,
            "oa/getapprovalinfo",
            {"starttime": str(now - 5), "endtime": str(now + 5), "new_cursor": "", "size": 10},
        ),
        (oa_api, "oa/getapprovaldetail", {"sp_no": "{sp_no}"}),
        (
            app,
            "oa/calendar/add",
            {"calendar": {"summary": "s", "color": "#112233", "set_as_default": 1}},
        ),
        (app, "oa/calendar/get", {"cal_id_list": ["{cal_id}"]}),
        (
            app,
            "oa/schedule/add",
            {
                "schedule": {
                    "start_time": now + 60,
                    "end_time": now + 120,
                    "attendees": [{"userid": "lisi"}],
                }
            },
        ),
        (app, "oa/schedule/get", {"schedule_id_list": ["{schedule_id}"]}),
        (app, "oa/schedule/get_by_calendar", {"cal_id": "{cal_id}"}),
        (
            app,
            "meeting/create",
            {
                "admin_userid": "lisi",
                "title": "t",
                "meeting_start": now + 600,
                "meeting_duration": 600,
            },
        ),
        (app, "meeting/get_info", {"meetingid": "{meetingid}"}),
        (
            app,
            "meeting/get_user_meetingid",
            {"userid": "lisi", "begin_time": now, "end_time": now + 3600},
        ),
        (app, "meeting/cancel", {"meetingid": "{meetingid}"}),
        (app, "meeting/get_info", {"meetingid": "nope"}),
    ]
    saved: dict[str, str] = {}
    for api, name, body in calls:
        text = json.dumps(body)
        for k, v in saved.items():
            text = text.replace("{" + k + "}", v)
        body = json.loads(text)
        validate(name, "request", body)
        res = api.post(name, body)
        validate(name, "response", res)
        for key in ("sp_no", "cal_id", "schedule_id", "meetingid"):
            if key in res:
                saved[key] = res[key]
    assert {"sp_no", "cal_id", "schedule_id", "meetingid"} <= set(saved)
