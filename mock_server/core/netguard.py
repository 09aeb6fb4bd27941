"""Network guard: while the emulator intercepts, nothing may reach the real WeCom host.

``intercept()`` routes ``requests``, ``httpx`` and ``aiohttp``; anything else (``urllib``,
``http.client``, ``urllib3`` used directly, raw sockets, a library we do not cover) would
silently go to the internet and send a secret to Tencent. The guard wraps the name
resolution and connection entry points of :mod:`socket`, which every Python client goes
through, and raises :class:`NetworkGuardError` naming the call instead.

Only the WeCom hosts are blocked; every other host resolves and connects as usual.
"""

from __future__ import annotations

import os
import socket
import sys
import sysconfig
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# The hosts of the real server API (what SDKs hard-code).
WECOM_HOSTS = frozenset({"qyapi.weixin.qq.com"})
ENV_SWITCH = "WECOM_MOCK_GUARD"  # "0" turns the guard off everywhere


class NetworkGuardError(RuntimeError):
    """A call tried to reach the real WeCom API while the emulator was intercepting.

    Deliberately not an ``OSError``: client libraries catch those and retry or wrap them;
    this one must stop the test where it happens.
    """


def guard_disabled_by_env() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip().lower() in ("0", "false", "no", "off")


_LIB_DIRS = tuple(
    str(Path(p).resolve())
    for p in {sysconfig.get_paths().get("stdlib"), sysconfig.get_paths().get("purelib")}
    if p
)
_OWN_DIR = str(Path(__file__).resolve().parent)


def _is_library(filename: str) -> bool:
    if filename.startswith("<"):
        return True  # frozen importlib and friends
    try:
        path = str(Path(filename).resolve())
    except OSError:
        return True
    return (
        path.startswith(_LIB_DIRS)
        or path.startswith(_OWN_DIR)
        or "site-packages" in path
        or "dist-packages" in path
    )


def describe_call() -> str:
    """``urllib.request.urlopen (called from tests/test_app.py:12)``: the library entry point
    that the application called, found by walking the stack from the application side."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_OWN_DIR)]
    user = [i for i, f in enumerate(frames) if not _is_library(f.filename)]
    if user and user[-1] + 1 < len(frames):
        caller, called = frames[user[-1]], frames[user[-1] + 1]
        return f"{_qualname(called)} (called from {caller.filename}:{caller.lineno})"
    last = frames[-1] if frames else None
    return f"{last.name} in {last.filename}:{last.lineno}" if last else "an unknown caller"


def _qualname(frame: traceback.FrameSummary) -> str:
    module = ""
    for mod_name, mod in list(sys.modules.items()):
        if getattr(mod, "__file__", None) == frame.filename:
            module = mod_name
            break
    return f"{module}.{frame.name}" if module else f"{frame.name} ({frame.filename})"


def _host_of(address: Any) -> str | None:
    if isinstance(address, tuple | list) and address:
        host = address[0]
    else:
        host = address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return host.lower().rstrip(".") if isinstance(host, str) else None


class _Guard:
    """Reference-counted patch of the socket module (nested intercepts, several threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: dict[str, Callable[..., Any]] = {}
        self.hosts: set[str] = set(WECOM_HOSTS)

    def _check(self, api: str, host: str | None, port: Any = None) -> None:
        if host is not None and host in self.hosts:
            where = f"{host}:{port}" if port not in (None, 0) else host
            raise NetworkGuardError(
                f"wecom-mock network guard: {describe_call()} tried to reach the real WeCom API "
                f"({where}, via socket.{api}) while the emulator was intercepting. Only "
                "requests, httpx and aiohttp are routed into the emulator; use one of them, or a "
                "live server (`wecom-mock run -- CMD`, the wecom_server fixture), or turn the "
                f"guard off (intercept(guard=False), --wecom-no-guard, {ENV_SWITCH}=0)."
            )

    def install(self, hosts: Iterable[str] = ()) -> None:
        with self._lock:
            self.hosts.update(h.lower() for h in hosts)
            self._depth += 1
            if self._depth > 1:
                return
            saved = {
                name: getattr(socket, name)
                for name in (
                    "getaddrinfo",
                    "gethostbyname",
                    "gethostbyname_ex",
                    "create_connection",
                )
            }
            self._saved = saved

            def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
                self._check("getaddrinfo", _host_of(host), port)
                return saved["getaddrinfo"](host, port, *args, **kwargs)

            def gethostbyname(host: str) -> str:
                self._check("gethostbyname", _host_of(host))
                return str(saved["gethostbyname"](host))

            def gethostbyname_ex(host: str) -> Any:
                self._check("gethostbyname_ex", _host_of(host))
                return saved["gethostbyname_ex"](host)

            def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
                self._check("create_connection", _host_of(address), address[1])
                return saved["create_connection"](address, *args, **kwargs)

            socket.getaddrinfo = getaddrinfo
            socket.gethostbyname = gethostbyname
            socket.gethostbyname_ex = gethostbyname_ex
            socket.create_connection = create_connection

    def uninstall(self) -> None:
        with self._lock:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth == 0:
                for name, fn in self._saved.items():
                    setattr(socket, name, fn)
                self._saved = {}
                self.hosts = set(WECOM_HOSTS)

    @property
    def active(self) -> bool:
        return self._depth > 0


GUARD = _Guard()


def install(hosts: Iterable[str] = ()) -> None:
    """Block the WeCom hosts (plus ``hosts``) until the matching :func:`uninstall`."""
    GUARD.install(hosts)


def uninstall() -> None:
    GUARD.uninstall()
