"""Network guard: while the emulator intercepts, nothing may reach the real WeCom host.

``intercept()`` routes ``requests``, ``httpx`` and ``aiohttp``; anything else (``urllib``,
``http.client``, ``urllib3`` used directly, raw sockets, a library we do not cover) would
silently go to the internet and send a secret to Tencent. The guard wraps the name
resolution and connection entry points of :mod:`socket`, which every Python client goes
through, and raises :class:`NetworkGuardError` naming the call instead.

Names: only the WeCom hosts are blocked; every other name resolves and connects as usual.
Addresses: a connect to a literal IP address cannot be told apart from one to the WeCom
servers (their addresses are not published and change), so ``socket.connect`` is refused
for every address that is neither loopback nor an answer of a name resolution the guard let
through (``socket.socket(...).connect(("203.0.113.5", 443))`` raises; ``requests`` to another
host, which resolves its name first, still passes).
"""

from __future__ import annotations

import ipaddress
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


def _ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``host`` as an IP address (brackets and an IPv6 zone allowed), None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _is_loopback(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


# Addresses remembered from resolutions the guard let through (bounded: oldest dropped).
VOUCHED_MAX = 4096


class _Guard:
    """Reference-counted patch of the socket module (nested intercepts, several threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: dict[str, Callable[..., Any]] = {}
        self._saved_connect: dict[str, Any] = {}
        self.hosts: set[str] = set(WECOM_HOSTS)
        # Addresses that names other than the blocked hosts resolved to (insertion-ordered).
        self.vouched: dict[str, None] = {}

    def _vouch(self, host: str | None, infos: Any) -> Any:
        """Remember the addresses a (non-blocked) name resolved to: connects to them pass."""
        if host is None or _ip_of(host) is not None or not isinstance(infos, list):
            return infos
        for info in infos:
            try:
                address = str(info[4][0]).split("%", 1)[0]
            except (IndexError, TypeError):
                continue
            self.vouched.pop(address, None)
            self.vouched[address] = None
        while len(self.vouched) > VOUCHED_MAX:
            self.vouched.pop(next(iter(self.vouched)), None)
        return infos

    def allows(self, address: Any) -> bool:
        """Whether ``socket.connect(address)`` may go ahead while the guard is on: loopback,
        a name that is not a blocked host, or an address a let-through name resolved to.
        Non-IP sockets (AF_UNIX paths, ...) are not the network's business here."""
        host = _host_of(address)
        if host is None or not isinstance(address, tuple | list):
            return True
        ip = _ip_of(host)
        if ip is None:
            return host not in self.hosts
        return _is_loopback(ip) or str(ip) in self.vouched

    def _check_connect(self, api: str, address: Any) -> None:
        if self.allows(address):
            return
        host = str(_host_of(address))
        if host in self.hosts:
            self._check(api, host, address[1])
        where = f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
        raise NetworkGuardError(
            f"wecom-mock network guard: {describe_call()} tried to connect to {where} "
            f"(via socket.{api}), a literal address that is neither loopback nor "
            "the answer of a name resolution, while the emulator was intercepting: it may be "
            "the real WeCom API. Connect by host name, or turn the guard off "
            f"(intercept(guard=False), --wecom-no-guard, {ENV_SWITCH}=0)."
        )

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
                name = _host_of(host)
                self._check("getaddrinfo", name, port)
                return self._vouch(name, saved["getaddrinfo"](host, port, *args, **kwargs))

            def gethostbyname(host: str) -> str:
                name = _host_of(host)
                self._check("gethostbyname", name)
                address = str(saved["gethostbyname"](host))
                self._vouch(name, [(0, 0, 0, "", (address, 0))])
                return address

            def gethostbyname_ex(host: str) -> Any:
                name = _host_of(host)
                self._check("gethostbyname_ex", name)
                out = saved["gethostbyname_ex"](host)
                self._vouch(name, [(0, 0, 0, "", (a, 0)) for a in out[2]])
                return out

            def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
                self._check("create_connection", _host_of(address), address[1])
                # Before a socket exists: the stdlib closes it only on OSError.
                self._check_connect("create_connection", address)
                return saved["create_connection"](address, *args, **kwargs)

            socket.getaddrinfo = getaddrinfo
            socket.gethostbyname = gethostbyname
            socket.gethostbyname_ex = gethostbyname_ex
            socket.create_connection = create_connection
            self._install_connect()

    def _install_connect(self) -> None:
        """Wrap ``socket.socket.connect``/``connect_ex``: every Python client (``ssl``, asyncio
        streams, ``create_connection``) ends there, whatever it resolved before."""
        cls = socket.socket
        self._saved_connect = {n: cls.__dict__.get(n) for n in ("connect", "connect_ex")}
        connect, connect_ex = cls.connect, cls.connect_ex

        def guarded_connect(sock: socket.socket, address: Any) -> None:
            self._check_connect("connect", address)
            connect(sock, address)

        def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
            self._check_connect("connect_ex", address)
            return connect_ex(sock, address)

        for name, fn in (("connect", guarded_connect), ("connect_ex", guarded_connect_ex)):
            setattr(cls, name, fn)

    def _uninstall_connect(self) -> None:
        for name, original in self._saved_connect.items():
            if original is None:
                delattr(socket.socket, name)  # inherited from _socket.socket again
            else:
                setattr(socket.socket, name, original)
        self._saved_connect = {}

    def uninstall(self) -> None:
        with self._lock:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth == 0:
                for name, fn in self._saved.items():
                    setattr(socket, name, fn)
                self._saved = {}
                self._uninstall_connect()
                self.hosts = set(WECOM_HOSTS)
                self.vouched = {}

    @property
    def active(self) -> bool:
        return self._depth > 0


GUARD = _Guard()


def install(hosts: Iterable[str] = ()) -> None:
    """Block the WeCom hosts (plus ``hosts``) until the matching :func:`uninstall`."""
    GUARD.install(hosts)


def uninstall() -> None:
    GUARD.uninstall()
