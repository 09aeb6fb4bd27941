"""The HTTPS mode: TLS for qyapi.weixin.qq.com in front of the emulator's HTTP server.

Two listeners, each a thin byte relay to the HTTP server (one thread per connection):

* **proxy** (``HTTPS_PROXY=http://127.0.0.1:PORT``): answers ``CONNECT`` for the WeCom hosts
  by terminating TLS with a certificate from the user's local CA. ``CONNECT`` to any other
  host is refused with ``403`` (or, with ``passthrough=True``, relayed blindly as a plain
  TCP tunnel: no TLS is terminated and nothing is read). A plain-HTTP proxy request for
  ``http://qyapi.weixin.qq.com/...`` is served too. It is not a general-purpose proxy.
* **direct** TLS on a port, for a hosts-file mapping of qyapi.weixin.qq.com to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

from mock_server.core.netguard import WECOM_HOSTS
from mock_server.web.localca import LocalCA, ensure_ca

log = logging.getLogger("mock_server")
MAX_HEAD = 16 * 1024
IDLE_TIMEOUT = 120.0


def server_context(ca: LocalCA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(ca.leaf_cert_path), str(ca.leaf_key_path))
    ctx.set_alpn_protocols(["http/1.1"])  # the emulator speaks HTTP/1.1
    return ctx


def relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until one side closes (TLS-aware: drains ``pending()``)."""
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ, b)
    sel.register(b, selectors.EVENT_READ, a)
    try:
        while True:
            ready = [key.fileobj for key, _ in sel.select(IDLE_TIMEOUT)]
            ready += [s for s in (a, b) if isinstance(s, ssl.SSLSocket) and s.pending()]
            if not ready:
                return  # idle
            for src in dict.fromkeys(ready):
                dst = b if src is a else a
                try:
                    data = src.recv(65536)  # type: ignore[union-attr]
                except ssl.SSLWantReadError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                dst.sendall(data)
    except OSError:
        return
    finally:
        sel.close()


def _read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            break
        buf += chunk
        if len(buf) > MAX_HEAD:
            break
    head, sep, rest = buf.partition(b"\r\n\r\n")
    return head + sep, rest


def _answer(conn: socket.socket, status: str, text: str) -> None:
    body = text.encode("utf-8")
    conn.sendall(
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode("latin-1")
        + body
    )


class TlsFront:
    """A listener relaying to the emulator's HTTP server at ``backend`` (host, port)."""

    def __init__(
        self,
        backend: tuple[str, int],
        *,
        mode: str = "proxy",
        host: str = "127.0.0.1",
        port: int = 0,
        passthrough: bool = False,
        ca: LocalCA | None = None,
    ) -> None:
        if mode not in ("proxy", "direct"):
            raise ValueError(f"mode must be 'proxy' or 'direct', not {mode!r}")
        self.backend = backend
        self.mode = mode
        self.passthrough = passthrough
        self.ca = ca or ensure_ca()
        self.context = server_context(self.ca)
        self._sock = socket.create_server((host, port))
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        scheme = "http" if self.mode == "proxy" else "https"
        return f"{scheme}://{self.host}:{self.port}"

    def start(self) -> TlsFront:
        self._thread = threading.Thread(
            target=self._accept_loop, name=f"wecom-mock-{self.mode}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        with self._lock:
            for c in list(self._conns):
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> TlsFront:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- connections ---------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _track(self, s: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(s)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(IDLE_TIMEOUT)
        self._track(conn, True)
        try:
            if self.mode == "direct":
                self._tls_to_backend(conn)
            else:
                self._proxy(conn)
        except (OSError, ssl.SSLError) as exc:
            log.debug("%s connection ended: %s", self.mode, exc)
        finally:
            self._track(conn, False)
            with contextlib.suppress(OSError):
                conn.close()

    def _tls_to_backend(self, conn: socket.socket, initial: bytes = b"") -> None:
        tls = self.context.wrap_socket(conn, server_side=True)
        self._track(tls, True)
        try:
            with socket.create_connection(self.backend, timeout=IDLE_TIMEOUT) as back:
                if initial:
                    back.sendall(initial)
                relay(tls, back)
        finally:
            self._track(tls, False)
            with contextlib.suppress(OSError):
                tls.close()

    def _proxy(self, conn: socket.socket) -> None:
        head, rest = _read_head(conn)
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split()
        if len(parts) != 3:
            _answer(conn, "400 Bad Request", "wecom-mock: not an HTTP proxy request\n")
            return
        method, target, _version = parts
        if method.upper() == "CONNECT":
            host, _, port_s = target.rpartition(":")
            host = host.strip("[]").lower().rstrip(".")
            if host in WECOM_HOSTS:
                conn.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                self._tls_to_backend(conn, b"")
                return
            if self.passthrough and port_s.isdecimal():
                try:
                    upstream = socket.create_connection((host, int(port_s)), timeout=30)
                except OSError as exc:
                    _answer(conn, "502 Bad Gateway", f"wecom-mock: {host}: {exc}\n")
                    return
                with upstream:
                    conn.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    if rest:
                        upstream.sendall(rest)
                    relay(conn, upstream)
                return
            _answer(
                conn,
                "403 Forbidden",
                f"wecom-mock serves only {', '.join(sorted(WECOM_HOSTS))}; it does not proxy "
                f"{host}. Exclude other hosts with NO_PROXY, or start the proxy with "
                "--proxy-passthrough.\n",
            )
            return
        url = urlsplit(target)
        if url.scheme == "http" and (url.hostname or "").lower() in WECOM_HOSTS:
            with socket.create_connection(self.backend, timeout=IDLE_TIMEOUT) as back:
                back.sendall(head + rest)  # waitress accepts the absolute-form target
                relay(conn, back)
            return
        _answer(
            conn,
            "403 Forbidden",
            f"wecom-mock serves only {', '.join(sorted(WECOM_HOSTS))}; refused {line}\n",
        )
