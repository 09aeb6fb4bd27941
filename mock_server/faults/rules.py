"""Fault rules: match + trigger + action, kept in an index so inactive rules cost ~nothing.

A rule is plain data built from a dict (the admin API body, a scenario's ``faults:`` entry or
the keyword arguments of ``Emulator.fault``)::

    {"path": "message/send", "errcode": -1, "times": 2}
    {"path": "user/*", "method": "GET", "corpid": "ww...", "delay": [0.1, 0.5], "every": 3}
    {"path": "gettoken", "fault": "reset", "probability": 0.2, "seed": 7}

Matching happens once per request: rules are indexed by exact path, globs are compiled once
and their result per path is cached, so 100 rules for other endpoints cost one dict lookup.
"""

from __future__ import annotations

import fnmatch
import random
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.pipeline import SOCKET_FAULTS
from mock_server.core.registry import SCOPES

TRANSPORT_FAULTS = (*SOCKET_FAULTS, "malformed")
STAGES = ("before", "after")

MATCH_KEYS = ("path", "method", "corpid", "agentid", "scope", "when")
TRIGGER_KEYS = ("times", "first", "nth", "every", "probability", "seed", "window")
ACTION_KEYS = (
    "errcode",
    "errmsg",
    "status",
    "response",
    "delay",
    "fault",
    "invalidate_token",
    "rotate_secret",
    "advance_clock",
    "stage",
)
RULE_KEYS = ("id", "name", *MATCH_KEYS, *TRIGGER_KEYS, *ACTION_KEYS)
PREDICATE_OPS = ("eq", "ne", "in", "contains", "exists")


class RuleError(ValueError):
    """A fault rule that cannot be built (unknown key, wrong type): says which and why."""


def normalize_path(path: str) -> str:
    """``message/send``, ``/message/send`` and ``/cgi-bin/message/send`` are the same."""
    path = path.strip()
    if path.startswith("/cgi-bin/"):
        return path
    return "/cgi-bin/" + path.lstrip("/")


def _is_glob(path: str) -> bool:
    return any(c in path for c in "*?[")


# A delay holds a server thread: longer ones would starve the server (and its admin API).
MAX_DELAY = 30.0
# Clock jumps and windows beyond this are surely mistakes (and overflow datetime maths).
MAX_SECONDS = 10 * 365 * 24 * 3600.0


def _number(
    value: Any, key: str, *, minimum: float = 0.0, maximum: float = MAX_SECONDS * 100
) -> float:
    """A finite number in [minimum, maximum] (NaN and Infinity refused)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not minimum <= value <= maximum
    ):
        raise RuleError(f"{key} must be a number between {minimum:g} and {maximum:g}")
    return float(value)


def _int(value: Any, key: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleError(f"{key} must be an integer >= {minimum}")
    return value


def _lookup(body: Any, dotted: str) -> tuple[bool, Any]:
    cur = body
    for part in dotted.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdecimal() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return False, None
    return True, cur


def _check_predicate(when: Any) -> dict[str, Any]:
    if not isinstance(when, dict) or not when:
        raise RuleError("when must be a non-empty object of body field -> value or {op: value}")
    for name, cond in when.items():
        if isinstance(cond, dict):
            bad = set(cond) - set(PREDICATE_OPS)
            if bad or len(cond) != 1:
                raise RuleError(
                    f"when.{name}: use exactly one of {', '.join(PREDICATE_OPS)} (got {sorted(cond)})"
                )
            if "in" in cond and not isinstance(cond["in"], list):
                raise RuleError(f"when.{name}.in must be a list")
    return dict(when)


def _holds(op: str, found: bool, value: Any, want: Any) -> bool:
    if op == "exists":
        return found == bool(want)
    if not found:
        return False
    if op == "eq":
        return bool(value == want)
    if op == "ne":
        return bool(value != want)
    if op == "in":
        return value in want
    # contains: a substring of a string or an element of a list
    if isinstance(value, str):
        return str(want) in value
    return isinstance(value, list) and want in value


def predicate_matches(when: dict[str, Any], body: Any) -> bool:
    """Every field condition holds on the request's JSON body (dotted paths, ``a.b.0``)."""
    for name, cond in when.items():
        found, value = _lookup(body, name)
        op, want = next(iter(cond.items())) if isinstance(cond, dict) else ("eq", cond)
        if not _holds(op, found, value, want):
            return False
    return True


