"""Fixture loading: the demo company, the schema, and bad fixtures named by file, path, reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server import Emulator
from mock_server.core.fixtures import FixtureError, fixture_schema
from mock_server.core.resources import demo_fixture

GOOD = """\
corpid: wwtest00000001
name: 测试公司
secrets:
  contacts: TEST-contacts-not-real
agents:
- agentid: 1000010
  name: app
  secret: TEST-app-not-real
  allow_party: [1]
contacts:
  departments:
  - {id: 2, name: 研发, parentid: 1}
  users:
  - {userid: a1, name: 甲, department: [2], mobile: "13900000001"}
"""


def write(tmp_path: Path, text: str, name: str = "corp.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_demo_fixture_is_a_believable_company() -> None:
    emu = Emulator()
    store = emu.corp().store("contacts")
    assert len(store.departments) >= 5
    assert len(store.users) == 30
    assert all(u.mobile and u.email for u in store.users.values())
    assert any(any(u.is_leader_in_dept) for u in store.users.values())
    assert store.tags
    assert demo_fixture().is_file()


def test_load_yaml_file(tmp_path: Path) -> None:
    emu = Emulator([write(tmp_path, GOOD)])
    assert list(emu.corps) == ["wwtest00000001"]
    token = emu.token("app", 1000010)
    body = emu.call("GET", "user/get", params={"access_token": token, "userid": "a1"})
    assert body["name"] == "甲"


def test_several_corps(tmp_path: Path) -> None:
    emu = Emulator([write(tmp_path, GOOD), demo_fixture()])
    assert set(emu.corps) == {"wwtest00000001", "wwdemo0000000000001"}
    # A token of one corp does not read the other's members.
    token = emu.token("contacts", corpid="wwtest00000001")
    assert (
        emu.call("GET", "user/get", params={"access_token": token, "userid": "lisi"})["errcode"]
        == 60111
    )


def test_schema_error_names_file_path_reason(tmp_path: Path) -> None:
    bad = GOOD.replace("department: [2]", "department: [two]")
    p = write(tmp_path, bad)
    with pytest.raises(FixtureError) as exc:
        Emulator([p])
    assert exc.value.source == str(p)
    assert exc.value.path == "contacts.users[0].department[0]"
    assert "integer" in exc.value.reason
    assert str(p) in str(exc.value) and "contacts.users[0].department[0]" in str(exc.value)


def test_unknown_key_is_reported(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD + "bogus: 1\n")
    with pytest.raises(FixtureError) as exc:
        Emulator([p])
    assert "bogus" in exc.value.reason


def test_domain_error_names_the_entry(tmp_path: Path) -> None:
    bad = GOOD.replace("department: [2]", "department: [9]")
    with pytest.raises(FixtureError) as exc:
        Emulator([write(tmp_path, bad)])
    assert exc.value.path == "contacts.users[0]"
    assert "60123" in exc.value.reason


def test_invalid_yaml_has_line(tmp_path: Path) -> None:
    with pytest.raises(FixtureError) as exc:
        Emulator([write(tmp_path, "corpid: [unclosed\n")])
    assert exc.value.path.startswith("line ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FixtureError) as exc:
        Emulator([tmp_path / "nope.yaml"])
    assert "cannot read" in exc.value.reason


def test_same_corp_twice(tmp_path: Path) -> None:
    p = write(tmp_path, GOOD)
    with pytest.raises(FixtureError) as exc:
        Emulator([p, p])
    assert exc.value.path == "corpid"


def test_schema_is_valid_json_schema() -> None:
    import jsonschema

    schema = fixture_schema(Emulator().fixture_sections)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "contacts" in schema["properties"]


def test_cli_validate_and_schema(tmp_path: Path) -> None:
    good = write(tmp_path, GOOD)
    bad = write(tmp_path, GOOD.replace("agentid: 1000010", "agentid: -5"), "bad.yaml")
    cli = [sys.executable, "-m", "mock_server.cli"]
    ok = subprocess.run([*cli, "fixture", "validate", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    ko = subprocess.run([*cli, "fixture", "validate", str(bad)], capture_output=True, text=True)
    assert ko.returncode != 0
    assert "bad.yaml" in ko.stderr + ko.stdout and "agents[0].agentid" in ko.stderr + ko.stdout
    schema = subprocess.run([*cli, "fixture", "schema"], capture_output=True, text=True)
    assert json.loads(schema.stdout)["title"] == "wecom-mock corp fixture"


def test_large_fixture_parse_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from mock_server.cli.fixture import generate
    from mock_server.core import fixtures

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(fixtures, "CACHE_MIN_BYTES", 1000)
    p = write(tmp_path, yaml.safe_dump(generate(50, 3, 1), allow_unicode=True))
    first = Emulator([p])
    assert len(list((tmp_path / "cache" / "wecom-mock").glob("fixture-*.json"))) == 1

    def no_yaml(*_a: object, **_k: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml, "load", no_yaml)  # imported on first parse
    second = Emulator([p])
    assert second.state_fingerprint() == first.state_fingerprint()
    # Edited file: another hash, parsed afresh.
    p.write_text(p.read_text(encoding="utf-8").replace("生成科技", "改名科技"), encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed again"):
        Emulator([p])


def test_json_syntax_fixture(tmp_path: Path) -> None:
    from mock_server.cli.fixture import generate

    p = write(tmp_path, json.dumps(generate(20, 2, 1), ensure_ascii=False), "corp.json")
    emu = Emulator([p])
    assert len(emu.corp().store("contacts").users) == 20
