"""Scenarios: a YAML file of fixture + settings + fault rules + clock steps + expectations.

``run_scenario`` serves the scenario on a free loopback port, runs the client command with
``WECOM_API_BASE`` pointing at it, then checks the expectations against the journal.
The format is described by ``scenarios/schema.json`` and the README's fault section.
"""

from __future__ import annotations

import fnmatch
import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mock_server.core.resources import scenarios_dir

EXPECTATION_KINDS = ("count", "sequence", "unique", "deliveries")
ENTRY_FILTERS = ("path", "method", "errcode", "fault", "scope", "corpid", "agentid")


class ScenarioError(ValueError):
    """A scenario file that cannot be used: names the file and the reason."""


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (shipped as ``scenarios/schema.json``)."""
    return json.loads((scenarios_dir() / "schema.json").read_text(encoding="utf-8"))


def load_scenario(path: str | Path) -> dict[str, Any]:
    """Parse and validate a scenario file; relative fixture paths resolve next to it."""
    import jsonschema
    import yaml

    p = Path(path)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{p}: invalid YAML: {exc}") from None
    validator = jsonschema.Draft202012Validator(scenario_schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors) or errors[0]
        where = "/".join(str(x) for x in best.absolute_path) or "<root>"
        raise ScenarioError(f"{p}: at {where}: {best.message}")
    doc["__dir__"] = str(p.resolve().parent)
    return doc


def fixture_paths(doc: dict[str, Any], override: Sequence[str] | None) -> list[str] | None:
    if override:
        return list(override)
    names = doc.get("fixtures") or []
    out = []
    for name in names:
        if name == "demo":
            continue
        fp = Path(name)
        out.append(str(fp if fp.is_absolute() else Path(doc["__dir__"]) / fp))
    return out or None


def apply_scenario(
    emu: Any, doc: dict[str, Any], delay_scale: float | None = None, ports: Ports | None = None
) -> None:
    settings = doc.get("settings") or {}
    if delay_scale is not None:
        emu.settings["fault_delay_scale"] = delay_scale
    limits = settings.get("rate_limits")
    if isinstance(limits, bool):
        emu.set_rate_limits(limits)
    elif isinstance(limits, dict):
        emu.set_rate_limits(
            limits.get("enabled", True),
            limits.get("limits"),
            builtin=limits.get("builtin", True),
            gettoken_failures_per_hour=limits.get("gettoken_failures_per_hour"),
            concurrent_per_api=limits.get("concurrent_per_api"),
        )
    for entry in settings.get("trusted_ips") or []:
        emu.set_trusted_ips(
            entry["ips"], agentid=entry.get("agentid"), scope=entry.get("scope", "app")
        )
    rules = [dict(r) for r in doc.get("faults") or []]
    for i, step in enumerate(doc.get("clock") or [], 1):
        after = step.get("after")
        if after is None:
            emu.advance(step["advance"])
            continue
        rules.append(
            {
                "name": step.get("name", f"clock step {i}"),
                "path": after["path"],
                "nth": after.get("calls", 1),
                "stage": "after",
                "advance_clock": step["advance"],
            }
        )
    emu.add_faults(rules)
    apply_callbacks(emu, doc, ports)


# -- callback receivers -----------------------------------------------------------------------
PORT_PLACEHOLDERS = ("{receiver_port}", "{dead_port}")


class Ports:
    """Loopback ports a scenario's receiver URLs name.

    ``{receiver_port}``: a free port for the client's own receiver (the client listens on it,
    told by ``WECOM_CALLBACK_PORT``). ``{dead_port}``: a port held bound but not listening for
    the whole run, so every delivery meets a refused connection (a receiver that is down).
    """

    def __init__(self) -> None:
        self.receiver: int | None = None
        self._dead: socket.socket | None = None

    def substitute(self, url: str) -> str:
        if "{receiver_port}" in url:
            if self.receiver is None:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", 0))
                    self.receiver = s.getsockname()[1]
            url = url.replace("{receiver_port}", str(self.receiver))
        if "{dead_port}" in url:
            if self._dead is None:
                self._dead = socket.socket()
                self._dead.bind(("127.0.0.1", 0))  # bound, never listening: refused
            url = url.replace("{dead_port}", str(self._dead.getsockname()[1]))
        return url

    def close(self) -> None:
        if self._dead is not None:
            self._dead.close()
            self._dead = None


def apply_callbacks(emu: Any, doc: dict[str, Any], ports: Ports | None = None) -> Ports:
    """Save the scenario's callback receivers (no URL verification: the client's receiver
    starts after the server) and the delivery settings."""
    ports = ports or Ports()
    block = doc.get("callbacks") or {}
    if block.get("settings"):
        emu.configure_callbacks(**block["settings"])
    for rcv in block.get("receivers") or []:
        emu.set_callback(
            rcv["app"],
            ports.substitute(rcv["url"]),
            rcv["token"],
            rcv["encoding_aes_key"],
            verify=False,
            corpid=rcv.get("corpid"),
        )
    return ports


def client_env(emu: Any, doc: dict[str, Any], api_base: str, admin_url: str) -> dict[str, str]:
    """What the client command gets: the API base and the credentials of the scenario's client."""
    client = doc.get("client") or {}
    corp = emu.corp(client.get("corpid"))
    scope = client.get("scope", "app")
    env = {
        "WECOM_API_BASE": api_base,
        "WECOM_ADMIN_URL": admin_url,
        "WECOM_CORPID": corp.corpid,
    }
    if scope == "app":
        agentid = client.get("agentid") or next(iter(corp.agents))
        env["WECOM_AGENTID"] = str(agentid)
        env["WECOM_SECRET"] = corp.agents[agentid].secret
    else:
        env["WECOM_SECRET"] = corp.secrets[scope]
    for name, secret in corp.secrets.items():
        env[f"WECOM_{name.upper()}_SECRET"] = secret
    receivers = (doc.get("callbacks") or {}).get("receivers") or []
    if receivers:  # the first receiver's credentials, to check and decrypt what arrives
        env["WECOM_CALLBACK_TOKEN"] = receivers[0]["token"]
        env["WECOM_CALLBACK_AES_KEY"] = receivers[0]["encoding_aes_key"]
    return env


