"""Put on PYTHONPATH by ``wecom-mock run``: WeCom calls of an unmodified Python app go to the
emulator.

Self-contained on purpose (standard library only): the app may run in another interpreter
or virtualenv that does not have wecom-mock installed. ``WECOM_MOCK_URL`` names the server.

* ``requests``: sessions get a transport adapter mounted for the WeCom hosts.
* ``httpx``: clients get a transport mounted for the WeCom hosts (``mounts=``).
* ``aiohttp``: ``ClientSession`` requests to the WeCom hosts are sent to the server.
* Anything else that tries to reach a WeCom host (``urllib``, raw sockets) fails with an
  error naming the host instead of reaching the internet.

Libraries are patched when the app imports them (an import hook), so an app that never
imports them pays nothing. Another ``sitecustomize`` later on the path still runs.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import socket
import sys
from typing import Any
from urllib.parse import urlsplit

HOSTS = frozenset(
    h.strip().lower()
    for h in os.environ.get("WECOM_MOCK_HOSTS", "qyapi.weixin.qq.com").split(",")
    if h.strip()
)


def _target() -> tuple[str, str, int] | None:
    url = os.environ.get("WECOM_MOCK_URL", "")
    parts = urlsplit(url)
    if not parts.hostname or not parts.port:
        return None
    return parts.scheme or "http", parts.hostname, parts.port


TARGET = _target()


def _is_wecom(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return isinstance(host, str) and host.lower().rstrip(".") in HOSTS


def _rewrite(url: str) -> str:
    assert TARGET is not None
    scheme, host, port = TARGET
    parts = urlsplit(url)
    rest = parts.path or "/"
    if parts.query:
        rest += "?" + parts.query
    return f"{scheme}://{host}:{port}{rest}"


# -- requests -----------------------------------------------------------------------------
def _patch_requests(sessions: Any) -> None:
    from requests.adapters import HTTPAdapter

    class WeComAdapter(HTTPAdapter):
        def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            request.url = _rewrite(request.url)
            kwargs["proxies"] = {}  # the emulator is local
            return super().send(request, **kwargs)

    original = sessions.Session.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        for host in HOSTS:
            for scheme in ("https://", "http://"):
                self.mount(scheme + host + "/", WeComAdapter())

    sessions.Session.__init__ = __init__


# -- httpx --------------------------------------------------------------------------------
def _patch_httpx(httpx: Any) -> None:
    assert TARGET is not None
    scheme, thost, tport = TARGET

    def _to_server(request: Any) -> None:
        request.url = request.url.copy_with(scheme=scheme, host=thost, port=tport)
        request.headers["Host"] = f"{thost}:{tport}"

    class Transport(httpx.HTTPTransport):
        def handle_request(self, request: Any) -> Any:
            _to_server(request)
            return super().handle_request(request)

    class AsyncTransport(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: Any) -> Any:
            _to_server(request)
            return await super().handle_async_request(request)

    def wrap(cls: Any, transport: Any) -> None:
        original = cls.__init__

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            mounts = dict(kwargs.get("mounts") or {})
            for host in HOSTS:
                mounts.setdefault(f"all://{host}", transport())
            kwargs["mounts"] = mounts
            original(self, *args, **kwargs)

        cls.__init__ = __init__

    wrap(httpx.Client, Transport)
    wrap(httpx.AsyncClient, AsyncTransport)


# -- aiohttp ------------------------------------------------------------------------------
def _patch_aiohttp(client: Any) -> None:
    from yarl import URL

    assert TARGET is not None
    scheme, thost, tport = TARGET
    original = client.ClientSession._request

    async def _request(self: Any, method: str, str_or_url: Any, *args: Any, **kwargs: Any) -> Any:
        build = getattr(self, "_build_url", None)
        url = build(str_or_url) if build is not None else URL(str(str_or_url))
        if url.absolute and _is_wecom(url.host):
            str_or_url = url.with_scheme(scheme).with_host(thost).with_port(tport)
            kwargs["proxy"] = None
            base = getattr(self, "_base_url", None)
            if base is not None:  # an absolute URL must not be joined to the base
                self._base_url = None
                try:
                    return await original(self, method, str_or_url, *args, **kwargs)
                finally:
                    self._base_url = base
        return await original(self, method, str_or_url, *args, **kwargs)

    client.ClientSession._request = _request


# -- everything else: the guard ------------------------------------------------------------
def _guard() -> None:
    getaddrinfo, create_connection = socket.getaddrinfo, socket.create_connection

    def refuse(host: Any, how: str) -> None:
        raise RuntimeError(
            f"wecom-mock run: a connection to {host} ({how}) was made by a library that "
            "wecom-mock does not route (requests, httpx and aiohttp are routed); it was "
            "stopped so nothing reaches the real WeCom API. Use a routed library, or the "
            "HTTPS mode (HTTPS_PROXY and the local CA)."
        )

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_wecom(host):
            refuse(host, "socket.getaddrinfo")
        return getaddrinfo(host, *args, **kwargs)

    def guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_wecom(address[0]):
            refuse(address[0], "socket.create_connection")
        return create_connection(address, *args, **kwargs)

    socket.getaddrinfo = guarded_getaddrinfo
    socket.create_connection = guarded_create_connection


# -- import hook --------------------------------------------------------------------------
PATCHERS = {
    "requests.sessions": _patch_requests,
    "httpx": _patch_httpx,
    "aiohttp.client": _patch_aiohttp,
}


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, patch: Any) -> None:
        self.loader = loader
        self.patch = patch

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.loader.exec_module(module)
        self.patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        patch = PATCHERS.get(name)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


def _chain() -> None:
    """Run the ``sitecustomize`` this one shadows, if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    ours = sys.modules.pop("sitecustomize", None)
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        import sitecustomize  # noqa: F401
    except ImportError:
        pass
    finally:
        sys.path[:] = saved
        if ours is not None:
            sys.modules["sitecustomize"] = ours


if TARGET is not None:
    for _name, _patch in PATCHERS.items():
        if _name in sys.modules:
            _patch(sys.modules[_name])
    sys.meta_path.insert(0, _Finder())
    _guard()
_chain()
