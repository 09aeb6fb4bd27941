"""Emulator-wide state kept with the corps: the core's parts and the ones plugins declare.

The core keeps its clock offset, id counters and access_tokens; a plugin declares what else
it keeps in ``Plugin.persist`` (fault rules, callback settings), so the storage never reads
a plugin's private fields.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.plugin import PersistedPart

# The engine (not imported: it imports this package).
Emulator = Any

CORE_PARTS: tuple[PersistedPart, ...] = (
    PersistedPart("clock", lambda emu: emu.clock.saved(), lambda emu, v: emu.clock.restore(v)),
    PersistedPart("ids", lambda emu: emu.ids.saved(), lambda emu, v: emu.ids.restore(v)),
    PersistedPart("tokens", lambda emu: emu.tokens.saved(), lambda emu, v: emu.tokens.restore(v)),
    PersistedPart(
        "settings", lambda emu: dict(emu.settings), lambda emu, v: _replace(emu.settings, v)
    ),
)


def _replace(target: dict[str, Any], value: dict[str, Any]) -> None:
    target.clear()
    target.update(value)


def global_parts(emu: Emulator) -> list[PersistedPart]:
    """The core's parts, then each plugin's (names must not clash)."""
    parts = list(CORE_PARTS)
    names = {p.name for p in parts}
    for plugin in getattr(emu, "plugins", ()):
        for part in plugin.persist:
            if part.name in names:
                raise ValueError(f"persisted part {part.name!r} declared twice")
            names.add(part.name)
            parts.append(part)
    return parts
