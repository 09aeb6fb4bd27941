"""In-process routing for ``requests``, ``httpx`` (sync and async) and ``aiohttp``.

``requests`` is routed through its own transport hook (``HTTPAdapter.send``), httpx with
``respx`` and aiohttp with ``aioresponses``. Calls whose URL starts with one of the WeCom
bases go to the emulator; every other call passes through untouched. A library that is not
installed is simply not routed (the network guard still stops it from reaching the real
host).
"""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import io
import json
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from mock_server.core.pipeline import (
    GARBAGE,
    SOCKET_FAULTS,
    ApiRequest,
    ApiResponse,
    parse_query,
)

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host as Emulator

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def dispatch(
    emulator: Emulator,
    method: str,
    url: str,
    body: bytes,
    headers: dict[str, str],
) -> ApiResponse:
    parts = urlsplit(url)
    # ``headers`` is the caller's own fresh dict: kept, not copied again.
    req = ApiRequest(method.upper(), parts.path, parse_query(parts.query), body, headers)
    return emulator.handle(req)


def _headers(resp: ApiResponse) -> dict[str, str]:
    out = dict(resp.headers)
    out["Content-Type"] = resp.content_type
    return out


# -- httpx ------------------------------------------------------------------------------
class _Active:
    """The interceptors in force, innermost last: one patch per library serves them all, so
    intercepts nest (an inner emulator takes the calls until it exits)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stack: list[tuple[Emulator, re.Pattern[str]]] = []
        self.requests: RequestsPatch | None = None
        self.httpx: HttpxPatch | None = None
        self.aiohttp: AiohttpPatch | None = None

    def target(self, url: str) -> Emulator | None:
        for emulator, pattern in reversed(self.stack):
            if pattern.match(url):
                return emulator
        return None

    def union(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p.pattern})" for _, p in self.stack) or "(?!)")


ACTIVE = _Active()


def push(emulator: Emulator, pattern: re.Pattern[str]) -> tuple[Emulator, re.Pattern[str]]:
    """Route requests, httpx and aiohttp calls matching ``pattern`` into ``emulator`` until
    :func:`pop`."""
    entry = (emulator, pattern)
    with ACTIVE.lock:
        ACTIVE.stack.append(entry)
        if len(ACTIVE.stack) == 1:
            if available("requests"):
                ACTIVE.requests = RequestsPatch()
                ACTIVE.requests.start()
            if available("httpx") and available("respx"):
                ACTIVE.httpx = HttpxPatch()
                ACTIVE.httpx.start()
            if available("aiohttp") and available("aioresponses"):
                ACTIVE.aiohttp = AiohttpPatch()
                ACTIVE.aiohttp.start()
        if ACTIVE.aiohttp is not None:
            ACTIVE.aiohttp.match(ACTIVE.union())
    return entry


def pop(entry: tuple[Emulator, re.Pattern[str]]) -> None:
    with ACTIVE.lock:
        if entry in ACTIVE.stack:
            ACTIVE.stack.remove(entry)
        if ACTIVE.stack:
            if ACTIVE.aiohttp is not None:
                ACTIVE.aiohttp.match(ACTIVE.union())
            return
        for patch in (ACTIVE.aiohttp, ACTIVE.httpx, ACTIVE.requests):
            if patch is not None:
                patch.stop()
        ACTIVE.requests = ACTIVE.httpx = ACTIVE.aiohttp = None


def apply_fault(resp: ApiResponse, error: Callable[[str], Exception]) -> None:
    """A fault's delay, then what the library raises for a socket-level fault."""
    if resp.delay:
        time.sleep(resp.delay)
    if resp.transport_fault in SOCKET_FAULTS:
        raise error(resp.transport_fault)


