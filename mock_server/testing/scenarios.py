"""Running a fault scenario: serve it, run a client command against it, evaluate.

The scenario format, its rules and its evaluation are the faults plugin's
(``mock_server.faults.scenarios``); this module adds the emulator and the live server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mock_server.core.fixtures import FixtureError
from mock_server.emulator import Emulator
from mock_server.faults.scenarios import (
    Ports,
    ScenarioError,
    ScenarioResult,
    apply_scenario,
    client_env,
    evaluate,
    fixture_paths,
    load_scenario,
)
from mock_server.web.server import ServerThread


def build_emulator(
    doc: dict[str, Any],
    fixtures: Sequence[str] | None = None,
    delay_scale: float | None = None,
    ports: Ports | None = None,
) -> Emulator:
    """An emulator (server mode) set up as the scenario says: settings, faults, clock steps,
    callback receivers. Without ``ports`` the receiver ports are released at once (enough
    to validate a scenario, not to run one)."""
    emu = Emulator(fixture_paths(doc, fixtures), seed=doc.get("seed", 0), mode="server")
    own = ports is None
    used = ports or Ports()
    try:
        apply_scenario(emu, doc, delay_scale, used)
    except BaseException:
        emu.close()
        raise
    finally:
        if own:
            used.close()
    return emu


def _exit_ok(want: Any, code: int | None) -> bool:
    if code is None:
        return False
    if want == "any":
        return True
    if want == "nonzero":
        return code != 0
    return bool(code == int(want))


def run_scenario(
    path: str | Path,
    command: Sequence[str],
    *,
    fixtures: Sequence[str] | None = None,
    delay_scale: float | None = None,
    timeout: float = 300.0,
) -> ScenarioResult:
    """Serve the scenario, run ``command`` against it, evaluate; never raises for a failing
    client (its failure is in the result)."""
    doc = load_scenario(path)
    ports = Ports()
    try:
        emu = build_emulator(doc, fixtures, delay_scale, ports)
    except FixtureError:
        ports.close()
        raise
    except (ValueError, KeyError) as exc:  # a bad rule, limit, agentid, scope or receiver
        ports.close()
        raise ScenarioError(f"{path}: {exc}") from None
    server = ServerThread(emu, port=0).start()
    result = ScenarioResult(doc["name"], None, False)
    try:
        env = dict(os.environ)
        env.update(client_env(emu, doc, server.api_base, server.url + "/__admin"))
        if ports.receiver is not None:
            env["WECOM_CALLBACK_PORT"] = str(ports.receiver)
        try:
            proc = subprocess.run(list(command), env=env, timeout=timeout, check=False)
            result.exit_code = proc.returncode
        except subprocess.TimeoutExpired:
            result.error = f"command did not finish in {timeout:g} s"
        except OSError as exc:
            result.error = f"cannot run command: {exc}"
        if doc.get("callbacks") and not emu.flush_callbacks(timeout):
            result.error = f"callback deliveries still queued after {timeout:g} s"
    finally:
        server.stop()
        ports.close()
    result.exit_expected = doc.get("exit_code", 0)
    result.exit_ok = _exit_ok(result.exit_expected, result.exit_code)
    entries = emu.journal.entries()
    result.calls = len(entries)
    deliveries = emu.callback_deliveries() if doc.get("callbacks") else []
    result.outcomes = [evaluate(e, entries, deliveries) for e in doc.get("expect") or []]
    result.faults = emu.faults()
    return result


def main_run(
    path: str,
    command: Sequence[str],
    fixtures: Sequence[str] | None,
    delay_scale: float | None,
    timeout: float,
) -> int:
    try:
        result = run_scenario(
            path, command, fixtures=fixtures, delay_scale=delay_scale, timeout=timeout
        )
    except ScenarioError as exc:
        print(f"wecom-mock: bad scenario: {exc}", file=sys.stderr)
        return 2
    print(result.report(), flush=True)
    return 0 if result.ok else 1
