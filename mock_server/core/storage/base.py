"""The storage interface and the in-memory default (nothing kept anywhere else)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mock_server.core.state import Corp

# The engine (not imported: it imports this package).
Emulator = Any

FORMAT = "wecom-mock-state"
# 2: a snapshot per corp plus a log of row changes (1 was one row per key).
FORMAT_VERSION = 2
# Protocol 3 writes explicit memo indices, so the log rows since a snapshot can be read
# back through one Unpickler.
_PROTO = 3
_EMPTY = b""


class StateFileError(RuntimeError):
    """A state file this version cannot read (other format, newer version, not SQLite)."""


# ---------------------------------------------------------------------------------------
# The interface
# ---------------------------------------------------------------------------------------
class Storage:
    """Where state is kept. The in-memory default keeps nothing anywhere else."""

    path: Path | None = None

    def attach(self, emu: Emulator) -> None:
        """Called once the emulator is built: load saved state or save the fixtures' state."""

    def flush_corp(self, corp: Corp) -> None:
        """Persist what the transaction that just ended changed in ``corp`` (under its lock)."""

    def flush(self) -> None:
        """Persist every pending change (corps and emulator-wide parts)."""

    def rewrite(self) -> None:
        """Persist the whole state from scratch (after a reset or an import)."""

    def info(self) -> dict[str, Any]:
        return {"backend": "memory", "path": None}

    def close(self) -> None:
        """Release the file (the state stays on disk)."""


class MemoryStorage(Storage):
    """The default: state lives in the process and disappears with it."""