# -- requests ---------------------------------------------------------------------------
class RequestsPatch:
    """``requests``' transport hook: ``HTTPAdapter.send`` answers a WeCom URL from its
    emulator and hands any other call to the ``send`` it replaced (the network, or a mock
    started before). A ``responses`` mock would also do it, with a matcher list walked and
    every request and response kept until it stops; the journal is this record already."""

    def __init__(self) -> None:
        self._saved: Any = None
        self._send: Any = None

    def start(self) -> None:
        from requests.adapters import HTTPAdapter

        saved = HTTPAdapter.send

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            emulator = ACTIVE.target(request.url or "")
            if emulator is None:
                return saved(adapter, request, *args, **kwargs)
            stream = kwargs.get("stream", args[0] if args else False)
            return requests_answer(emulator, adapter, request, stream=bool(stream))

        self._saved, self._send = saved, send
        HTTPAdapter.send = send  # type: ignore[method-assign,assignment]

    def stop(self) -> None:
        from requests.adapters import HTTPAdapter

        # Patched again since (a mock started later, still on): leave ours in its chain; with
        # no emulator active it passes every call through.
        if HTTPAdapter.__dict__.get("send") is self._send:
            HTTPAdapter.send = self._saved  # type: ignore[method-assign]


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


def _request_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if hasattr(body, "read"):  # a file object (streamed upload)
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(c if isinstance(c, bytes) else str(c).encode() for c in body)  # a generator


def requests_answer(emulator: Emulator, adapter: Any, request: Any, stream: bool = False) -> Any:
    """The ``requests.Response`` of one call, with the adapter's retry policy applied to
    the emulator's status codes as urllib3 applies it to a server's.

    Unless the caller streams, the answer is handed over already read, as ``requests``
    leaves it after reading a socket (``content`` set, ``raw`` at its end): reading an
    in-memory answer back in 10 KB chunks through urllib3 only costs time."""
    from requests.exceptions import RetryError
    from urllib3.exceptions import MaxRetryError

    body = _request_bytes(request.body)
    method = request.method or "GET"
    retries = adapter.max_retries
    while True:
        resp = dispatch(emulator, method, request.url or "", body, dict(request.headers))
        apply_fault(resp, connection_error)
        payload = resp.payload()
        response = adapter.build_response(
            request, _urllib3_response(resp, method, b"" if not stream else payload)
        )
        if not stream and response._content is False:
            response._content, response._content_consumed = payload, True
        if not retries.is_retry(
            method=method,
            status_code=response.status_code,
            has_retry_after="Retry-After" in response.headers,
        ):
            return response
        try:
            retries = retries.increment(method=method, url=response.url, response=response.raw)
        except MaxRetryError as exc:
            if retries.raise_on_status:
                raise RetryError(exc, request=request) from None
            return response


class _Exchange:
    """The "original response" of a urllib3 response: ``requests`` reads cookies from its
    ``msg``; urllib3 closes it. Nothing is left open in process (a second urllib3 response
    in its place would cost as much again as the real one)."""

    __slots__ = ("msg",)

    def __init__(self, msg: Any) -> None:
        self.msg = msg

    def close(self) -> None:
        return None

    def isclosed(self) -> bool:
        return True


def _urllib3_response(resp: ApiResponse, method: str, body: bytes) -> Any:
    """A urllib3 response over ``body``, as an HTTP connection would hand it over."""
    from urllib3 import HTTPHeaderDict, HTTPResponse

    headers = HTTPHeaderDict(_headers(resp))
    original = _Exchange(headers)
    return HTTPResponse(
        body=io.BytesIO(body),
        headers=headers,
        status=resp.status,
        reason=http.client.responses.get(resp.status),
        preload_content=False,
        original_response=original,  # type: ignore[arg-type]
        request_method=method,
    )


# -- httpx ------------------------------------------------------------------------------
class HttpxPatch:
    """One ``respx`` router: a WeCom URL goes to its emulator, any other passes through."""

    def __init__(self) -> None:
        self._router: Any = None

    @staticmethod
    def _side_effect(request: Any) -> Any:
        import httpx

        emulator = ACTIVE.target(str(request.url))
        if emulator is None:
            return request  # respx: returning the request means pass-through
        try:
            body = request.content
        except httpx.RequestNotRead:
            body = request.read()
        resp = dispatch(emulator, request.method, str(request.url), body, dict(request.headers))
        apply_fault(resp, lambda kind: httpx_error(kind, request))
        return httpx.Response(resp.status, headers=_headers(resp), content=resp.payload())

    def start(self) -> None:
        import respx

        router = respx.MockRouter(assert_all_called=False, assert_all_mocked=False)
        router.route().mock(side_effect=self._side_effect)
        router.start()
        self._router = router

    def stop(self) -> None:
        if self._router is not None:
            self._router.stop(quiet=True)
            self._router = None


