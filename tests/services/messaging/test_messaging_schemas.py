"""Every messaging endpoint has its request/response schema; real answers validate against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from mock_server import Emulator
from mock_server.emulator import default_registry
from tests.conftest import Api

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"
EPS = [e for e in default_registry().endpoints() if e.family == "messaging"]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def validator(stem: str, kind: str) -> Draft202012Validator:
    common = load(SCHEMAS / "common.json")
    registry = Registry().with_resource(
        "https://wecom-mock.invalid/schemas/common.json", Resource.from_contents(common)
    )
    schema = load(SCHEMAS / f"{stem}.{kind}.json")
    schema["$id"] = f"https://wecom-mock.invalid/schemas/{stem}.{kind}.json"
    return Draft202012Validator(schema, registry=registry)


def test_real_answers_validate(emu: Emulator, app_api: Api) -> None:
    body = {
        "touser": "zhangsan|ghost",
        "toparty": "3",
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "x"},
    }
    validator("messaging/message.send", "request").validate(body)
    resp = app_api.post("message/send", body)
    validator("messaging/message.send", "response").validate(resp)
    bad = app_api.post("message/send", {**body, "touser": "ghost", "toparty": ""})
    assert bad["errcode"] == 81013
    validator("messaging/message.send", "response").validate(bad)
    chat = app_api.post("appchat/create", {"userlist": ["zhangsan", "lisi"]})
    validator("messaging/appchat.create", "response").validate(chat)
    info = app_api.get("appchat/get", chatid=chat["chatid"])
    validator("messaging/appchat.get", "response").validate(info)
    robot = {"msgtype": "markdown", "markdown": {"content": "x"}}
    validator("messaging/webhook.send", "request").validate(robot)
    with pytest.raises(Exception, match="is a required property"):
        validator("messaging/message.send", "request").validate({**body, "text": {}})
