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
