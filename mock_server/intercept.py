"""In-process mode: ``requests``, ``httpx`` and ``aiohttp`` calls to the WeCom host go to the
emulator, no sockets.

``requests`` is routed with ``responses``, ``httpx`` with ``respx``, ``aiohttp`` with
``aioresponses``; every other host passes through untouched. The network guard
(``mock_server.netguard``) makes anything else that tries to reach the real WeCom host fail
loudly instead of leaving the machine.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import responses

from mock_server.pipeline import ApiRequest

if TYPE_CHECKING:
    from requests import PreparedRequest

    from mock_server.emulator import Emulator

DEFAULT_BASES = ("https://qyapi.weixin.qq.com", "http://qyapi.weixin.qq.com")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


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


class Interceptor(contextlib.ContextDecorator):
    """Context manager and decorator; ``__enter__`` returns the emulator."""

    def __init__(
        self,
        emulator: Emulator,
        *,
        base_urls: Sequence[str] | None = None,
        guard: bool | None = None,
    ) -> None:
        from mock_server import netguard

        self.emulator = emulator
        self.bases = _bases(base_urls)
        # None: on unless WECOM_MOCK_GUARD=0
        self.guard = (not netguard.guard_disabled_by_env()) if guard is None else guard
        self._mock: responses.RequestsMock | None = None
        self._routes: list[Any] = []
        self._guarded = False

    def _callback(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        from mock_server.faults.transport import apply_inprocess_fault

        parts = urlsplit(prepared.url or "")
        body = prepared.body
        if body is None:
            raw = b""
        elif isinstance(body, str):
            raw = body.encode("utf-8")
        elif isinstance(body, bytes | bytearray):
            raw = bytes(body)
        else:  # a generator or file object (streamed upload)
            raw = b"".join(c if isinstance(c, bytes) else str(c).encode() for c in body)
        req = ApiRequest.from_url_parts(
            prepared.method or "GET", parts.path, parts.query, raw, dict(prepared.headers)
        )
        resp = self.emulator.handle(req)
        apply_inprocess_fault(resp)
        headers = dict(resp.headers)
        headers["Content-Type"] = resp.content_type
        return resp.status, headers, resp.payload()

    def start(self) -> Emulator:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        hosts = "|".join(re.escape(b) for b in self.bases)
        # One pattern for every base: responses tries each registration in turn per call.
        pattern = re.compile(rf"(?:{hosts})(/.*)?(\?.*)?$")
        for method in METHODS:
            mock.add_callback(method, pattern, callback=self._callback)
        mock.add_passthru(re.compile(rf"^(?!(?:{hosts})(?:[/?]|$))"))
        mock.start()
        self._mock = mock
        from mock_server import intercept_libs

        self._routes.append(intercept_libs.push(self.emulator, pattern))
        if self.guard:
            from mock_server import netguard

            netguard.install()
            self._guarded = True
        return self.emulator

    def stop(self) -> None:
        if self._guarded:
            from mock_server import netguard

            netguard.uninstall()
            self._guarded = False
        from mock_server import intercept_libs

        for entry in reversed(self._routes):
            intercept_libs.pop(entry)
        self._routes = []
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def intercept(
    fixtures: Sequence[Any] | None = None,
    *,
    base_urls: Sequence[str] | None = None,
    guard: bool | None = None,
    **kwargs: Any,
) -> Interceptor:
    """Like moto's ``mock_aws``: a fresh emulator, with ``requests``, ``httpx`` and
    ``aiohttp`` routed into it and the network guard on (``guard=False`` turns it off).

    >>> with intercept() as wecom:
    ...     requests.get("https://qyapi.weixin.qq.com/cgi-bin/gettoken", params=...)
    """
    from mock_server.emulator import Emulator

    return Interceptor(Emulator(fixtures, **kwargs), base_urls=base_urls, guard=guard)
