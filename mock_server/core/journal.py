"""The request journal: a bounded ring of every API call (WireMock's request log).

Bounded twice: by entries (``size``, 10,000) and by bytes (``max_bytes``, 32 MiB of the
entries' estimated size); the oldest entries go first. Request bodies over ``BODY_LIMIT``
bytes are kept as a short preview (see ``Engine.record``), so 10,000 one-megabyte POSTs
cost a few megabytes, not ten gigabytes.

Recording runs on every API call, reading rarely: an API call's entry keeps its query as
it came and a small answer as the bytes already encoded for the transport; ``entries()``
renders them (credentials masked, long text and lists cut) for the reader. Bytes are also
invisible to the garbage collector, which would otherwise walk 10,000 answers' objects.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

import orjson

from mock_server.core import jsonsafe

DEFAULT_SIZE = 10_000
MAX_SIZE = 1_000_000  # entries; more is refused by the CLI and the constructor
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
BODY_LIMIT = 4096  # request bodies larger than this are journaled as a preview
TEXT_LIMIT = 2048  # query values, errmsg, notes: longer text is cut
ENTRY_OVERHEAD = 600  # bytes of a small entry (dict, keys, numbers)
LIST_LIMIT = 20  # an answer's top-level lists are shown cut to this many items
# A larger answer is kept as a dict with its lists cut: holding every big answer's bytes
# would make each call's encoding a fresh allocation instead of reusing freed memory.
ANSWER_BYTES_KEPT = 16 * 1024
# Private keys of a recorded call, rendered by ``entries()``.
RAW_QUERY = "_query"
RAW_ANSWER = "_answer"


def entry_bytes(entry: dict[str, Any]) -> int:
    """A cheap estimate of an entry's memory: its text lengths plus a fixed overhead.

    The flat top level is summed inline; a nested value (a request body, the first rows of
    an answer) counts by its JSON length, which orjson gives in microseconds, and is walked
    only when it is no JSON.
    """
    total = ENTRY_OVERHEAD
    for k, v in entry.items():
        total += len(k) + 16
        t = type(v)
        if t is str:
            total += len(v)
        elif v is None or t is int or t is float or t is bool:
            total += 16
        else:
            try:
                total += len(orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS))
            except TypeError:  # bytes, objects, huge ints (orjson's error is a TypeError)
                total += _walked_bytes(v)
    return total


def _walked_bytes(value: Any) -> int:
    total = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            for k, v in item.items():
                total += len(k) + 16 if isinstance(k, str) else 16
                stack.append(v)
        elif isinstance(item, list | tuple):
            total += 8 * len(item)
            stack.extend(item)
        else:
            total += 16
    return total


class Journal:
    def __init__(self, size: int = DEFAULT_SIZE, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if not 1 <= size <= MAX_SIZE:
            raise ValueError(f"journal size must be between 1 and {MAX_SIZE}")
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._sizes: deque[int] = deque()
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.dropped = 0
        self.max_bytes = max_bytes
        self.bytes = 0

    @property
    def size(self) -> int:
        return self._entries.maxlen or 0

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append an entry, sized by walking it."""
        self._append(entry, entry_bytes(entry))
        return entry

    def record_call(
        self, entry: dict[str, Any], query: dict[str, str], answer: bytes | None
    ) -> None:
        """Append an API call's entry: ``query`` as it came, ``answer`` encoded (or None).

        Sized from lengths already known (no walk of the entry); rendered on read.
        """
        size = ENTRY_OVERHEAD + len(entry["path"])
        for k, v in query.items():
            size += len(k) + len(v) + 32
        body = entry.get("body")
        if body is not None:
            size += len(body) if type(body) is str else entry_bytes({"body": body})
        for key in ("response", "fault", "warnings", "notes"):
            if key in entry:
                size += entry_bytes({key: entry[key]})
        entry[RAW_QUERY] = query
        if answer is not None:
            entry[RAW_ANSWER] = answer
            size += len(answer)
        self._append(entry, size)

    def _append(self, entry: dict[str, Any], size: int) -> None:
        """Number the entry and keep it; the oldest go while over either bound."""
        with self._lock:
            entry["id"] = next(self._seq)
            if len(self._entries) == self._entries.maxlen:
                self.dropped += 1
                self.bytes -= self._sizes.popleft()
            self._entries.append(entry)
            self._sizes.append(size)
            self.bytes += size
            while self.bytes > self.max_bytes and len(self._entries) > 1:
                self._entries.popleft()
                self.bytes -= self._sizes.popleft()
                self.dropped += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self.bytes = 0
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
        return [rendered(e) for e in out]

    def __len__(self) -> int:
        return len(self._entries)


def rendered(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as readers see it: a recorded call's query masked and cut, its answer decoded
    with long lists cut. A fresh dict: a reader's change does not reach the journal."""
    if RAW_QUERY not in entry:
        return dict(entry)
    out = {k: v for k, v in entry.items() if k != RAW_QUERY and k != RAW_ANSWER}
    query = {k: cut_text(v) for k, v in entry[RAW_QUERY].items()}
    if "access_token" in query:
        query["access_token"] = query["access_token"][:8] + "..."
    if "key" in query:  # the robot webhook key is its credential
        query["key"] = query["key"][:8] + "..."
    if "corpsecret" in query:
        query["corpsecret"] = "***"
    out["query"] = query
    answer = entry.get(RAW_ANSWER)
    if answer is not None:
        try:  # integers past 64 bits stay integers (orjson alone reads them as floats)
            value = jsonsafe.loads(answer)
        except ValueError:  # what untrusted input may not be (nested deeper): still ours
            value = json.loads(answer)
        out["response"] = bounded(value)
    return out


def bounded(body: dict[str, Any]) -> dict[str, Any]:
    """The answer as the journal shows it: long top-level lists cut (memory stays bounded)."""
    out = body
    for k, v in body.items():
        if isinstance(v, list) and len(v) > LIST_LIMIT:
            if out is body:
                out = dict(body)
            out[k] = cut_list(v, len(v))
    return out


def cut_list(items: list[Any], total: int) -> list[Any]:
    """The first ``LIST_LIMIT`` of a list of ``total`` items (``items`` holds at least
    those), then a marker saying how many more there are."""
    if total <= LIST_LIMIT:
        return list(items[:total])
    return [*items[:LIST_LIMIT], f"... {total - LIST_LIMIT} more"]


def cut_text(value: Any) -> Any:
    """Long text (a 50 KB query value echoed in an errmsg) is cut for the journal."""
    if isinstance(value, str) and len(value) > TEXT_LIMIT:
        return value[:TEXT_LIMIT] + f"...<{len(value)} chars>"
    return value
