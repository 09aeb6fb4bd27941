"""Serving over HTTP with waitress (one process, threads: all requests share the state)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import create_server

from mock_server.emulator import Emulator
from mock_server.web.app import create_app
from mock_server.web.socket_faults import install_socket_faults

log = logging.getLogger("mock_server")
DEFAULT_THREADS = 16


class ServerThread:
    """A live server on a background thread; ``port=0`` picks a free port.

    The socket is bound before ``start`` returns, so the server is ready without any wait.
    """

    def __init__(
        self,
        emulator: Emulator | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = DEFAULT_THREADS,
        admin_remote: bool = False,
        admin_hosts: Sequence[str] = (),
        request_log: Callable[[str], None] | None = None,
    ) -> None:
        self.emulator = emulator or Emulator(mode="server")
        # Fault delays leave two threads free for the admin API (faults/api.py).
        self.emulator.settings["server_threads"] = threads
        hosts = list(admin_hosts)
        if host not in ("", "0.0.0.0", "::"):
            hosts.append(host)  # the name it was started with is its own
        self.app = create_app(
            self.emulator, admin_remote=admin_remote, admin_hosts=hosts, request_log=request_log
        )
        self._server: Any = create_server(
            self.app,
            host=host,
            port=port,
            threads=threads,
            ident="nginx",  # the real API answers with Server: nginx
            clear_untrusted_proxy_headers=True,
            connection_limit=1000,
            channel_timeout=30,
        )
        # Connection reset / empty reply faults need the socket, which WSGI does not give.
        install_socket_faults(self._server)
        self.host = host
        self.port: int = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return self.url + "/cgi-bin"

    def start(self) -> ServerThread:
        self._thread = threading.Thread(target=self._server.run, name="wecom-mock", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every open (keep-alive) connection, then join.

        waitress's loop runs while any channel is open, so closing only the listener would
        leave the thread serving keep-alive clients for up to ``channel_timeout``.
        """
        shutdown_waitress(self._server, self._thread, timeout)
        self.emulator.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def shutdown_waitress(server: Any, thread: threading.Thread | None, timeout: float = 5.0) -> None:
    """Stop a waitress server run on ``thread`` without racing its loop.

    In-flight requests finish first (a worker pulls the trigger after answering), then every
    socket is closed *in the loop thread* (closing them from here raced the loop's select:
    EBADF in the server thread); the loop ends when its socket map is empty.
    """
    server.task_dispatcher.shutdown(timeout=timeout)

    def close_all() -> None:  # runs on the server's own loop thread
        for channel in list(server._map.values()):
            try:
                if isinstance(channel, HTTPChannel):
                    channel.handle_close()  # also drops its pending output
                else:  # the listener and the wake-up trigger
                    channel.close()
            except Exception:  # a half-closed socket: it is going away anyway
                log.debug("closing channel failed", exc_info=True)

    if thread is not None and thread.is_alive():
        try:
            server.trigger.pull_trigger(close_all)
        except OSError:  # the loop already closed its trigger: it is ending; finish after it
            thread.join(timeout)
            close_all()
            return
        thread.join(timeout)
    else:
        close_all()


def banner(server: ServerThread, fronts: Sequence[Any] = ()) -> str:
    emu = server.emulator
    lines = [f"wecom-mock listening on {server.url}", ""]
    for corp in emu.corps.values():
        lines.append(f"corp {corp.corpid}  {corp.name}")
        for scope, secret in corp.secrets.items():
            lines.append(f"  {scope:<9} secret  {secret}")
        for agent in corp.agents.values():
            lines.append(f"  agent {agent.agentid}  {agent.name}  secret {agent.secret}")
        robots = getattr(emu, "robots", None)  # the messaging family's group robots
        for robot in robots(corp.corpid) if callable(robots) else []:
            lines.append(f"  robot {robot['name']}  key {robot['key']}  (webhook/send?key=...)")
    lines += [
        "",
        f"API base:   {server.url}/cgi-bin   (use it instead of https://qyapi.weixin.qq.com/cgi-bin)",
        f"dashboard:  {server.url}/   (company, inbox, act as someone, journal, callbacks, faults)",
        f"admin API:  {server.url}/__admin   (JSON index of every admin route)",
    ]
    for front in fronts:
        ca = front.ca.cert_path
        if front.mode == "proxy":
            lines.append(
                f"HTTPS proxy: HTTPS_PROXY={front.url}  (qyapi.weixin.qq.com only; "
                f"trust {ca}: see `wecom-mock ca`)"
            )
        else:
            lines.append(
                f"direct TLS: https://qyapi.weixin.qq.com:{front.port} with the host mapped to "
                f"127.0.0.1 (trust {ca})"
            )
    lines.append("Stop with Ctrl-C.")
    return "\n".join(lines)