# -- expectations ---------------------------------------------------------------------------
def _entry_matches(entry: dict[str, Any], flt: dict[str, Any]) -> bool:
    for key, want in flt.items():
        if key == "path":
            name = entry.get("endpoint") or entry["path"].removeprefix("/cgi-bin/")
            pattern = want.removeprefix("/cgi-bin/").lstrip("/")
            if not fnmatch.fnmatchcase(name, pattern):
                return False
        elif key == "method":
            if entry["method"] != str(want).upper():
                return False
        elif key == "fault":
            fault = entry.get("fault")
            if isinstance(want, bool):
                if bool(fault) != want:
                    return False
            elif not fault or want not in (fault.get("id"), fault.get("kind"), fault.get("name")):
                return False
        elif key == "errcode" and isinstance(want, list):
            if entry.get("errcode") not in want:
                return False
        elif entry.get(key) != want:
            return False
    return True


def _describe_filter(flt: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in flt.items()) or "any call"


def _dig(entry: dict[str, Any], dotted: str) -> Any:
    cur: Any = entry
    for part in dotted.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.isdecimal() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    return cur


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str


def _delivery_matches(rec: dict[str, Any], flt: dict[str, Any]) -> bool:
    for key, want in flt.items():
        if key == "attempts":
            n = len(rec["attempts"])
            if isinstance(want, int):
                if n != want:
                    return False
            elif n < want.get("min", 0) or ("max" in want and n > want["max"]):
                return False
        elif key in ("app", "agentid"):
            if str(rec.get("app")) != str(want):
                return False
        elif rec.get(key) != want:
            return False
    return True


