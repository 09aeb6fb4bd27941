"""Emulator-wide state kept with the corps: clock, ids, tokens, fault rules, callback settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The engine (not imported: it imports this package).
Emulator = Any

# ---------------------------------------------------------------------------------------
# Emulator-wide parts: (name, read, write) functions
# ---------------------------------------------------------------------------------------
GlobalPart = tuple[str, Callable[["Emulator"], Any], Callable[["Emulator", Any], None]]


def _clock_get(emu: Emulator) -> Any:
    c = emu.clock
    return {"offset": c._offset, "frozen": c._frozen, "frozen_at": c._frozen_at}


def _clock_set(emu: Emulator, v: Any) -> None:
    c = emu.clock
    with c._lock:
        c._offset, c._frozen, c._frozen_at = v["offset"], v["frozen"], v["frozen_at"]


def _ids_get(emu: Emulator) -> Any:
    return _ids_state(emu.ids)


def _ids_set(emu: Emulator, v: Any) -> None:
    _ids_restore(emu.ids, v)


def _ids_state(ids: Any) -> Any:
    """Seed, restart count and named counters. The random streams are not written on every
    call (5 KB each); after a restart they continue from a seed derived from the restart
    count, so ids stay unique but differ from an uninterrupted run with the same seed."""
    with ids._lock:
        return (ids.seed, getattr(ids, "_restarts", 0), dict(ids._counters))


def _ids_restore(ids: Any, v: Any) -> None:
    seed, restarts, counters = v
    with ids._lock:
        ids.seed = seed
        ids._restarts = restarts + 1
        ids._rng.seed(f"{seed}:restart:{restarts + 1}")
        ids._hint_rng.seed(f"hint:{seed}:restart:{restarts + 1}")
        ids._counters = dict(counters)


def _tokens_get(emu: Emulator) -> Any:
    t = emu.tokens
    with t._lock:
        return (dict(t._by_token), dict(t._by_secret))


def _tokens_set(emu: Emulator, v: Any) -> None:
    t = emu.tokens
    with t._lock:
        t._by_token, t._by_secret = dict(v[0]), dict(v[1])


def _plugin_api(emu: Emulator, name: str) -> Any:
    """A plugin's Python API object, if the engine has that plugin (core knows no plugin)."""
    return emu._apis.get(name)


def _faults_get(emu: Emulator) -> Any:
    engine = getattr(_plugin_api(emu, "faults"), "_faults", None)
    if engine is None:
        return None
    with engine._lock:
        return (list(engine.rules), engine._counter)


def _faults_set(emu: Emulator, v: Any) -> None:
    engine = getattr(_plugin_api(emu, "faults"), "_faults", None)
    if engine is None or v is None:
        return
    with engine._lock:
        engine.rules = list(v[0])
        engine._counter = v[1]
        engine._reindex()


def _callbacks_get(emu: Emulator) -> Any:
    d = getattr(_plugin_api(emu, "callbacks"), "dispatcher", None)
    if d is None:
        return None
    return (dict(vars(d.settings)), _ids_state(d.ids), d._seq, d._event_seq)


def _callbacks_set(emu: Emulator, v: Any) -> None:
    d = getattr(_plugin_api(emu, "callbacks"), "dispatcher", None)
    if d is None or v is None:
        return
    settings, ids, d._seq, d._event_seq = v
    d.configure(**{k: val for k, val in settings.items() if k not in ("workers", "queue_size")})
    _ids_restore(d.ids, ids)


def _settings_get(emu: Emulator) -> Any:
    return dict(emu.settings)


def _settings_set(emu: Emulator, v: Any) -> None:
    emu.settings.clear()
    emu.settings.update(v)


GLOBAL_PARTS: list[GlobalPart] = [
    ("clock", _clock_get, _clock_set),
    ("ids", _ids_get, _ids_set),
    ("tokens", _tokens_get, _tokens_set),
    ("faults", _faults_get, _faults_set),
    ("callbacks", _callbacks_get, _callbacks_set),
    ("settings", _settings_get, _settings_set),
]


def register_global_part(
    name: str, get: Callable[[Any], Any], put: Callable[[Any, Any], None]
) -> None:
    """Persist a piece of emulator-wide state (``get`` returns picklable plain data)."""
    GLOBAL_PARTS.append((name, get, put))