class RequestLog:
    """One timestamped line per request on stdout (the server's terminal), written in batches.

    A worker thread that printed and flushed its own line paid a write system call per
    request (two when stdout is unbuffered) under a lock the other workers waited on: a
    third of the server's CPU at 8 clients. Lines are queued instead and a writer thread
    prints what came in every ``interval`` seconds, in order, in one write. The queue is
    bounded: past ``max_pending`` lines (stdout blocked) the oldest are dropped and counted.
    """

    def __init__(self, write: Callable[[str], Any] | None = None, interval: float = 0.05) -> None:
        self._write = write
        self.interval = interval
        self.max_pending = 10_000
        self.dropped = 0
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._second = -1
        self._stamp = ""

    def __call__(self, line: str) -> None:
        now = int(time.time())
        with self._lock:
            if now != self._second:
                self._second, self._stamp = now, time.strftime("%H:%M:%S", time.localtime(now))
            if len(self._lines) >= self.max_pending:
                del self._lines[0]
                self.dropped += 1
            self._lines.append(f"{self._stamp} {line}\n")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wecom-request-log", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self.interval)  # let a burst of requests gather into one write
            self._wake.clear()
            self.flush()

    def flush(self) -> None:
        """Write what is queued now (also called when the server stops)."""
        with self._lock:
            lines, self._lines = self._lines, []
            dropped, self.dropped = self.dropped, 0
        if dropped:
            lines.insert(0, f"({dropped} request log lines dropped: stdout was blocked)\n")
        if not lines:
            return
        text = "".join(lines)
        try:
            if self._write is not None:
                self._write(text)
            else:
                sys.stdout.write(text)
                sys.stdout.flush()
        except (OSError, ValueError):  # a closed terminal or pipe: the log is best effort
            pass


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or Ctrl-C, for a foreground server to wait on."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop


def server_emulator(fixtures: Sequence[str] | None, seed: int | None, **options: Any) -> Emulator:
    """The emulator a server runs: without a seed its access_tokens change on every start.

    In process everything stays deterministic (tests want it); a server on a port is a
    different matter: tokens that depend only on the seed and issue order would be the same
    after every restart and guessable without a secret. ``--seed`` makes them repeat again.
    """
    emu = Emulator(fixtures, seed=seed or 0, mode="server", **options)
    if seed is None:
        emu.ids.token_salt = os.urandom(16)
    return emu


def serve(
    fixtures: Sequence[str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    seed: int | None = None,
    threads: int = DEFAULT_THREADS,
    journal_size: int = 10_000,
    strict: bool = False,
    admin_remote: bool = False,
    admin_hosts: Sequence[str] = (),
    emulator: Emulator | None = None,
    proxy_port: int | None = None,
    proxy_passthrough: bool = False,
    tls_port: int | None = None,
    state: str | None = None,
    quiet: bool = False,
) -> int:
    """Run until SIGTERM or Ctrl-C; returns the exit status."""
    started = time.perf_counter()
    emu = emulator or server_emulator(
        fixtures, seed, journal_size=journal_size, strict=strict, state=state
    )
    if emulator is not None and seed is None:
        emu.ids.token_salt = os.urandom(16)
    request_log = None if quiet else RequestLog()
    try:
        server = ServerThread(
            emu,
            host=host,
            port=port,
            threads=threads,
            admin_remote=admin_remote,
            admin_hosts=admin_hosts,
            request_log=request_log,
        )
    except (OSError, ValueError) as exc:  # busy port, unknown or foreign host: one line, exit 2
        emu.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"wecom-mock: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        return 2
    fronts: list[Any] = []
    if proxy_port is not None or tls_port is not None:
        from mock_server.web.tls import TlsFront

        backend = (server.host, server.port)
        if proxy_port is not None:
            fronts.append(
                TlsFront(
                    backend, mode="proxy", host=host, port=proxy_port, passthrough=proxy_passthrough
                )
            )
        if tls_port is not None:
            fronts.append(TlsFront(backend, mode="direct", host=host, port=tls_port))
    stop = stop_on_signals()
    server.start()
    for front in fronts:
        front.start()
    print(banner(server, fronts), flush=True)
    info = emu.storage.info()
    if info["path"]:
        print(
            f"state:      {info['path']}  ({info['rows']} rows, loaded in "
            f"{info['load_seconds']:.3f} s; POST /__admin/reset goes back to the fixtures)",
            flush=True,
        )
    else:
        print("state:      in memory (nothing is written to disk; --state FILE keeps it)")
    print(f"ready in {time.perf_counter() - started:.3f} s", file=sys.stderr, flush=True)
    try:
        stop.wait()
    finally:
        for front in fronts:
            front.stop()
        server.stop()
        emu.storage.close()
        if request_log is not None:
            request_log.flush()
        print("wecom-mock stopped", file=sys.stderr, flush=True)
    return 0
