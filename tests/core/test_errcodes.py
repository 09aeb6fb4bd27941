"""The errcode table: generated rows in one file, hand-maintained rows (with their source) in
another that regeneration never touches."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from mock_server import Emulator
from mock_server.core import errors
from tests.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "mock_server" / "data"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_errcodes", ROOT / "tools/gen_errcodes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference_of(generated: dict[str, Any]) -> dict[str, Any]:
    """The reference YAML that generates ``generated`` (its rows back in reference shape)."""
    rows = [{"code": int(k), **v} for k, v in generated["errcodes"].items()]
    return {"errcodes": rows, "crypto_library_codes": list(generated["crypto"].values())}


def test_regeneration_reproduces_the_generated_file_and_keeps_the_hand_rows(
    tmp_path: Path,
) -> None:
    committed = (DATA / "errcodes.json").read_text(encoding="utf-8")
    hand = (DATA / "errcodes_extra.json").read_text(encoding="utf-8")
    shutil.copy(DATA / "errcodes_extra.json", tmp_path)
    reference = _reference_of(json.loads(committed))
    # A hand-added code that the reference starts to carry is reported, not silently doubled.
    reference["errcodes"].append({**reference["errcodes"][0], "code": 92006})
    src = tmp_path / "errcodes.yaml"
    src.write_text(yaml.safe_dump(reference, allow_unicode=True, sort_keys=False), encoding="utf-8")

    both = _generator().generate(src, tmp_path)

    assert both == ["92006"]
    assert (tmp_path / "errcodes_extra.json").read_text(encoding="utf-8") == hand
    reference["errcodes"].pop()
    src.write_text(yaml.safe_dump(reference, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert _generator().generate(src, tmp_path) == []
    # errcodes.json holds nothing but generated rows (no edit by hand survives in it).
    assert (tmp_path / "errcodes.json").read_text(encoding="utf-8") == committed


def test_every_hand_row_has_a_source_and_lives_in_one_place() -> None:
    generated = json.loads((DATA / "errcodes.json").read_text(encoding="utf-8"))["errcodes"]
    extra = json.loads((DATA / "errcodes_extra.json").read_text(encoding="utf-8"))
    assert extra["errcodes"] and extra["overrides"]
    assert not set(extra["errcodes"]) & set(generated)
    for code, row in extra["errcodes"].items():
        assert row["source"] and isinstance(row["confirmed"], bool), code
        assert row["errmsg_zh"] and row["meaning_en"], code
        assert errors.errcode_table()[int(code)]["errmsg_zh"] == row["errmsg_zh"]
    for code, fields in extra["overrides"].items():
        assert code in generated and fields.pop("source"), code
        assert fields and set(fields) <= set(generated[code]), code
        row = errors.errcode_table()[int(code)]
        assert all(row[f] == v for f, v in fields.items()), code


def test_overrides_and_hand_added_codes_reach_the_answers() -> None:
    assert errors.english_text(60011) == "no privilege to access/modify contact/party/agent"
    assert errors.english_text(41051) == "externaluser has started chatting"
    # 46003 exists only in the hand-maintained rows: its text comes from there.
    assert errors.errcode_table()[46003]["errmsg_zh"] == "菜单未设置"
    body = Api(Emulator(), "app", 1000003).get("menu/get", agentid=1000003)
    assert body["errcode"] == 46003 and body["errmsg"].startswith("menu not set, hint: [")


def test_the_admin_table_lists_hand_added_codes() -> None:
    from tests.web.test_dashboard_routes import client

    c = client(Emulator(mode="server"))
    row = c.get("/__admin/errcodes?errcode=92006").get_json()["92006"]
    assert row["errmsg_zh"] == "该直播已经开始或取消" and row["confirmed"] is True
    assert "40016" in c.get("/__admin/errcodes").get_json()["errcodes"]