def httpx_error(kind: str, request: Any) -> Exception:
    """What httpx raises when the server resets, closes without answer, or sends garbage."""
    import httpx

    if kind == "reset":
        return httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    if kind == "empty":
        return httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    return httpx.RemoteProtocolError("illegal status line", request=request)


# -- aiohttp ----------------------------------------------------------------------------
async def _aiohttp_body(kwargs: dict[str, Any], headers: dict[str, str]) -> bytes:
    """The bytes aiohttp would have sent for ``data=``/``json=`` (and the Content-Type)."""
    import aiohttp

    if kwargs.get("json") is not None:
        headers.setdefault("Content-Type", "application/json")
        return json.dumps(kwargs["json"], ensure_ascii=False).encode("utf-8")
    data = kwargs.get("data")
    if data is None:
        return b""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, dict | list | tuple):
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urlencode(data).encode("ascii")
    if isinstance(data, aiohttp.FormData):
        payload = data()
    else:
        payload = aiohttp.payload.get_payload(data)
    headers.setdefault("Content-Type", payload.content_type)

    class _Sink:
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        async def write(self, chunk: bytes) -> None:
            self.chunks.append(bytes(chunk))

    sink = _Sink()
    await payload.write(sink)  # type: ignore[arg-type]
    return b"".join(sink.chunks)


_RESPONSE_CLASS: Any = None


def _response_class() -> Any:
    """aiohttp >= 3.14 requires ``stream_writer`` when building a response, which
    aioresponses 0.7.x does not pass yet: give it an already-flushed writer."""
    global _RESPONSE_CLASS
    if _RESPONSE_CLASS is None:
        import inspect

        import aiohttp

        needs_writer = (
            "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters
        )

        class _Flushed:
            output_size = 0

        class Response(aiohttp.ClientResponse):
            def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
                if needs_writer:
                    kwargs.setdefault("stream_writer", _Flushed())
                super().__init__(method, url, **kwargs)

        _RESPONSE_CLASS = Response
    return _RESPONSE_CLASS


class AiohttpPatch:
    """One ``aioresponses`` patch: WeCom URLs go to their emulator, unmatched calls pass
    through to the network."""

    def __init__(self) -> None:
        self._mock: Any = None

    @staticmethod
    async def _callback(url: Any, method: str, **kwargs: Any) -> Any:
        import aiohttp
        from aioresponses import CallbackResult

        emulator = ACTIVE.target(str(url))
        headers = {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items()}
        body = await _aiohttp_body(kwargs, headers)
        if emulator is None:  # the stack changed between match and call: answer as a typo
            raise aiohttp.ClientConnectionError(f"no emulator intercepts {url}")
        resp = dispatch(emulator, method, str(url), body, headers)
        if resp.delay:
            await asyncio.sleep(resp.delay)
        if resp.transport_fault in SOCKET_FAULTS:
            raise aiohttp_error(resp.transport_fault)
        return CallbackResult(
            method=method,
            status=resp.status,
            body=resp.payload(),
            content_type=resp.content_type.split(";")[0],
            headers=_headers(resp),
            response_class=_response_class(),
        )

    def start(self) -> None:
        from aioresponses import aioresponses

        self._mock = aioresponses(passthrough_unmatched=True)
        self._mock.start()

    def match(self, pattern: re.Pattern[str]) -> None:
        """(Re)register the routes for the union of the active bases."""
        mock = self._mock
        mock.clear()
        for method in METHODS:

            async def callback(url: Any, _m: str = method, **kwargs: Any) -> Any:
                return await self._callback(url, _m, **kwargs)

            mock.add(pattern, method=method, callback=callback, repeat=True)

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None


def aiohttp_error(kind: str) -> Exception:
    """What aiohttp raises for a reset, an empty reply, or a garbage status line."""
    import aiohttp

    if kind == "reset":
        return aiohttp.ClientOSError(104, "Connection reset by peer")
    if kind == "empty":
        return aiohttp.ServerDisconnectedError()
    return aiohttp.ClientConnectionError(http.client.BadStatusLine("garbage").args[0])
