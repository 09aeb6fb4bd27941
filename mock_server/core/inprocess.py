"""In-process transport: ``requests``, ``httpx`` and ``aiohttp`` calls to the WeCom host go to
an engine, no sockets.

``inprocess_libs`` routes each library: ``requests`` through its transport hook, httpx with
``respx``, aiohttp with ``aioresponses``; every other host passes through untouched. While
intercepting, the network guard (``netguard``) makes any other way to the real WeCom host
fail loudly. A socket fault (reset, empty reply, garbage) raises exactly what each library
raises for it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

E = TypeVar("E", bound="Host")

DEFAULT_BASES = ("https://qyapi.weixin.qq.com", "http://qyapi.weixin.qq.com")


def _bases(extra: Sequence[str] | None) -> list[str]:
    bases = list(DEFAULT_BASES)
    env = os.environ.get("WECOM_API_BASE")
    if env and env.startswith("http"):
        bases.append(env)
    bases.extend(extra or ())
    out = []
    for b in bases:
        b = b.rstrip("/")
        if b.endswith("/cgi-bin"):
            b = b[: -len("/cgi-bin")]
        if b not in out:
            out.append(b)
    return out


class Interceptor(contextlib.ContextDecorator, Generic[E]):
    """Context manager and decorator; ``__enter__`` returns the emulator."""

    def __init__(
        self, emulator: E, *, base_urls: Sequence[str] | None = None, guard: bool | None = None
    ) -> None:
        from mock_server.core import netguard

        self.emulator = emulator
        self.bases = _bases(base_urls)
        # None: on unless WECOM_MOCK_GUARD=0
        self.guard = (not netguard.guard_disabled_by_env()) if guard is None else guard
        self._routes: list[Any] = []
        self._guarded = False

    def start(self) -> E:
        hosts = "|".join(re.escape(b) for b in self.bases)
        pattern = re.compile(rf"(?:{hosts})(/.*)?(\?.*)?$")
        from mock_server.core import inprocess_libs, netguard

        self._routes.append(inprocess_libs.push(self.emulator, pattern))
        if self.guard:
            netguard.install()
            self._guarded = True
        return self.emulator

    def stop(self) -> None:
        from mock_server.core import inprocess_libs, netguard

        if self._guarded:
            netguard.uninstall()
            self._guarded = False
        for entry in reversed(self._routes):
            inprocess_libs.pop(entry)
        self._routes = []

    def __enter__(self) -> E:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
