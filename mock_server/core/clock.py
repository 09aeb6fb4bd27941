"""Injected time: every expiry, window and timestamp in the emulator reads this clock."""

from __future__ import annotations

import threading
import time


class Clock:
    """Wall time plus an offset the tests and the admin API can advance.

    ``frozen=True`` stops the clock at ``start`` (or now) so only ``advance`` moves it,
    which makes timestamps in a test fully deterministic.
    """

    def __init__(self, *, start: float | None = None, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        base = time.time() if start is None else float(start)
        self._offset = base - time.time()
        self._frozen_at = base

    def now(self) -> float:
        if self._frozen:
            return self._frozen_at
        return time.time() + self._offset

    def time(self) -> int:
        """Unix seconds, as the API reports times."""
        return int(self.now())

    def advance(self, seconds: float) -> float:
        with self._lock:
            if self._frozen:
                self._frozen_at += seconds
            else:
                self._offset += seconds
        return self.now()

    @property
    def frozen(self) -> bool:
        return self._frozen

    def saved(self) -> dict[str, float | bool]:
        """Offset and freeze, for a state file (the clock runs on from there after a restart)."""
        with self._lock:
            return {"offset": self._offset, "frozen": self._frozen, "frozen_at": self._frozen_at}

    def restore(self, saved: dict[str, float | bool]) -> None:
        with self._lock:
            self._offset = float(saved["offset"])
            self._frozen = bool(saved["frozen"])
            self._frozen_at = float(saved["frozen_at"])

    def snapshot(self) -> dict[str, float | bool]:
        return {"now": self.now(), "frozen": self._frozen}
