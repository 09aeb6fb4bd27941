"""Python API of fault injection and modelled limits: ``emu.faults``.

Building it installs the pipeline hooks:

* ``on_request``: fault rules (before any token check, so they hit gettoken and bad tokens too);
* ``after_auth``: trusted IPs (60020) and rate limits (45009), the real API's own behaviour;
* ``on_response``: faults with ``stage: after`` (the real handling happened, then the answer
  is lost or replaced) and counting failed gettoken calls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import JSON_CONTENT_TYPE, ApiResponse, error_response
from mock_server.core.registry import APP, AUTH_NONE
from mock_server.faults import limits
from mock_server.faults.rules import MAX_DELAY, FaultEngine, FaultRule, RuleError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Context, Host
    from mock_server.core.state import Corp

_PENDING = "_pending_rule"
_SLOT = "_concurrency_slot"


class FaultHandle:
    """A rule that is active now; ``with`` removes it on exit, ``.triggered`` counts hits."""

    def __init__(self, emulator: FaultsAPI, rule: FaultRule) -> None:
        self._emulator = emulator
        self.rule = rule

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def triggered(self) -> int:
        return self.rule.triggered

    @property
    def seen(self) -> int:
        return self.rule.seen

    def remove(self) -> None:
        self._emulator.remove_fault(self.rule.id)

    def __enter__(self) -> FaultHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<fault {self.rule.id} {self.rule.kind()} on {self.rule.path}: {self.triggered} hit(s)>"


def _identity(emu: Host, ctx: Context) -> tuple[str | None, str | None, int | None]:
    """(corpid, scope, agentid) of the caller, read without validating anything."""
    query = ctx.request.query
    token = query.get("access_token")
    if token:
        info = emu.tokens.lookup(token)
        if info is not None:
            return info.corpid, info.scope, info.agentid
        return None, None, None
    corpid = query.get("corpid")
    secret = query.get("corpsecret")
    if corpid and secret:
        corp = emu.corps.get(corpid)
        found = corp.secret_scope(secret) if corp is not None else None
        if found is not None:
            return corpid, found[0], found[1]
    return corpid, None, None


def _malformed(resp: ApiResponse | None) -> bytes:
    """A JSON body cut in the middle (what a dropped proxy connection leaves behind)."""
    payload = resp.payload() if resp is not None else b'{"errcode":0,"errmsg":"ok","data":{"'
    return payload[: max(1, len(payload) // 2)]


_SLOTS_LOCK = threading.Lock()


class FaultsAPI:
    """Inject faults (``emu.fault(...)``), model limits, rotate secrets."""

    # -- set-up -------------------------------------------------------------------------
    def __init__(self, engine: Host) -> None:
        self._emu = engine
        self._faults = FaultEngine()
        self._delay_slots: tuple[int, threading.BoundedSemaphore] | None = None
        engine.hooks.on_request.append(self._fault_on_request)
        engine.hooks.after_auth.append(self._limits_after_auth)
        engine.hooks.on_response.append(self._fault_on_response)
        engine.hooks.on_reset.append(self._faults.clear)

    @property
    def rules_engine(self) -> FaultEngine:
        """The fault rules in force (what the plugin keeps in a state file)."""
        return self._faults

    def __call__(self) -> list[dict[str, Any]]:
        """``emu.faults()``: the same as ``.rules()``."""
        return self.rules()

    # -- fault rules ----------------------------------------------------------------------
    def fault(self, path: str = "*", **spec: Any) -> FaultHandle:
        """Add a fault rule now; returns a handle usable as a context manager.

        >>> with emu.fault("message/send", errcode=-1, times=2) as f:
        ...     ...           # the first two message/send calls answer -1 (system busy)
        >>> f.triggered
        2

        Match: ``path`` (exact or glob), ``method``, ``corpid``, ``agentid``, ``scope``,
        ``when`` (body field predicates). Trigger: ``times``/``first``, ``nth``, ``every``,
        ``probability`` (+ ``seed``), ``window``. Action: ``errcode`` (+ ``errmsg``),
        ``status``/``response``, ``delay``, ``fault`` (reset, empty, garbage, malformed),
        ``invalidate_token``, ``rotate_secret``, ``advance_clock``; ``stage="after"`` runs the
        real handling first.
        """
        (rule,) = self.add_faults([{"path": path, **spec}])
        return FaultHandle(self, rule)

    def add_faults(self, specs: Iterable[dict[str, Any]]) -> list[FaultRule]:
        """Add several rules at once (all validated first); raises ``RuleError``."""
        emu = self._emu
        return self._faults.add(list(specs), emu.clock.now())

    def rules(self) -> list[dict[str, Any]]:
        """Every rule with its counters (``seen``, ``triggered``, ``expired``)."""
        return [r.describe() for r in self._faults.rules]

    def remove_fault(self, fault_id: str) -> bool:
        return self._faults.remove(fault_id)

    def clear_faults(self) -> None:
        self._faults.clear()

    # -- hooks ------------------------------------------------------------------------------
    def _fault_on_request(self, ctx: Context) -> ApiResponse | None:
        engine = self._faults
        if not engine.active:
            return None
        req = ctx.request
        emu = self._emu
        rules, who = engine.matching(req.path, req.method, lambda: _identity(emu, ctx))
        if not rules:
            return None
        rule = engine.first_triggered(rules, ctx.json, emu.clock.now)
        if rule is None:
            return None
        assert who is not None
        record: dict[str, Any] = {"id": rule.id, "kind": rule.kind()}
        if rule.name:
            record["name"] = rule.name
        if rule.stage == "after":
            record["stage"] = "after"
            ctx.fault = record
            ctx.notes[_PENDING] = rule
            return None
        ctx.fault = record
        return self._apply(ctx, rule, who, None)

    def _fault_on_response(self, ctx: Context, resp: ApiResponse) -> ApiResponse | None:
        out = None
        if ctx.notes:
            rule = ctx.notes.pop(_PENDING, None)
            if rule is not None:
                emu = self._emu
                out = self._apply(ctx, rule, _identity(emu, ctx), resp)
            slot = ctx.notes.pop(_SLOT, None)
            if slot is not None:  # after any "stage: after" delay: a slow call holds its slot
                limits.leave_call(*slot)
        ep = ctx.endpoint
        if ep is not None and ep.auth == AUTH_NONE and resp.errcode == 40001:
            corp = ctx.resolved_corp
            if corp is not None:
                emu = self._emu
                limits.count_gettoken_failure(emu, corp, ctx.request.client_ip, emu.clock.now())
        return out

    def _sleep_delay(self, seconds: float, record: dict[str, Any]) -> None:
        """Wait out a fault delay on the real clock (the client's timeout is real too).

        Over HTTP at most ``server_threads - 2`` requests wait at once, so two threads stay
        free for the admin API (a ``*`` delay must not lock out the call that removes it);
        a request finding every slot taken is answered without its delay (noted in the
        journal). Removing the rule ends the waits in progress.
        """
        threads = self._emu.settings.get("server_threads")
        wake = self._faults.wake
        if not threads:
            wake.wait(seconds)
            return
        with _SLOTS_LOCK:
            slots = self._delay_slots
            if slots is None or slots[0] != threads:
                slots = (threads, threading.BoundedSemaphore(max(1, int(threads) - 2)))
                self._delay_slots = slots
        if not slots[1].acquire(blocking=False):
            record["delay_skipped"] = "every delay slot is taken (threads kept for the admin API)"
            return
        try:
            wake.wait(seconds)
        finally:
            slots[1].release()

    def _apply(
        self,
        ctx: Context,
        rule: FaultRule,
        who: tuple[str | None, str | None, int | None],
        real: ApiResponse | None,
    ) -> ApiResponse | None:
        """Carry out a rule's action; ``real`` is the real answer for ``stage: after``."""
        emu = self._emu
        record = ctx.fault if ctx.fault is not None else {}
        delay = rule.pick_delay()
        if delay:
            scale = float(emu.settings.get("fault_delay_scale", 1.0))
            seconds = min(delay * scale, MAX_DELAY)
            record["delay"] = round(seconds, 3)
            self._sleep_delay(seconds, record)
        if rule.advance_clock:
            emu.advance(rule.advance_clock)
            record["advance_clock"] = rule.advance_clock
        corpid, scope, agentid = who
        if rule.invalidate_token and corpid is not None:
            # The caller's token; on gettoken with stage "after", the one just handed out.
            token = ctx.request.query.get("access_token") or (
                ctx.token.token if ctx.token else None
            )
            if token:
                record["invalidated"] = emu.tokens.revoke(corpid=corpid, token=token)
        if rule.rotate_secret and corpid is not None and scope is not None:
            self.rotate_secret(scope, agentid=agentid, corpid=corpid)
            record["rotated"] = scope if agentid is None else f"{scope}:{agentid}"
        if rule.errcode is not None:
            err = WeComError(rule.errcode, rule.errmsg, replace=rule.errmsg is not None)
            return error_response(ctx, err)
        if rule.status is not None or rule.response is not None:
            body = rule.response if rule.response is not None else b""
            ctype = JSON_CONTENT_TYPE
            if isinstance(body, str):
                ctype = (
                    "text/html; charset=UTF-8" if body.lstrip().startswith("<") else "text/plain"
                )
            return ApiResponse(body, status=rule.status or 200, content_type=ctype)
        if rule.fault == "malformed":
            return ApiResponse(_malformed(real), status=200)
        if rule.fault is not None:
            # Before: nothing was answered (the journal shows errcode null). After: the real
            # answer was produced (and journaled) but never reaches the client.
            base = real or ApiResponse(b"", content_type="text/plain")
            return ApiResponse(
                base.body, base.status, dict(base.headers), base.content_type, rule.fault
            )
        return None

    def _limits_after_auth(self, ctx: Context) -> ApiResponse | None:
        emu = self._emu
        ep = ctx.endpoint
        if ep is None:
            return None
        req = ctx.request
        corp: Corp | None = ctx.resolved_corp
        scope, agentid = ctx.scope, ctx.agentid
        if ep.auth == AUTH_NONE:  # gettoken: who is asking is known from corpid + secret
            corp = emu.corps.get(req.query.get("corpid", ""))
            if corp is None:
                return None
            now = emu.clock.now()
            if limits.gettoken_banned(emu, corp, req.client_ip, now):
                ctx.notes["limit"] = "gettoken failures per IP per hour"
                raise WeComError(45009)
            found = corp.secret_scope(req.query.get("corpsecret", ""))
            if found is None:
                return None  # the handler answers 40001
            scope, agentid = found
        elif corp is None:
            return None
        if not limits.ip_allowed(limits.trusted_ips(corp, scope, agentid), req.client_ip):
            raise limits.ip_error()
        name = limits.check_rate_limits(emu, corp, ep.name, agentid, req.client_ip, emu.clock.now())
        if name is not None:
            ctx.notes["limit"] = name
            raise WeComError(45009)
        slot = limits.enter_call(emu, corp, ep.name)
        if slot is not None:
            ctx.notes[_SLOT] = (corp, slot)
        return None

    # -- modelled limits ----------------------------------------------------------------------
    def _corps_for(self, corpid: str | None) -> list[Corp]:
        emu = self._emu
        return list(emu.corps.values()) if corpid is None else [emu.corp(corpid)]

    def set_rate_limits(
        self,
        enabled: bool = True,
        limits: list[dict[str, Any]] | None = None,
        *,
        corpid: str | None = None,
        builtin: bool = True,
        gettoken_failures_per_hour: int | None = None,
        concurrent_per_api: int | None = None,
    ) -> dict[str, Any]:
        """Turn the modelled rate limits on/off for a corp (all corps without ``corpid``).

        ``limits`` adds limits such as ``{"path": "user/get", "limit": 3, "per": "minute"}``
        (``key``: corp, app or ip) to the built-in table of the reference;
        ``concurrent_per_api`` sets the 45033 threshold (default 400, unconfirmed).
        ``reset()`` goes back to the fixture's settings.
        """
        from mock_server.faults.limits import check_limit_spec

        extra = [check_limit_spec(s) for s in (limits or [])]
        if gettoken_failures_per_hour is not None and (
            isinstance(gettoken_failures_per_hour, bool)
            or not isinstance(gettoken_failures_per_hour, int)
            or gettoken_failures_per_hour < 1
        ):
            raise ValueError("gettoken_failures_per_hour must be a positive integer")
        if concurrent_per_api is not None and (
            isinstance(concurrent_per_api, bool)
            or not isinstance(concurrent_per_api, int)
            or concurrent_per_api < 1
        ):
            raise ValueError("concurrent_per_api must be a positive integer")
        config: dict[str, Any] = {"enabled": bool(enabled), "limits": extra, "builtin": builtin}
        if gettoken_failures_per_hour is not None:
            config["gettoken_failures_per_hour"] = gettoken_failures_per_hour
        if concurrent_per_api is not None:
            config["concurrent_per_api"] = concurrent_per_api
        for corp in self._corps_for(corpid):
            with corp.lock:
                corp.settings["rate_limits"] = config
        return self.rate_limits(corpid)

    def rate_limits(self, corpid: str | None = None) -> dict[str, Any]:
        """The rate-limit configuration in force and the open counters of a corp."""
        emu = self._emu
        corp = emu.corp(corpid)
        enabled, table, threshold = limits.corp_config(emu, corp)
        store = limits.faults(corp)
        now = emu.clock.now()
        with corp.lock:
            windows = {k: {"since": w[0], "count": int(w[1])} for k, w in store.windows.items()}
            blocked = {k: until for k, until in store.blocked.items() if until > now}
            inflight = dict(store.inflight)
        return {
            "corpid": corp.corpid,
            "enabled": enabled,
            "limits": table,
            "gettoken_failures_per_hour": threshold,
            "concurrent_per_api": limits.concurrency_limit(emu, corp),
            "in_flight": inflight,
            "windows": windows,
            "blocked": blocked,
        }

    def set_trusted_ips(
        self,
        ips: list[str],
        *,
        agentid: int | None = None,
        scope: str = APP,
        corpid: str | None = None,
    ) -> list[str]:
        """Set the trusted-IP list of an app (or of a system secret's ``scope``); ``[]`` lifts it.

        Calls from other IPs, gettoken included, answer 60020.
        """
        emu = self._emu
        corp = emu.corp(corpid)
        clean = limits.check_ips(ips)
        with corp.lock:
            if agentid is not None or scope == APP:
                agent = corp.agents[agentid] if agentid else next(iter(corp.agents.values()))
                agent.extra["trusted_ips"] = clean
            else:
                if scope not in corp.secrets:
                    raise KeyError(f"corp {corp.corpid} has no {scope} secret")
                corp.settings.setdefault("trusted_ips", {})[scope] = clean
        return clean

    def rotate_secret(
        self,
        scope: str = APP,
        *,
        agentid: int | None = None,
        corpid: str | None = None,
        secret: str | None = None,
    ) -> str:
        """Reset a secret as the admin console does: a new secret, every token of the old one
        answers 40014 and gettoken with the old secret answers 40001. Returns the new secret."""
        emu = self._emu
        corp = emu.corp(corpid)
        new = secret or f"ROTATED-{scope}-{emu.ids.alnum(16)}-not-real"
        with corp.lock:
            if scope == APP:
                agent = corp.agents[agentid] if agentid else next(iter(corp.agents.values()))
                old, agent.secret = agent.secret, new
            else:
                if scope not in corp.secrets:
                    raise KeyError(f"corp {corp.corpid} has no {scope} secret")
                old = corp.secrets[scope]
                corp.secrets[scope] = new
        emu.tokens.revoke(corpid=corp.corpid, secret=old)
        return new


__all__ = ["FaultHandle", "FaultsAPI", "RuleError"]