@dataclass(slots=True)
class FaultRule:
    """One rule. Counters (``seen``, ``triggered``) live on it; the engine's lock guards them."""

    id: str
    path: str = "*"
    name: str = ""
    method: str | None = None
    corpid: str | None = None
    agentid: int | None = None
    scope: str | None = None
    when: dict[str, Any] | None = None
    # trigger
    times: int | None = None
    nth: int | None = None
    every: int | None = None
    probability: float | None = None
    seed: int = 0
    window: tuple[float, float] | None = None  # emulator-clock seconds after creation
    # action
    errcode: int | None = None
    errmsg: str | None = None
    status: int | None = None
    response: Any = None
    delay: float | tuple[float, float] | None = None
    fault: str | None = None
    invalidate_token: bool = False
    rotate_secret: bool = False
    advance_clock: float | None = None
    stage: str = "before"
    # state
    created_at: float = 0.0
    seen: int = 0
    triggered: int = 0
    spec: dict[str, Any] = field(default_factory=dict)
    _rng: random.Random | None = field(default=None, repr=False)

    # -- building --------------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: dict[str, Any], rule_id: str, now: float) -> FaultRule:
        """Validate a rule spec; raises ``RuleError`` naming the bad key."""
        if not isinstance(spec, dict):
            raise RuleError("a fault rule must be an object")
        unknown = sorted(set(spec) - set(RULE_KEYS))
        if unknown:
            raise RuleError(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(RULE_KEYS)}")
        r = cls(id=str(spec.get("id") or rule_id), created_at=now, spec=dict(spec))
        path = spec.get("path", "*")
        if not isinstance(path, str) or not path.strip():
            raise RuleError("path must be a non-empty string (exact or glob)")
        r.path = path.strip() if path.strip() == "*" else normalize_path(path)
        r.name = str(spec.get("name", ""))
        if spec.get("method") is not None:
            method = spec["method"]
            if not isinstance(method, str) or method.upper() not in ("GET", "POST"):
                raise RuleError("method must be GET or POST")
            r.method = method.upper()
        if spec.get("corpid") is not None:
            if not isinstance(spec["corpid"], str):
                raise RuleError("corpid must be a string")
            r.corpid = spec["corpid"]
        if spec.get("agentid") is not None:
            r.agentid = _int(spec["agentid"], "agentid")
        if spec.get("scope") is not None:
            if spec["scope"] not in SCOPES:
                raise RuleError(f"scope must be one of {', '.join(SCOPES)}")
            r.scope = spec["scope"]
        if spec.get("when") is not None:
            r.when = _check_predicate(spec["when"])
        r._parse_trigger(spec)
        r._parse_action(spec)
        return r

    def _parse_trigger(self, spec: dict[str, Any]) -> None:
        if spec.get("times") is not None and spec.get("first") is not None:
            raise RuleError("give times or first, not both (they mean the same)")
        count = spec.get("times", spec.get("first"))
        if count is not None:
            self.times = _int(count, "times")
        if spec.get("nth") is not None:
            self.nth = _int(spec["nth"], "nth")
            if spec.get("every") is not None:
                raise RuleError("nth and every cannot be combined")
            if self.times is None:
                self.times = 1
        if spec.get("every") is not None:
            self.every = _int(spec["every"], "every")
        if spec.get("probability") is not None:
            p = _number(spec["probability"], "probability")
            if p > 1:
                raise RuleError("probability must be between 0 and 1")
            self.probability = p
        seed = spec.get("seed", 0)
        self.seed = _int(seed, "seed", minimum=0)
        self._rng = random.Random(self.seed)  # the rule's own seeded stream: reproducible
        if spec.get("window") is not None:
            w = spec["window"]
            if not isinstance(w, list | tuple) or len(w) != 2:
                raise RuleError("window must be [start, end] (seconds after the rule was added)")
            start, end = _number(w[0], "window[0]"), _number(w[1], "window[1]")
            if end <= start:
                raise RuleError("window end must be after its start")
            self.window = (start, end)

    def _parse_action(self, spec: dict[str, Any]) -> None:
        if spec.get("errcode") is not None:
            code = spec["errcode"]
            if isinstance(code, bool) or not isinstance(code, int):
                raise RuleError("errcode must be an integer")
            self.errcode = code
        if spec.get("errmsg") is not None:
            if not isinstance(spec["errmsg"], str):
                raise RuleError("errmsg must be a string")
            if self.errcode is None:
                raise RuleError("errmsg needs an errcode")
            self.errmsg = spec["errmsg"]
        if spec.get("status") is not None:
            self.status = _int(spec["status"], "status", minimum=100)
            if self.status > 599:
                raise RuleError("status must be an HTTP status (100-599)")
        if "response" in spec:
            if not isinstance(spec["response"], dict | list | str):
                raise RuleError("response must be a JSON object, array or string")
            self.response = spec["response"]
        if spec.get("delay") is not None:
            d = spec["delay"]
            if isinstance(d, list | tuple):
                if len(d) != 2:
                    raise RuleError("delay must be seconds or [min, max]")
                lo = _number(d[0], "delay[0]", maximum=MAX_DELAY)
                hi = _number(d[1], "delay[1]", maximum=MAX_DELAY)
                if hi < lo:
                    raise RuleError("delay max must be >= min")
                self.delay = (lo, hi)
            else:
                self.delay = _number(d, "delay", maximum=MAX_DELAY)
        if spec.get("fault") is not None:
            if spec["fault"] not in TRANSPORT_FAULTS:
                raise RuleError(f"fault must be one of {', '.join(TRANSPORT_FAULTS)}")
            self.fault = spec["fault"]
        for flag in ("invalidate_token", "rotate_secret"):
            if spec.get(flag) is not None:
                if not isinstance(spec[flag], bool):
                    raise RuleError(f"{flag} must be true or false")
                setattr(self, flag, spec[flag])
        if spec.get("advance_clock") is not None:
            self.advance_clock = _number(
                spec["advance_clock"], "advance_clock", maximum=MAX_SECONDS
            )
        stage = spec.get("stage", "before")
        if stage not in STAGES:
            raise RuleError("stage must be before (instead of the real handling) or after")
        self.stage = stage
        answers = [
            k
            for k, v in (
                ("errcode", self.errcode),
                ("status/response", self.status or self.response is not None),
                ("fault", self.fault),
            )
            if v not in (None, False)
        ]
        if len(answers) > 1:
            raise RuleError(f"pick one answer: {' or '.join(answers)}")
        if not answers and not (
            self.delay or self.invalidate_token or self.rotate_secret or self.advance_clock
        ):
            raise RuleError(
                "a rule needs an action: errcode, status/response, delay, fault, "
                "invalidate_token, rotate_secret or advance_clock"
            )

    # -- evaluation --------------------------------------------------------------------
    @property
    def expired(self) -> bool:
        return self.times is not None and self.triggered >= self.times

    def fires(self, now: float) -> bool:
        """Count a matching call and decide (caller holds the engine lock)."""
        if self.expired:
            return False
        if self.window is not None:
            age = now - self.created_at
            if not (self.window[0] <= age < self.window[1]):
                return False
        self.seen += 1
        if self.nth is not None and self.seen != self.nth:
            return False
        if self.every is not None and self.seen % self.every:
            return False
        if self.probability is not None:
            assert self._rng is not None
            if self._rng.random() >= self.probability:
                return False
        self.triggered += 1
        return True

    def pick_delay(self) -> float:
        if self.delay is None:
            return 0.0
        if isinstance(self.delay, tuple):
            assert self._rng is not None
            return self._rng.uniform(*self.delay)
        return self.delay

    def kind(self) -> str:
        if self.fault:
            return self.fault
        if self.errcode is not None:
            return "errcode"
        if self.status is not None or self.response is not None:
            return "http"
        for name in ("invalidate_token", "rotate_secret", "advance_clock"):
            if getattr(self, name):
                return name
        return "delay"

    def describe(self) -> dict[str, Any]:
        """The spec as given plus id and counters (admin API, ``Emulator.faults()``)."""
        out = {k: v for k, v in self.spec.items() if k != "id"}
        out.update(
            id=self.id,
            kind=self.kind(),
            seen=self.seen,
            triggered=self.triggered,
            expired=self.expired,
        )
        return out


