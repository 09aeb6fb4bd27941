"""Big answer lists rendered once, served as slices.

``get_unassigned_list`` and ``get_groupmsg_send_result`` page through tens of thousands of
rows. Building each page's row dicts and encoding them again on every call cost more than
the client's own work, so a source list is rendered once into read-only row dicts plus
their JSON bytes in one buffer; a page is then a slice of both (``Page``). A rendering is
reused while its source list is unchanged (the caller gives a cheap signature), and the
cache is bounded in rows per store.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import orjson

CACHE_ROWS_MAX = 200_000  # rendered rows kept per store (oldest renderings dropped first)


class FrozenRow(dict[str, Any]):
    """An answer row shared by every answer built from one rendering: it cannot be changed
    in place (a caller editing one answer would otherwise change the next). ``dict(row)``
    and ``copy.copy``/``deepcopy`` give an ordinary dict."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("answer rows are read-only; copy one with dict(row)")

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        import copy

        return {k: copy.deepcopy(v, memo) for k, v in self.items()}


@dataclass
class Rendered:
    """Rows of one source list, as answer dicts and as their JSON bytes followed by a comma
    (same order), the bytes kept in one buffer: a page's rows are one contiguous copy away
    from the answer's bytes (not a walk over a thousand small objects spread in memory)."""

    rows: list[FrozenRow] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)  # per row, for bisecting (a seq)
    _pending: list[bytes] = field(default_factory=list)
    _blob: bytes = b""
    _offsets: array[int] = field(default_factory=lambda: array("q", [0]))

    def add(self, row: dict[str, Any], key: int = 0) -> None:
        frozen = FrozenRow(row)
        self.rows.append(frozen)
        self._pending.append(orjson.dumps(frozen) + b",")
        self.keys.append(key)

    def span(self, start: int, end: int) -> memoryview:
        """The bytes of ``rows[start:end]``, each row followed by a comma (a view: the
        answer's encoding is their one copy)."""
        if self._pending:  # rows added since the last span: into the buffer
            offsets, at = self._offsets, self._offsets[-1]
            for raw in self._pending:
                at += len(raw)
                offsets.append(at)
            self._blob += b"".join(self._pending)
            self._pending = []
        return memoryview(self._blob)[self._offsets[start] : self._offsets[end]]


@dataclass
class Page:
    """An answer (without errcode/errmsg) whose list ``key`` holds rendered rows: ``raws``
    are their JSON bytes in chunks (``Rendered.span``: each row followed by a comma), so the
    answer is encoded without walking the rows; ``segments`` say which rows they are
    (``rows[start:end]`` of each sequence). ``body[key]`` stays a placeholder until a reader
    asks for the rows: an answer that is only sent never builds its list of a thousand."""

    body: dict[str, Any]
    key: str
    raws: list[memoryview]
    segments: list[tuple[Sequence[FrozenRow], int, int]]

    @property
    def count(self) -> int:
        return sum(end - start for _, start, end in self.segments)

    def rows(self, limit: int | None = None) -> list[FrozenRow]:
        """The rows (the first ``limit`` of them)."""
        out: list[FrozenRow] = []
        for seq, start, end in self.segments:
            if limit is not None:
                end = min(end, start + limit - len(out))
            out += seq[start:end]
            if limit is not None and len(out) >= limit:
                break
        return out


_lock = threading.Lock()
_caches: weakref.WeakKeyDictionary[object, dict[Hashable, tuple[object, Hashable, Rendered]]] = (
    weakref.WeakKeyDictionary()
)


def rendered(
    owner: object,
    name: Hashable,
    source: object,
    signature: Hashable,
    build: Callable[[Rendered], None],
) -> Rendered:
    """The rendering ``name`` of ``owner`` (a store object) from ``source`` (the list it is
    built from), rebuilt when the source is another object or ``signature`` differs from
    the one it was built with. Callers hold the corp lock."""
    with _lock:
        cache = _caches.get(owner)
        if cache is None:
            cache = _caches[owner] = {}
    hit = cache.get(name)
    if hit is not None and hit[0] is source and hit[1] == signature:
        return hit[2]
    out = Rendered()
    build(out)
    cache.pop(name, None)
    cache[name] = (source, signature, out)
    total = sum(len(r.rows) for _, _, r in cache.values())
    while total > CACHE_ROWS_MAX and len(cache) > 1:
        oldest = next(iter(cache))
        total -= len(cache.pop(oldest)[2].rows)
    return out


def encode(body: dict[str, Any], key: str, raws: list[memoryview]) -> bytes:
    """``orjson.dumps(body)`` where ``raws`` are the bytes of ``body[key]``'s rows, each
    followed by a comma: the small rest is encoded around them (the entries before and
    after ``key`` one dict each) and the whole answer is copied once."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    side = before
    for k, v in body.items():
        if k == key:
            side = after
        else:
            side[k] = v
    start = orjson.dumps(before)[:-1] + (b"," if before else b"") + orjson.dumps(key) + b":["
    end = b"]" + (b"," + orjson.dumps(after)[1:] if after else b"}")
    parts: list[bytes | memoryview] = [start, *raws]
    if raws:
        parts[-1] = raws[-1][:-1]  # the last row's comma
    parts.append(end)
    return b"".join(parts)