def evaluate(
    expectation: dict[str, Any],
    entries: list[dict[str, Any]],
    deliveries: list[dict[str, Any]] | None = None,
) -> Outcome:
    """Check one expectation against the journal (oldest entry first) or, for
    ``deliveries``, against the callback delivery log."""
    if "deliveries" in expectation:
        spec = dict(expectation["deliveries"])
        bounds = {k: spec.pop(k) for k in ("min", "max", "equals") if k in spec}
        if not bounds:
            bounds = {"min": 1}
        rows = [r for r in deliveries or [] if _delivery_matches(r, spec)]
        n = len(rows)
        ok = (
            n >= bounds.get("min", 0)
            and ("max" not in bounds or n <= bounds["max"])
            and ("equals" not in bounds or n == bounds["equals"])
        )
        want = ", ".join(f"{k} {v}" for k, v in bounds.items())
        name = expectation.get("name") or f"deliveries with {_describe_filter(spec)}: {want}"
        logged = "; ".join(
            f"{r['event']} to {r['app']}: {r['outcome']} after {len(r['attempts'])} attempt(s)"
            for r in (deliveries or [])[-3:]
        )
        return Outcome(
            name, ok, f"{n} delivery(ies) matched ({want})" + (f" [{logged}]" if logged else "")
        )
    if "count" in expectation:
        spec = dict(expectation["count"])
        bounds = {k: spec.pop(k) for k in ("min", "max", "equals") if k in spec}
        n = sum(1 for e in entries if _entry_matches(e, spec))
        ok = (
            n >= bounds.get("min", 0)
            and ("max" not in bounds or n <= bounds["max"])
            and ("equals" not in bounds or n == bounds["equals"])
        )
        want = ", ".join(f"{k} {v}" for k, v in bounds.items()) or "any"
        name = expectation.get("name") or f"calls with {_describe_filter(spec)}: {want}"
        return Outcome(name, ok, f"{n} call(s) matched ({want})")
    if "sequence" in expectation:
        steps = expectation["sequence"]
        i = 0
        for e in entries:
            if i < len(steps) and _entry_matches(e, steps[i]):
                i += 1
        name = expectation.get("name") or "in order: " + " -> ".join(
            _describe_filter(s) for s in steps
        )
        detail = (
            "all steps seen in order"
            if i == len(steps)
            else (f"stopped before step {i + 1}: {_describe_filter(steps[i])}")
        )
        return Outcome(name, i == len(steps), detail)
    spec = dict(expectation["unique"])
    by = spec.pop("by")
    seen: dict[str, int] = {}
    dupes = []
    for e in entries:
        if not _entry_matches(e, spec):
            continue
        key = json.dumps([_dig(e, b) for b in by], ensure_ascii=False, sort_keys=True)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            dupes.append(key)
    name = expectation.get("name") or f"no two calls with {_describe_filter(spec)} share {by}"
    detail = "no duplicates" if not dupes else f"duplicated: {', '.join(dupes[:3])}"
    return Outcome(name, not dupes, detail)


@dataclass
class ScenarioResult:
    name: str
    exit_code: int | None
    exit_ok: bool
    outcomes: list[Outcome] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    error: str | None = None
    exit_expected: Any = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.exit_ok and all(o.ok for o in self.outcomes)

    def report(self) -> str:
        lines = [f"scenario {self.name}: {'PASSED' if self.ok else 'FAILED'}"]
        if self.error:
            lines.append(f"  error: {self.error}")
        mark = "ok  " if self.exit_ok else "FAIL"
        lines.append(
            f"  [{mark}] command exit code {self.exit_code} (expected {self.exit_expected})"
        )
        for o in self.outcomes:
            lines.append(f"  [{'ok  ' if o.ok else 'FAIL'}] {o.name} — {o.detail}")
        lines.append(f"  {self.calls} API call(s) journaled")
        for f in self.faults:
            lines.append(
                f"  fault {f['id']} ({f.get('name') or f['kind']} on {f.get('path', '*')}): "
                f"triggered {f['triggered']}x"
            )
        return "\n".join(lines)
