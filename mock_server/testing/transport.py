"""In-process transport: ``requests`` calls to the WeCom host go to an engine, no sockets.

Built on the ``responses`` library; every other host passes through untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlsplit

import responses

from mock_server.core.pipeline import ApiRequest

if TYPE_CHECKING:
    from requests import PreparedRequest

    from mock_server.core.engine import Engine

E = TypeVar("E", bound="Engine")

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


class Interceptor(contextlib.ContextDecorator, Generic[E]):
    """Context manager and decorator; ``__enter__`` returns the emulator."""

    def __init__(self, emulator: E, *, base_urls: Sequence[str] | None = None) -> None:
        self.emulator = emulator
        self.bases = _bases(base_urls)
        self._mock: responses.RequestsMock | None = None

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

    def start(self) -> E:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        hosts = "|".join(re.escape(b) for b in self.bases)
        # One pattern for every base: responses tries each registration in turn per call.
        pattern = re.compile(rf"(?:{hosts})(/.*)?(\?.*)?$")
        for method in METHODS:
            mock.add_callback(method, pattern, callback=self._callback)
        mock.add_passthru(re.compile(rf"^(?!(?:{hosts})(?:[/?]|$))"))
        mock.start()
        self._mock = mock
        return self.emulator

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    def __enter__(self) -> E:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
