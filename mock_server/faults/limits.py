"""Modelled limits of the real API (not random faults): rate limits and trusted IPs.

Numbers come from the reference (auth.md §5, doc 90312). A limit counts calls in a fixed
window that opens at the first call; the call that goes over it answers 45009 and blocks the
key for the block time of its period (minute: 60 s, hour: 60 min, day: until the end of the
natural day in China time, month: 30 days). Blocked or rejected calls are not counted.

Counters live in the corp's ``faults`` store (plain data), so ``reset()`` clears them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.registry import APP
from mock_server.core.state import Corp

PERIODS = {"minute": 60, "hour": 3600, "day": 86400, "month": 30 * 86400}
KEYS = ("corp", "app", "ip")
CHINA_OFFSET = 8 * 3600

# (name, paths or None for every API, key, period, limit)
BUILTIN_LIMITS: list[dict[str, Any]] = [
    {"name": "corp per API per minute", "key": "corp", "per": "minute", "limit": 10_000},
    {"name": "corp per API per hour", "key": "corp", "per": "hour", "limit": 150_000},
    {"name": "IP per API per minute", "key": "ip", "per": "minute", "limit": 20_000},
    {"name": "IP per API per hour", "key": "ip", "per": "hour", "limit": 600_000},
    {
        "name": "approval and checkin reads",
        "paths": [
            "oa/gettemplatedetail",
            "oa/applyevent",
            "oa/getapprovalinfo",
            "oa/getapprovaldetail",
            "checkin/getcheckindata",
            "corp/getapprovaldata",
        ],
        "key": "corp",
        "per": "minute",
        "limit": 600,
    },
    # Check-in and vacation pages (docs 93374, 93387, 93384, 93380, 93385, 93378, 93375-93377).
    {"name": "checkin day reports", "paths": ["checkin/getcheckin_daydata"], "key": "corp", "per": "minute", "limit": 100},
    {"name": "checkin reports and shifts", "paths": ["checkin/getcheckin_monthdata", "checkin/getcorpcheckinoption", "checkin/getcheckinschedulist", "checkin/setcheckinschedulist"], "key": "corp", "per": "minute", "limit": 60},
    {"name": "checkin face enrolment", "paths": ["checkin/addcheckinuserface"], "key": "corp", "per": "minute", "limit": 10},
    {"name": "vacation", "paths": ["oa/vacation/getcorpconf", "oa/vacation/getuservacationquota", "oa/vacation/setoneuserquota"], "key": "corp", "per": "minute", "limit": 600},
    {"name": "jsapi_ticket per corp", "paths": ["get_jsapi_ticket"], "key": "corp", "per": "hour", "limit": 400},
    {"name": "jsapi_ticket per app", "paths": ["ticket/get"], "key": "app", "per": "hour", "limit": 100},
    {"name": "appchat/create per corp", "paths": ["appchat/create"], "key": "corp", "per": "day", "limit": 1000},
    {"name": "appchat/update per corp", "paths": ["appchat/update"], "key": "corp", "per": "hour", "limit": 1000},
    {"name": "media/uploadimg per day", "paths": ["media/uploadimg"], "key": "corp", "per": "day", "limit": 1000},
    {"name": "media/uploadimg per month", "paths": ["media/uploadimg"], "key": "corp", "per": "month", "limit": 3000},
]  # fmt: skip

# Repeated wrong secrets from one IP ban that IP from gettoken for an hour (90313 help for
# 45009). The threshold (~2000 failures/hour) is a community figure (unconfirmed).
GETTOKEN_FAILURES_PER_HOUR = 2000
# 45033: too many concurrent calls to one API by one corp. One community test saw it only
# with >= 400 concurrent callers (unconfirmed).
CONCURRENT_PER_API = 400


@dataclass
class LimitsStore:
    """Per corp: open windows ``key -> [start, count]`` and blocks ``key -> until``."""

    windows: dict[str, list[float]] = field(default_factory=dict)
    blocked: dict[str, float] = field(default_factory=dict)
    inflight: dict[str, int] = field(default_factory=dict)


def faults(corp: Corp) -> LimitsStore:
    result: LimitsStore = corp.store("faults")
    return result


def check_limit_spec(spec: Any) -> dict[str, Any]:
    """Validate one extra limit (``{"path": ..., "limit": N, "per": "minute", "key": ...}``)."""
    if not isinstance(spec, dict):
        raise ValueError("a rate limit must be an object")
    unknown = set(spec) - {"name", "path", "paths", "key", "per", "limit"}
    if unknown:
        raise ValueError(f"unknown rate-limit key(s): {', '.join(sorted(unknown))}")
    limit = spec.get("limit")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError("limit must be a non-negative integer")
    if spec.get("per", "minute") not in PERIODS:
        raise ValueError(f"per must be one of {', '.join(PERIODS)}")
    if spec.get("key", "corp") not in KEYS:
        raise ValueError(f"key must be one of {', '.join(KEYS)}")
    paths = spec.get("paths", [spec["path"]] if "path" in spec else None)
    if paths is not None and (
        not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths)
    ):
        raise ValueError("path/paths must be API names such as user/get")
    out = {
        "name": str(
            spec.get("name") or f"{paths or 'every API'} {limit}/{spec.get('per', 'minute')}"
        ),
        "key": spec.get("key", "corp"),
        "per": spec.get("per", "minute"),
        "limit": limit,
    }
    if paths is not None:
        out["paths"] = [p.removeprefix("/cgi-bin/").lstrip("/") for p in paths]
    return out


def corp_config(emu: Any, corp: Corp) -> tuple[bool, list[dict[str, Any]], int]:
    """(enabled, extra limits, gettoken failure threshold) for a corp.

    ``corp.settings["rate_limits"]`` is a bool or ``{"enabled", "limits", "builtin",
    "gettoken_failures_per_hour"}``; missing parts fall back to ``emu.settings`` and then to
    on in server mode, off in process.
    """
    default = emu.settings.get("rate_limits")
    if default is None:
        default = emu.mode == "server"
    raw = corp.settings.get("rate_limits")
    if raw is None:
        raw = default
    if isinstance(raw, bool):
        return raw, BUILTIN_LIMITS, GETTOKEN_FAILURES_PER_HOUR
    enabled = raw.get("enabled", True if raw.get("limits") else default)
    limits = raw.get("limits") or []
    if not all("name" in lim and "key" in lim and "per" in lim for lim in limits):
        # Limits written in a fixture's settings: normalised once, in place.
        limits = raw["limits"] = [check_limit_spec(lim) for lim in limits]
    if raw.get("builtin", True):
        limits = BUILTIN_LIMITS + limits
    return (
        bool(enabled),
        limits,
        int(raw.get("gettoken_failures_per_hour", GETTOKEN_FAILURES_PER_HOUR)),
    )


def concurrency_limit(emu: Any, corp: Corp) -> int | None:
    """Concurrent calls allowed per corp per API (None when limits are off)."""
    enabled = corp_config(emu, corp)[0]
    if not enabled:
        return None
    raw = corp.settings.get("rate_limits")
    if isinstance(raw, dict) and raw.get("concurrent_per_api") is not None:
        return int(raw["concurrent_per_api"])
    return CONCURRENT_PER_API


def enter_call(emu: Any, corp: Corp, api: str) -> str | None:
    """Take a concurrency slot: its key (give it back with ``leave_call``), or raise 45033."""
    limit = concurrency_limit(emu, corp)
    if limit is None:
        return None
    store = faults(corp)
    with corp.lock:
        n = store.inflight.get(api, 0)
        if n >= limit:
            raise WeComError(45033)
        store.inflight[api] = n + 1
    return api


def leave_call(corp: Corp, key: str) -> None:
    store = faults(corp)
    with corp.lock:
        n = store.inflight.get(key, 0) - 1
        if n > 0:
            store.inflight[key] = n
        else:  # 0, or a store rebuilt by reset() while the call ran
            store.inflight.pop(key, None)


def _block_until(per: str, now: float) -> float:
    if per == "day":  # until the end of the natural day (China time)
        local = now + CHINA_OFFSET
        return now + (86400 - local % 86400)
    return now + PERIODS[per]


def _key(limit: dict[str, Any], api: str, corp: Corp, agentid: int | None, ip: str) -> str:
    kind = limit["key"]
    who = corp.corpid if kind == "corp" else ip if kind == "ip" else str(agentid)
    return f"{limit['name']}|{api}|{who}"


def check_rate_limits(
    emu: Any, corp: Corp, api: str, agentid: int | None, ip: str, now: float
) -> str | None:
    """Count one call; the name of the limit it broke (answer 45009), or None."""
    enabled, limits, _ = corp_config(emu, corp)
    if not enabled:
        return None
    store = faults(corp)
    with corp.lock:
        keys = []
        for limit in limits:
            paths = limit.get("paths")
            if paths is not None and api not in paths:
                continue
            if limit["key"] == "app" and agentid is None:
                continue
            key = _key(limit, api, corp, agentid, ip)
            until = store.blocked.get(key)
            if until is not None:
                if now < until:
                    return str(limit["name"])
                del store.blocked[key]
            keys.append((key, limit))
        for key, limit in keys:
            window = store.windows.get(key)
            if window is None or now >= window[0] + PERIODS[limit["per"]]:
                window = store.windows[key] = [now, 0]
            if window[1] >= limit["limit"]:
                store.blocked[key] = _block_until(limit["per"], now)
                return str(limit["name"])
        for key, _limit in keys:
            store.windows[key][1] += 1
    return None


def gettoken_banned(emu: Any, corp: Corp, ip: str, now: float) -> bool:
    if not corp_config(emu, corp)[0]:
        return False
    store = faults(corp)
    until = store.blocked.get(f"gettoken failures|{ip}")
    return until is not None and now < until


def count_gettoken_failure(emu: Any, corp: Corp, ip: str, now: float) -> None:
    enabled, _, threshold = corp_config(emu, corp)
    if not enabled:
        return
    store = faults(corp)
    key = f"gettoken failures|{ip}"
    with corp.lock:
        window = store.windows.get(key)
        if window is None or now >= window[0] + 3600:
            window = store.windows[key] = [now, 0]
        window[1] += 1
        if window[1] >= threshold:
            store.blocked[key] = now + 3600


@lru_cache(maxsize=256)
def _networks(ips: tuple[str, ...]) -> tuple[Any, ...]:
    nets = []
    for ip in ips:
        try:
            nets.append(ipaddress.ip_network(ip.strip(), strict=False))
        except ValueError:
            continue  # a bad entry allows nobody (it is validated when set)
    return tuple(nets)


def ip_allowed(allowed: list[str], ip: str) -> bool:
    """An empty list means no restriction (older apps); entries may be addresses or CIDRs."""
    if not allowed:
        return True
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in net for net in _networks(tuple(allowed)))


def trusted_ips(corp: Corp, scope: str | None, agentid: int | None) -> list[str]:
    """The allow-list of the caller's secret: the agent's ``trusted_ips`` or, for system
    secrets, ``settings.trusted_ips.<scope>`` of the corp."""
    if scope == APP and agentid is not None:
        agent = corp.agents.get(agentid)
        return list(agent.extra.get("trusted_ips") or []) if agent else []
    if scope is None:
        return []
    by_scope = corp.settings.get("trusted_ips") or {}
    return list(by_scope.get(scope) or []) if isinstance(by_scope, dict) else []


def check_ips(ips: Any) -> list[str]:
    if not isinstance(ips, list) or not all(isinstance(i, str) for i in ips):
        raise ValueError("ips must be a list of IP addresses or CIDR ranges")
    for ip in ips:
        try:
            ipaddress.ip_network(ip.strip(), strict=False)
        except ValueError:
            raise ValueError(f"not an IP address or CIDR range: {ip!r}") from None
    return [i.strip() for i in ips]


def ip_error() -> WeComError:
    return WeComError(60020)
