"""A fixture file validated once starts later processes without parsing or validating it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server import Emulator
from mock_server.core import fixtures
from mock_server.core.resources import demo_fixture


def test_validated_fixture_is_reused_and_an_edit_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    p = tmp_path / "corp.yaml"
    p.write_text(demo_fixture().read_text(encoding="utf-8"), encoding="utf-8")
    first = Emulator([p])
    assert len(list((tmp_path / "cache" / "wecom-mock").glob("validated-*.json"))) == 1

    fixtures._DOC_CACHE.clear()  # a fresh process has no in-memory copy

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("parsed or validated again")

    monkeypatch.setattr(fixtures, "load_yaml", refuse)
    monkeypatch.setattr(fixtures, "validate_doc", refuse)
    assert Emulator([p]).state_fingerprint() == first.state_fingerprint()

    # An edited file is another text: parsed and validated afresh (a bad edit is reported).
    p.write_text(p.read_text(encoding="utf-8").replace("corpid: ", "corpid: x", 1), "utf-8")
    fixtures._DOC_CACHE.clear()
    with pytest.raises(AssertionError, match="again"):
        Emulator([p])


def test_cache_off_and_small_files_are_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("WECOM_MOCK_CACHE", "0")
    p = tmp_path / "corp.yaml"
    p.write_text(demo_fixture().read_text(encoding="utf-8"), encoding="utf-8")
    Emulator([p])
    monkeypatch.delenv("WECOM_MOCK_CACHE")
    small = tmp_path / "small.yaml"
    small.write_text("corpid: wwsmall0000001\n", encoding="utf-8")
    Emulator([small])
    assert not list((tmp_path / "cache").rglob("validated-*.json"))
