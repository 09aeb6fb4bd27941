"""Every customer-contact endpoint has its schema pair, and real responses validate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from mock_server import Emulator
from mock_server.core.resources import schemas_dir
from mock_server.emulator import default_registry
from tests.conftest import Api

EPS = [e for e in default_registry().endpoints() if e.family == "external_contact"]


def _registry() -> Registry:
    resources = []
    for path in Path(schemas_dir()).rglob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in doc:
            resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def _schema(stem: str, kind: str) -> dict[str, Any]:
    return json.loads((Path(schemas_dir()) / f"{stem}.{kind}.json").read_text(encoding="utf-8"))


def _check(stem: str, kind: str, instance: Any) -> None:
    validator = jsonschema.Draft202012Validator(_schema(stem, kind), registry=REGISTRY)
    errors = list(validator.iter_errors(instance))
    assert not errors, (stem, kind, [e.message for e in errors][:3])


def test_requests_and_responses_validate(emu: Emulator) -> None:
    api = Api(emu, "app", 1000003)
    eid = api.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    tag = api.post("externalcontact/get_corp_tag_list")["tag_group"][0]["tag"][0]["id"]
    chat = api.post("externalcontact/groupchat/list", {"limit": 2})["group_chat_list"][0]["chat_id"]
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "externalcontact/get_follow_user_list", {}),
        ("GET", "externalcontact/list", {"userid": "xuqiang"}),
        ("GET", "externalcontact/list", {"userid": "ghost"}),
        ("GET", "externalcontact/get", {"external_userid": eid}),
        ("GET", "externalcontact/get", {"external_userid": "wmNOPE"}),
        (
            "POST",
            "externalcontact/batch/get_by_user",
            {"userid_list": ["xuqiang", "sunli"], "limit": 100},
        ),
        (
            "POST",
            "externalcontact/batch/get_by_user",
            {"userid_list": ["xuqiang"], "cursor": "bad"},
        ),
        (
            "POST",
            "externalcontact/remark",
            {"userid": "xuqiang", "external_userid": eid, "remark": "r"},
        ),
        ("POST", "externalcontact/get_corp_tag_list", {}),
        ("POST", "externalcontact/get_corp_tag_list", {"tag_id": [tag]}),
        ("POST", "externalcontact/add_corp_tag", {"group_name": "新组", "tag": [{"name": "a"}]}),
        ("POST", "externalcontact/edit_corp_tag", {"id": tag, "name": "x"}),
        ("POST", "externalcontact/del_corp_tag", {"tag_id": ["etNOPE"]}),
        (
            "POST",
            "externalcontact/mark_tag",
            {"userid": "xuqiang", "external_userid": eid, "add_tag": [tag]},
        ),
        ("POST", "externalcontact/groupchat/list", {"limit": 1000}),
        ("POST", "externalcontact/groupchat/get", {"chat_id": chat, "need_name": 1}),
        ("POST", "externalcontact/groupchat/get", {"chat_id": "nope"}),
    ]
    for method, name, data in calls:
        stem = "external_contact/" + name.replace("/", ".")
        if method == "GET":
            resp = api.get(name, **data)
        else:
            resp = api.post(name, data)
        if resp["errcode"] == 0:
            _check(stem, "request", data)
        _check(stem, "response", resp)