class FaultEngine:
    """The rule set of one emulator: add, remove, and find the rule a request triggers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = []
        self._exact: dict[str, list[FaultRule]] = {}
        self._globs: list[tuple[re.Pattern[str], FaultRule]] = []
        self._glob_cache: dict[str, list[FaultRule]] = {}
        self._static_cache: dict[tuple[Any, ...], list[FaultRule]] = {}
        self._counter = 0
        # Bumped on every change so the per-path glob cache is rebuilt lazily.
        self.active = False
        # Set (and replaced) when rules are removed: delayed requests stop waiting.
        self.wake = threading.Event()

    def _reindex(self) -> None:
        exact: dict[str, list[FaultRule]] = {}
        globs: list[tuple[re.Pattern[str], FaultRule]] = []
        for r in self.rules:
            if _is_glob(r.path):
                globs.append((re.compile(fnmatch.translate(r.path)), r))
            else:
                exact.setdefault(r.path, []).append(r)
        self._exact, self._globs, self._glob_cache = exact, globs, {}
        self._static_cache = {}
        self.active = bool(self.rules)

    def add(self, specs: Iterable[dict[str, Any]], now: float) -> list[FaultRule]:
        """Validate all specs first, then add them (all or nothing)."""
        with self._lock:
            built = []
            ids = {r.id for r in self.rules}
            for spec in specs:
                self._counter += 1
                rule = FaultRule.from_dict(spec, f"fault-{self._counter}", now)
                if rule.id in ids:
                    raise RuleError(f"a fault with id {rule.id!r} already exists")
                ids.add(rule.id)
                built.append(rule)
            self.rules.extend(built)
            self._reindex()
            return built

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            self._reindex()
            removed = len(self.rules) != before
        if removed:
            self._wake_sleepers()
        return removed

    def _wake_sleepers(self) -> None:
        """Delays in progress end now: removing a slow fault frees the threads it holds."""
        old, self.wake = self.wake, threading.Event()
        old.set()

    def saved(self) -> tuple[list[FaultRule], int]:
        """The rules (with their remaining counts) and the id counter, for a state file."""
        with self._lock:
            return list(self.rules), self._counter

    def restore(self, saved: tuple[list[FaultRule], int]) -> None:
        with self._lock:
            self.rules = list(saved[0])
            self._counter = saved[1]
            self._reindex()

    def clear(self) -> None:
        with self._lock:
            self.rules = []
            self._counter = 0
            self._reindex()
        self._wake_sleepers()

    def get(self, rule_id: str) -> FaultRule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    def candidates(self, path: str) -> list[FaultRule]:
        """Rules whose path matches, in the order they were added (cheap: cached per path)."""
        exact = self._exact.get(path)
        if not self._globs:
            return exact or []
        cached = self._glob_cache.get(path)
        if cached is None:
            cached = [r for pat, r in self._globs if pat.match(path)]
            if len(self._glob_cache) < 4096:
                self._glob_cache[path] = cached
        if not exact:
            return cached
        if not cached:
            return exact
        return sorted(exact + cached, key=self.rules.index)

    def matching(
        self,
        path: str,
        method: str,
        identity: Callable[[], tuple[str | None, str | None, int | None]],
    ) -> tuple[list[FaultRule], tuple[str | None, str | None, int | None] | None]:
        """Rules whose path, method, corpid, scope and agentid match, and the caller's identity.

        These matchers never change for a rule, so the answer is cached per (path, method,
        caller) until the rule set changes: an inactive rule costs nothing per request.
        """
        candidates = self.candidates(path)
        if not candidates:
            return candidates, None
        who = identity()
        key = (path, method, who)
        found = self._static_cache.get(key)
        if found is None:
            corpid, scope, agentid = who
            found = [
                r
                for r in candidates
                if (r.method is None or r.method == method)
                and (r.corpid is None or r.corpid == corpid)
                and (r.scope is None or r.scope == scope)
                and (r.agentid is None or r.agentid == agentid)
            ]
            if len(self._static_cache) < 4096:
                self._static_cache[key] = found
        return found, who

    def first_triggered(
        self, rules: list[FaultRule], body: Callable[[], Any], clock: Callable[[], float]
    ) -> FaultRule | None:
        """The first rule (in order added) whose body predicate holds and that triggers."""
        for r in rules:
            if r.times is not None and r.triggered >= r.times:
                continue
            if r.when is not None and not predicate_matches(r.when, body()):
                continue
            with self._lock:
                if r.fires(clock()):
                    return r
        return None
