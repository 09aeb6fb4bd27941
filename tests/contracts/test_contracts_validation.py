"""Request validation (warnings, strict mode) and response conformance."""

from __future__ import annotations

import pytest

from mock_server import Emulator
from mock_server.contracts import validation
from mock_server.contracts.schemas import default_store
from mock_server.core.pipeline import ApiRequest, ApiResponse, Context
from mock_server.emulator import default_registry
from mock_server.web.server import ServerThread
from tests.conftest import Api

TOLERATED = {
    "userid": "wangfang2",
    "name": "王芳",
    "mobile": "13800000123",
    "gender": 2,
    "department": 2,
}


def test_schema_stricter_than_real_api_answers_like_real_api_and_warns(contacts_api: Api) -> None:
    body = contacts_api.post("user/create", TOLERATED)
    assert body["errcode"] == 0  # the real API takes an int gender and a bare department id
    got = contacts_api.get("user/get", userid="wangfang2")
    assert got["gender"] == "2" and got["department"] == [2]
    [entry] = contacts_api.emu.contract_warnings(endpoint="user/create")
    assert entry["errcode"] == 0
    assert "contract: body.gender: 2 is not one of ['0', '1', '2']" in entry["warnings"]
    assert any(w.startswith("contract: body.department:") for w in entry["warnings"])


def test_valid_request_records_no_warning(contacts_api: Api) -> None:
    assert contacts_api.get("user/get", userid="zhangwei")["errcode"] == 0
    assert contacts_api.emu.contract_warnings() == []


def test_strict_mode_rejects_with_40058_and_field_prefix_and_changes_nothing(emu: Emulator) -> None:
    emu.set_strict(True)
    api = Api(emu, "contacts")
    body = api.post("user/create", {**TOLERATED, "department": [2]})
    assert body["errcode"] == 40058
    assert body["errmsg"].startswith("gender invalid. invalid Request Parameter")
    body = api.post("user/create", {**TOLERATED, "gender": "2", "alias": 5})
    assert body["errcode"] == 40058
    assert body["errmsg"].startswith("Warning: wrong json format. alias expect string.")
    # the field's own errcode: a bad department list is 40066 (invalid party)
    assert api.post("user/create", TOLERATED)["errcode"] == 40066
    assert api.get("user/get", userid="wangfang2")["errcode"] == 60111


def test_strict_mode_uses_the_fields_own_errcode(emu: Emulator) -> None:
    emu.set_strict(True)
    api = Api(emu, "contacts")
    assert api.post("tag/create", {})["errcode"] == 41018  # missing tagname
    assert api.post("tag/create", {"tagname": "x" * 40})["errcode"] == 40072
    assert api.get("department/get", id="abc")["errcode"] == 60003


def test_strict_mode_is_reset_to_the_start_up_value(emu: Emulator) -> None:
    emu.set_strict(True)
    emu.reset()
    assert emu.strict is False
    assert Emulator(strict=True).strict is True


def test_strict_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(validation.STRICT_ENV, "1")
    emu = Emulator()
    emu.reset()
    assert emu.strict is True


@pytest.mark.wecom_strict
def test_strict_marker(wecom: Emulator) -> None:
    api = Api(wecom, "contacts")
    assert api.post("user/create", TOLERATED)["errcode"] == 40066


def test_strict_fixture(wecom_strict: Emulator) -> None:
    import requests

    token = wecom_strict.token("contacts")
    r = requests.post(
        "https://qyapi.weixin.qq.com/cgi-bin/user/create",
        params={"access_token": token},
        json=TOLERATED,
        timeout=5,
    )
    assert r.json()["errcode"] == 40066
    assert wecom_strict.contract_warnings()[0]["errcode"] == 40066


def test_bad_json_body_warns(contacts_api: Api) -> None:
    emu = contacts_api.emu
    resp = emu.handle(
        ApiRequest("POST", "/cgi-bin/tag/create", {"access_token": contacts_api.token}, b"{oops")
    )
    assert resp.errcode == 41018
    [entry] = emu.contract_warnings()
    assert "body is not a JSON object" in entry["warnings"][0]


def _ctx(emu: Emulator, name: str) -> Context:
    ctx = Context(emu, ApiRequest("GET", "/cgi-bin/" + name, {}))
    ctx.endpoint = default_registry().resolve("/cgi-bin/" + name)
    return ctx


