"""In-process transport: ``requests`` calls to the WeCom host go to an engine, no sockets.

Built on the ``responses`` library; every other host passes through untouched. A socket
fault (reset, empty reply, garbage) raises exactly what ``requests`` raises for it:
``requests.ConnectionError`` with the same inner error.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlsplit

from mock_server.core.pipeline import GARBAGE, SOCKET_FAULTS, ApiRequest, ApiResponse

if TYPE_CHECKING:
    import responses
    from requests import PreparedRequest

    from mock_server.core.pipeline import Host

E = TypeVar("E", bound="Host")

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
        import responses  # only when interception starts: ``wecom-mock serve`` never needs it

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


def connection_error(kind: str) -> Exception:
    """The exception ``requests`` raises for this socket fault (same type, same inner error)."""
    import requests
    from urllib3.exceptions import ProtocolError

    if kind == "reset":
        inner: Exception = ConnectionResetError(104, "Connection reset by peer")
    elif kind == "empty":
        inner = http.client.RemoteDisconnected("Remote end closed connection without response")
    else:
        inner = http.client.BadStatusLine(GARBAGE.decode("latin-1"))
    return requests.ConnectionError(ProtocolError("Connection aborted.", inner))


def apply_inprocess_fault(resp: ApiResponse) -> None:
    """Raise what ``requests`` would raise for a socket-level fault, in-process."""
    if resp.delay:
        time.sleep(resp.delay)
    if resp.transport_fault in SOCKET_FAULTS:
        raise connection_error(resp.transport_fault)
