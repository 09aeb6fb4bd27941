"""Progress on long work (big fixtures, scenario runs), on stderr.

Off unless a command turns it on with :func:`enable`; then shown only when stderr is a
terminal (never in CI logs or pipes) and not with ``--quiet`` or ``WECOM_MOCK_QUIET=1``.
Library code calls :func:`bar` and :func:`note` unconditionally: both are free when off.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

_ENABLED = False


def enable(quiet: bool = False) -> bool:
    """Turn progress on for this process if stderr is a TTY and nobody asked for quiet."""
    global _ENABLED
    _ENABLED = (
        not quiet
        and os.environ.get("WECOM_MOCK_QUIET", "") not in ("1", "true", "yes")
        and sys.stderr.isatty()
    )
    return _ENABLED


def enabled() -> bool:
    return _ENABLED


class _Null:
    def update(self, n: int = 1) -> None:
        pass

    def set_description_str(self, text: str) -> None:
        pass


@contextlib.contextmanager
def bar(total: int | None, desc: str, unit: str = "it") -> Iterator[Any]:
    """A tqdm bar when enabled, else an object whose ``update`` does nothing."""
    if not _ENABLED:
        yield _Null()
        return
    from tqdm import tqdm

    with tqdm(
        total=total, desc=desc, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True
    ) as t:
        yield t


def note(text: str) -> None:
    """A one-line status (a stage starting) when enabled."""
    if _ENABLED:
        print(f"wecom-mock: {text}", file=sys.stderr, flush=True)
