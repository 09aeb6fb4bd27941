"""The request journal: a bounded ring of every API call (WireMock's request log)."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

DEFAULT_SIZE = 10_000


class Journal:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.dropped = 0

    @property
    def size(self) -> int:
        return self._entries.maxlen or 0

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            entry["id"] = next(self._seq)
            if len(self._entries) == self._entries.maxlen:
                self.dropped += 1
            self._entries.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.dropped = 0

    def entries(
        self,
        *,
        path: str | None = None,
        endpoint: str | None = None,
        corpid: str | None = None,
        scope: str | None = None,
        errcode: int | None = None,
        method: str | None = None,
        since: float | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Entries oldest first, filtered; ``path`` also matches the name without /cgi-bin/."""
        with self._lock:
            items: Iterable[dict[str, Any]] = list(self._entries)
        out = []
        for e in items:
            if path is not None and path not in (e["path"], e.get("endpoint")):
                continue
            if endpoint is not None and e.get("endpoint") != endpoint:
                continue
            if corpid is not None and e.get("corpid") != corpid:
                continue
            if scope is not None and e.get("scope") != scope:
                continue
            if errcode is not None and e.get("errcode") != errcode:
                continue
            if method is not None and e["method"] != method.upper():
                continue
            if since is not None and e["time"] < since:
                continue
            out.append(e)
        if limit is not None:
            out = out[-limit:]
        return out

    def __len__(self) -> int:
        return len(self._entries)