def test_conformance_flags_wrong_shape_and_undeclared_errcode(emu: Emulator) -> None:
    store = default_store()
    ep = default_registry().resolve("/cgi-bin/tag/list")
    assert ep is not None
    ok = ApiResponse({"errcode": 0, "errmsg": "ok", "taglist": []})
    assert validation.response_problems(store, ep, _ctx(emu, "tag/list"), ok) == []
    bad = ApiResponse({"errcode": 0, "errmsg": "ok", "taglist": [{"tagid": "1"}]})
    problems = validation.response_problems(store, ep, _ctx(emu, "tag/list"), bad)
    assert any("taglist[0]" in p for p in problems)
    undeclared = ApiResponse({"errcode": 60111, "errmsg": "x"})
    assert validation.response_problems(store, ep, _ctx(emu, "tag/list"), undeclared) == [
        "errcode 60111 is not declared for tag/list"
    ]
    ctx = _ctx(emu, "tag/list")
    ctx.fault = {"rule": "injected"}
    assert validation.response_problems(store, ep, ctx, undeclared) == []


def test_conformance_is_on_in_this_test_suite(emu: Emulator) -> None:
    assert validation.conformance_enabled()
    hooks = [h for h in emu.hooks.on_response if getattr(h, "__name__", "") == "conformance"]
    assert hooks, "pyproject's wecom_conformance = true turns the response check on"
    before = validation.OBSERVED.seq
    hooks[0](_ctx(emu, "tag/list"), ApiResponse({"errcode": 0, "errmsg": "ok"}))
    new = validation.OBSERVED.response_violations_since(before)
    assert new and "taglist" in new[0]["problems"][0]
    validation.OBSERVED.response_violations.clear()  # keep the guard of this test green


def test_conformance_off_by_default_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(validation.CONFORMANCE_ENV, raising=False)
    emu = Emulator()
    assert not any(getattr(h, "__name__", "") == "conformance" for h in emu.hooks.on_response)


def test_jsonschema_is_not_imported_by_the_hot_path() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mock_server.contracts.validation import ContractHooks\n"
        "from mock_server.contracts.schemas import default_store\n"
        "from mock_server.emulator import default_registry\n"
        "default_registry().endpoints()\n"
        "ep = default_registry().resolve('/cgi-bin/tag/list')\n"
        "default_store().check(ep, 'request')({})\n"
        "assert 'jsonschema' not in sys.modules, 'jsonschema imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_admin_api_flips_strict_mode_and_lists_warnings() -> None:
    import requests

    with ServerThread(Emulator(mode="server"), port=0) as server:
        admin = server.url + "/__admin/contracts"
        token = server.emulator.token("contacts")
        url = server.api_base + "/user/create"
        body = {**TOLERATED, "department": [2]}
        assert (
            requests.post(url, params={"access_token": token}, json=body, timeout=10).json()[
                "errcode"
            ]
            == 0
        )
        warnings = requests.get(admin + "/warnings", timeout=10).json()["warnings"]
        assert warnings[0]["endpoint"] == "user/create"
        assert (
            requests.post(admin + "/strict", json={"strict": "yes"}, timeout=10).status_code == 400
        )
        assert requests.post(admin + "/strict", json={"strict": True}, timeout=10).json() == {
            "strict": True
        }
        again = {**body, "userid": "wangfang3", "mobile": "13800000124"}
        assert (
            requests.post(url, params={"access_token": token}, json=again, timeout=10).json()[
                "errcode"
            ]
            == 40058
        )
        requests.post(server.url + "/__admin/reset", timeout=10)
        assert requests.get(admin + "/strict", timeout=10).json() == {"strict": False}


def test_a_get_schema_typed_with_ints_still_validates_query_strings(tmp_path) -> None:
    from mock_server.contracts.schemas import SchemaStore
    from mock_server.contracts.validation import request_instance

    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "department.get.request.json").write_text(
        '{"type": "object", "properties": {"id": {"type": "integer"}}}', encoding="utf-8"
    )
    store = SchemaStore(tmp_path)
    emu = Emulator()
    ctx = _ctx(emu, "department/get")
    ctx.request.query.update({"id": "7", "access_token": "t"})
    assert request_instance(ctx, store) == ("query", {"id": 7})
    assert ctx.endpoint is not None and store.is_valid(ctx.endpoint, "request", {"id": 7})
