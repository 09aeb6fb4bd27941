"""pytest plugin (entry point ``wecom_contracts``): strict mode, conformance, errcode coverage.

* ``--wecom-strict``: every emulator of the run starts in strict mode (contract warnings
  become the errcode the real API would give); ``@pytest.mark.wecom_strict`` or the
  ``wecom_strict`` fixture for one test.
* ``--wecom-contract-report FILE``: every request that broke its schema (what *your client*
  sent wrong), as JSON and a summary line per endpoint.
* ``--wecom-errcode-coverage [FILE]``: endpoint x errcode pairs exercised vs declared
  (text table + JSON, default ``wecom-errcode-coverage.json``).
* ini ``wecom_conformance = true``: every handler response is checked against its schema and
  the test that saw a non-conforming one fails (the emulator's own suite turns this on).

Works under pytest-xdist: workers write their observations next to the report, the controller
merges them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_server.contracts import validation

DEFAULT_COVERAGE_FILE = "wecom-errcode-coverage.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wecom", "wecom-mock emulator")
    group.addoption(
        "--wecom-strict",
        action="store_true",
        default=False,
        help="strict contract mode: a request that breaks its schema gets the real errcode",
    )
    group.addoption(
        "--wecom-errcode-coverage",
        nargs="?",
        const=DEFAULT_COVERAGE_FILE,
        default=None,
        metavar="FILE",
        help=f"report endpoint x errcode pairs exercised vs declared (JSON, default {DEFAULT_COVERAGE_FILE})",
    )
    group.addoption(
        "--wecom-contract-report",
        default=None,
        metavar="FILE",
        help="write every request that broke its schema (your client's contract violations)",
    )
    parser.addini(
        "wecom_conformance",
        type="bool",
        default=False,
        help="check every emulator response against its schema; a violation fails the test",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--wecom-strict"):
        os.environ[validation.STRICT_ENV] = "1"
    if config.getini("wecom_conformance"):
        os.environ.setdefault(validation.CONFORMANCE_ENV, "1")
    if config.getoption("--wecom-errcode-coverage"):
        validation.RECORD_ERRCODES = True


@pytest.fixture
def wecom_strict(wecom: Any) -> Any:
    """The ``wecom`` emulator in strict mode for this test."""
    wecom.set_strict(True)
    return wecom


@pytest.fixture(autouse=True)
def _wecom_conformance_guard() -> Iterator[None]:
    """Fail the test during which an emulator answered outside its response schema."""
    if not validation.conformance_enabled():
        yield
        return
    seq = validation.OBSERVED.seq
    yield
    new = validation.OBSERVED.response_violations_since(seq)
    if new:
        lines = [
            f"{v['endpoint']} (errcode {v['errcode']}): {'; '.join(v['problems'])}"
            for v in new[:10]
        ]
        pytest.fail(
            "response(s) not conforming to the schema:\n  " + "\n  ".join(lines), pytrace=False
        )


def _targets(config: pytest.Config) -> list[Path]:
    out = []
    for opt in ("--wecom-errcode-coverage", "--wecom-contract-report"):
        value = config.getoption(opt)
        if value:
            out.append(Path(value))
    return out


def _own_part() -> dict[str, Any]:
    obs = validation.OBSERVED
    return {
        "errcodes": [[p, c, n] for (p, c), n in obs.errcodes.items()],
        "request_violations": list(obs.request_violations),
    }


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    worker = getattr(config, "workerinput", None)
    if worker is None or not _targets(config):
        return
    part = _targets(config)[0].with_name(
        _targets(config)[0].name + f".part-{worker.get('workerid', 'w')}"
    )
    part.write_text(json.dumps(_own_part(), ensure_ascii=False), encoding="utf-8")


def _gather(config: pytest.Config) -> dict[str, Any]:
    parts = [_own_part()]
    anchor = _targets(config)[0]
    for f in sorted(anchor.parent.glob(anchor.name + ".part-*")):
        try:
            parts.append(json.loads(f.read_text(encoding="utf-8")))
        finally:
            f.unlink(missing_ok=True)
    return {
        "errcodes": [row for p in parts for row in p["errcodes"]],
        "request_violations": [v for p in parts for v in p["request_violations"]],
    }


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is not None or not _targets(config):
        return
    from mock_server.contracts import coverage

    data = _gather(config)
    cov_file = config.getoption("--wecom-errcode-coverage")
    if cov_file:
        from mock_server.emulator import default_registry

        report = coverage.compute(coverage.merge_counts([data["errcodes"]]), default_registry())
        coverage.write_json(report, cov_file)
        terminalreporter.write_sep("-", "wecom errcode coverage")
        terminalreporter.write_line(coverage.render_text(report))
        terminalreporter.write_line(f"JSON: {cov_file}")
    report_file = config.getoption("--wecom-contract-report")
    if report_file:
        violations = data["request_violations"]
        by_endpoint: dict[str, int] = {}
        for v in violations:
            by_endpoint[v["endpoint"]] = by_endpoint.get(v["endpoint"], 0) + 1
        Path(report_file).write_text(
            json.dumps({"violations": violations, "by_endpoint": by_endpoint}, indent=2) + "\n",
            encoding="utf-8",
        )
        terminalreporter.write_sep("-", "wecom contract violations (requests)")
        for name, n in sorted(by_endpoint.items()):
            terminalreporter.write_line(f"{name:<44} {n}")
        terminalreporter.write_line(
            f"{len(violations)} request(s) broke their schema: {report_file}"
        )
