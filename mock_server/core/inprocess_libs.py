"""In-process routing for ``httpx`` (sync and async) and ``aiohttp``, next to ``requests``.

Each library is routed with the tool made for it: ``respx`` for httpx, ``aioresponses`` for
aiohttp. Calls whose URL starts with one of the WeCom bases go to the emulator; every other
call passes through untouched. A library that is not installed is simply not routed (the
network guard still stops it from reaching the real host).
"""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import json
import re
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from mock_server.core.pipeline import ApiRequest, ApiResponse

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host as Emulator

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
SOCKET_FAULTS = ("reset", "empty", "garbage")


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
    req = ApiRequest.from_url_parts(method, parts.path, parts.query, body, headers)
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
    """Route httpx and aiohttp calls matching ``pattern`` into ``emulator`` until :func:`pop`."""
    entry = (emulator, pattern)
    with ACTIVE.lock:
        ACTIVE.stack.append(entry)
        if len(ACTIVE.stack) == 1:
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
        for patch in (ACTIVE.aiohttp, ACTIVE.httpx):
            if patch is not None:
                patch.stop()
        ACTIVE.httpx = ACTIVE.aiohttp = None


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
        if resp.delay:
            time.sleep(resp.delay)
        if resp.transport_fault in SOCKET_FAULTS:
            raise httpx_error(resp.transport_fault, request)
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
