"""Containers that note which keys a call reached (what the next flush looks at)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


# ---------------------------------------------------------------------------------------
# Change tracking on a store's top-level containers
# ---------------------------------------------------------------------------------------
class TrackedDict(dict[Any, Any]):
    """A dict that remembers which keys were reached (read or written) since the last flush.

    Reading counts: a handler may change the value it got in place. ``values()``/``items()``
    mark the whole dict (compared row by row at the flush). Removed keys are noted apart
    (``_removed``): the flush writes a tombstone for exactly those.
    """

    __slots__ = ("_all", "_removed", "_touched")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._touched: set[Any] = set()
        self._removed: set[Any] = set()
        self._all = False

    def __getitem__(self, key: Any) -> Any:
        self._touched.add(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._touched.add(key)
        return super().get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._touched.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._removed.add(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._touched.add(key)
        return super().setdefault(key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        if super().__contains__(key):
            self._removed.add(key)
        return super().pop(key, *default)

    def popitem(self) -> tuple[Any, Any]:
        item = super().popitem()
        self._removed.add(item[0])
        return item

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._all = True
        super().update(*args, **kwargs)

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[misc]
        self._all = True
        super().update(other)
        return self

    def clear(self) -> None:
        self._removed.update(super().keys())
        super().clear()

    def values(self) -> Any:
        self._all = True
        return super().values()

    def items(self) -> Any:
        self._all = True
        return super().items()

    def copy(self) -> dict[Any, Any]:
        self._all = True
        return dict(super().items())

    def __reduce__(self) -> Any:  # pickled (deep copies, exports) as a plain dict
        return (dict, (dict(super().items()),))


class TrackedList(list[Any]):
    """A list stored one row per element: appends and cuts at the front (a bounded log such
    as the inbox) are written as such; anything else rewrites the list at the next flush."""

    __slots__ = ("_all", "_appended", "_front_cut")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._all = False
        self._appended = 0
        self._front_cut = 0

    def __getitem__(self, i: Any) -> Any:
        self._all = True
        return super().__getitem__(i)

    def __iter__(self) -> Iterator[Any]:
        self._all = True
        return super().__iter__()

    def __reversed__(self) -> Iterator[Any]:
        self._all = True
        return super().__reversed__()

    def __setitem__(self, i: Any, v: Any) -> None:
        self._all = True
        super().__setitem__(i, v)

    def __delitem__(self, i: Any) -> None:
        if (
            isinstance(i, slice)
            and i.start in (None, 0)
            and i.step in (None, 1)
            and i.stop is not None
            and i.stop >= 0
        ):
            n = min(i.stop, len(self))
            appended_cut = max(0, n - (len(self) - self._appended))
            self._appended -= appended_cut
            self._front_cut += n - appended_cut
        else:
            self._all = True
        super().__delitem__(i)

    def __iadd__(self, other: Any) -> TrackedList:  # type: ignore[misc]
        self.extend(other)
        return self

    def append(self, v: Any) -> None:
        self._appended += 1
        super().append(v)

    def extend(self, v: Any) -> None:
        before = len(self)
        super().extend(v)
        self._appended += len(self) - before

    def insert(self, i: Any, v: Any) -> None:
        self._all = True
        super().insert(i, v)

    def pop(self, *a: Any) -> Any:
        self._all = True
        return super().pop(*a)

    def remove(self, v: Any) -> None:
        self._all = True
        super().remove(v)

    def clear(self) -> None:
        self._all = True
        super().clear()

    def sort(self, *a: Any, **k: Any) -> None:
        self._all = True
        super().sort(*a, **k)

    def reverse(self) -> None:
        self._all = True
        super().reverse()

    def copy(self) -> list[Any]:
        self._all = True
        return list(super().__iter__())

    def _reset(self) -> None:
        self._all = False
        self._appended = 0
        self._front_cut = 0

    def __reduce__(self) -> Any:
        return (list, (list(super().__iter__()),))
