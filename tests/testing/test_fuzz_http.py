"""A short run of the project's HTTP fuzzer (``make fuzz`` sends 100,000 requests).

Every registered endpoint and admin route gets malformed requests over a live loopback
server; every count the fuzzer reports must be 0.
"""

from __future__ import annotations

import pytest

from mock_server.core import progress
from mock_server.emulator import default_registry
from mock_server.testing import fuzz


def test_short_fuzz_run_finds_nothing() -> None:
    endpoints = len(default_registry().endpoints())
    total = max(2000, endpoints * 12)  # about ten malformed calls per endpoint
    counts = fuzz.run(total, seed=7, timeout=60)
    report = counts.report(counts.seconds)
    assert counts.requests == total
    assert counts.cgi >= endpoints * 10  # every endpoint, many times
    assert counts.admin >= 150
    assert counts.failures() == 0, report
    assert counts.checked_batches > 20 and counts.rejected > 100, report
    for kind in ("deep-nesting", "odd-unicode", "invalid-json", "odd-path", "multi-MB-body"):
        assert counts.kinds[kind] > 0, report


def test_fuzzer_shows_progress_when_enabled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "_ENABLED", True)  # as on a terminal without --quiet
    counts = fuzz.run(40, seed=3, progress=True)
    assert counts.requests == 40
    assert "fuzzing" in capsys.readouterr().err


def test_state_changed_names_where_a_rejected_request_wrote() -> None:
    """What ``--watch`` reports: a record created behind a refusal, by its place."""
    from mock_server.emulator import Emulator
    from mock_server.services.apps.models import settings_of

    emu = Emulator()
    before = fuzz.snapshot(emu)
    assert not fuzz.state_changed(emu, before)
    settings_of(emu.corp(), 424242)  # creates an empty settings record for no app
    assert fuzz.state_changed(emu, before)
    corpid = emu.corp().corpid
    paths = fuzz.changed_paths(fuzz._fingerprint_of(before), fuzz.data_fingerprint(emu))
    assert paths == [f"/{corpid}/stores/apps/settings/424242"]


def test_changed_paths_lists_and_limits() -> None:
    assert fuzz.changed_paths({"a": [1, 2]}, {"a": [1, 3]}) == ["/a/1"]
    assert fuzz.changed_paths({"a": [1]}, {"a": [1, 2]}) == ["/a (length 1 -> 2)"]
    assert fuzz.changed_paths({"a": 1}, {"a": 1}) == []
    many = fuzz.changed_paths({str(i): i for i in range(20)}, {str(i): -i - 1 for i in range(20)})
    assert len(many) == 8


@pytest.mark.parametrize("window", ["5", "a:b", "0:3", "9:3"])
def test_watch_needs_request_numbers(window: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        fuzz.main(["--watch", window, "-q"])
    assert exc.value.code == 2
    assert "--watch" in capsys.readouterr().err


def test_an_admin_only_run_checked_one_by_one_finds_nothing() -> None:
    counts = fuzz.run(60, seed=1, watch=range(41, 61), admin_only=True)
    assert counts.requests == 60 and counts.admin == 60
    assert counts.failures() == 0 and counts.culprits == [], counts.report(counts.seconds)
