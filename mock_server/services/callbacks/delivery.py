"""Sending callbacks: URL verification (GET + echostr) and event delivery (signed POST).

Delivery rules (callbacks.md §4.1): the app must answer HTTP 200 within 5 s; WeCom retries
only on a timeout or connection failure, 3 retries at most; any other answer is final.
Every attempt is logged. In-process mode delivers synchronously (deterministic tests); the
server mode queues to worker threads so an API call never waits for a receiver.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import queue
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from mock_server.core import crypto
from mock_server.core.events import DomainEvent
from mock_server.core.ids import IdGenerator
from mock_server.services.callbacks import models as m
from mock_server.services.callbacks.dispatch import Recipient, recipients
from mock_server.services.callbacks.render import render_event

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.core.state import Corp

log = logging.getLogger("mock_server.callbacks")

DELIVERY_TIMEOUT = 5.0  # doc 90930: answer within 5 s
VERIFY_TIMEOUT = 1.0  # doc 90930: echo the echostr within 1 s
MAX_RETRIES = 3  # doc 90930: three retries, only on timeout / connection failure
RESPONSE_PREVIEW = 512  # bytes of a receiver's answer kept per attempt
# A passive reply is one encrypted XML message (a few KB); more is never read.
MAX_REPLY = 64 * 1024
# Bounds of the settings (seconds / counts): anything outside is refused, not clamped.
LIMITS: dict[str, tuple[float, float]] = {
    "timeout": (0.001, 60.0),
    "verify_timeout": (0.001, 60.0),
    "retries": (0, 10),
    "retry_interval": (0.0, 60.0),
    "log_size": (1, 10_000),
    "queue_size": (1, 100_000),
    "workers": (1, 64),
}


@dataclass
class Settings:
    timeout: float = DELIVERY_TIMEOUT
    verify_timeout: float = VERIFY_TIMEOUT
    retries: int = MAX_RETRIES
    retry_interval: float = 0.0  # not documented (unconfirmed): immediate re-sends
    log_size: int = 1000
    queue_size: int = 10_000
    workers: int = 4


@dataclass
class Job:
    generation: int
    corpid: str
    event: DomainEvent
    recipient: Recipient
    config: m.CallbackConfig


class CallbackError(ValueError):
    """A callback configuration was refused (bad values or failed URL verification)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result


def _preview(data: bytes) -> str:
    return data[:RESPONSE_PREVIEW].decode("utf-8", "replace")


class Dispatcher:
    """The emulator's callback sender: routing, signing, HTTP, the bounded delivery log."""

    def __init__(self, emu: Host) -> None:
        self.emu = emu
        self.settings = Settings()
        self.ids = IdGenerator(emu.ids.seed + 0x63616C6C)  # own stream: no shift of API ids
        self._lock = threading.Lock()
        self._log: deque[dict[str, Any]] = deque(maxlen=self.settings.log_size)
        self._seq = 0
        self._event_seq = 0
        self.dropped = 0
        self.generation = 0
        self._queue: queue.Queue[Job | None] | None = None
        self._threads: list[threading.Thread] = []
        self._pending = 0
        self._retire = 0
        self._idle = threading.Condition(self._lock)

    # -- lifecycle -----------------------------------------------------------------------
    def start_workers(self) -> None:
        if self._queue is not None:
            return
        self._queue = queue.Queue(maxsize=self.settings.queue_size)
        self._resize_workers()

    def _resize_workers(self) -> None:
        """Match the running workers to ``settings.workers`` (more threads or stop markers)."""
        q = self._queue
        if q is None:
            return
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self.settings.workers:
            i = len(self._threads)
            t = threading.Thread(target=self._work, name=f"wecom-callbacks-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        for _ in range(len(self._threads) - self.settings.workers):
            self._retire += 1  # a worker that sees this leaves after its current job
        with self._idle:
            self._idle.notify_all()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers once queued deliveries are done (bounded by ``timeout``)."""
        q = self._queue
        if q is None:
            return
        for _ in self._threads:
            q.put(None)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()
        self._queue = None

    def reset(self) -> None:
        """Fresh log and ids; every setting goes back to the real defaults (and is applied)."""
        fresh = Settings()
        self.configure(**{f.name: getattr(fresh, f.name) for f in fields(Settings)})
        with self._lock:
            self.generation += 1
            self._log.clear()
            self._seq = 0
            self.dropped = 0
        self.ids.reseed()

    def saved(self) -> tuple[dict[str, Any], Any, int, int]:
        """Settings, id stream and sequence numbers, for a state file (the delivery log and
        queued deliveries are not kept)."""
        with self._lock:
            return (dict(vars(self.settings)), self.ids.saved(), self._seq, self._event_seq)

    def restore(self, saved: tuple[dict[str, Any], Any, int, int]) -> None:
        settings, ids, seq, event_seq = saved
        # Worker count and queue size belong to the process that runs, not to the sandbox.
        self.configure(**{k: v for k, v in settings.items() if k not in ("workers", "queue_size")})
        self.ids.restore(ids)
        with self._lock:
            self._seq, self._event_seq = seq, event_seq

    def configure(self, **values: Any) -> Settings:
        """Validate every value first (nothing changes on a refusal), then apply all."""
        checked: dict[str, Any] = {}
        for k, v in values.items():
            if k not in LIMITS:
                raise ValueError(f"unknown callback setting {k!r}")
            low, high = LIMITS[k]
            if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
                raise ValueError(f"{k} must be a number between {low:g} and {high:g}")
            kind = type(getattr(self.settings, k))
            if kind is int and v != int(v):
                raise ValueError(f"{k} must be an integer")
            checked[k] = kind(v)
        for k, v in checked.items():
            setattr(self.settings, k, v)
        with self._lock:
            if self._log.maxlen != self.settings.log_size:
                self._log = deque(self._log, maxlen=self.settings.log_size)
            if self._queue is not None:
                self._queue.maxsize = self.settings.queue_size  # checked on every put
        self._resize_workers()
        return self.settings

    # -- event intake --------------------------------------------------------------------
    def on_event(self, event: DomainEvent) -> None:
        """EventBus subscriber: deliver (in-process) or enqueue (server) per receiver."""
        with self._lock:
            self._event_seq += 1
            event.meta.setdefault("event_id", self._event_seq)
        try:
            corp = self.emu.corps.get(event.corpid)
            if corp is None:
                return
            jobs = []
            for rcpt, config in _routes(corp, event):
                if config is not None:
                    jobs.append(Job(self.generation, corp.corpid, event, rcpt, config))
        except Exception:  # never let a callback problem break the API call
            log.exception("callback routing failed for %s", event.kind)
            return
        for job in jobs:
            try:
                self.submit(job)
            except Exception:  # a receiver problem is logged, never the API call's failure
                log.exception("callback delivery crashed")

    def submit(self, job: Job) -> dict[str, Any] | None:
        q = self._queue
        if q is None:
            return self.deliver(job)
        with self._lock:
            self._pending += 1
        try:
            q.put_nowait(job)
        except queue.Full:
            with self._lock:
                self._pending -= 1
                self.dropped += 1
                dropped = self.dropped
            log.warning(
                "callback queue full: dropped %s to %s (%d dropped)",
                job.event.kind,
                job.recipient.key,
                dropped,
            )
            self._record(self._new_record(job, job.config.url), outcome="dropped")
        return None

    def _work(self) -> None:
        q = self._queue
        assert q is not None
        while True:
            with self._lock:
                if self._retire > 0:  # fewer workers configured: this one leaves
                    self._retire -= 1
                    return
            try:
                job = q.get(timeout=0.5)  # wakes up to notice a lower worker count
            except queue.Empty:
                continue
            if job is None:
                return
            try:
                if job.generation == self.generation:
                    self.deliver(job)
            except Exception:
                log.exception("callback delivery crashed")
            finally:
                with self._lock:
                    self._pending -= 1
                    self._idle.notify_all()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until queued deliveries are done; False if ``timeout`` ran out first."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    @property
    def queued(self) -> int:
        with self._lock:
            return self._pending

    # -- the delivery log ----------------------------------------------------------------
    def _new_record(self, job: Job, url: str) -> dict[str, Any]:
        with self._lock:
            self._seq += 1
            seq = self._seq
        event = job.event
        return {
            "id": seq,
            "event_id": event.meta.get("event_id"),
            "time": self.emu.clock.now(),
            "corpid": job.corpid,
            "app": job.recipient.key,
            "agentid": m.agentid_of(job.recipient.key),
            "event": event.kind,
            "change_type": event.data.get("ChangeType"),
            "msgtype": event.meta.get("msgtype"),
            "source": event.source,
            "url": url,
            "attempts": [],
            "outcome": "pending",
        }

    def _record(self, rec: dict[str, Any], *, outcome: str) -> dict[str, Any]:
        rec["outcome"] = outcome
        with self._lock:
            self._log.append(rec)
        return rec

    def deliveries(
        self,
        *,
        corpid: str | None = None,
        app: str | None = None,
        event: str | None = None,
        outcome: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            rows = [
                r
                for r in self._log
                if (corpid is None or r["corpid"] == corpid)
                and (app is None or r["app"] == app)
                and (event is None or r["event"] == event)
                and (outcome is None or r["outcome"] == outcome)
            ]
        return rows[-limit:] if limit else rows

    def clear(self) -> None:
        with self._lock:
            self._log.clear()

    # -- HTTP ------------------------------------------------------------------------------
    def _nonce(self) -> str:
        return self.ids.digits(10)

    def deliver(self, job: Job) -> dict[str, Any]:
        """POST one event to one receiver, with retries; returns the log record."""
        corp: Corp | None = self.emu.corps.get(job.corpid)
        cfg = job.config
        rec = self._new_record(job, cfg.url)
        agentid = m.agentid_of(job.recipient.key)
        try:
            plain = render_event(job.event, job.corpid, agentid, drop=job.recipient.drop)
            encrypt_text = crypto.encrypt(
                plain, cfg.encoding_aes_key, job.corpid, random=self.ids.alnum(16).encode()
            )
        except (ValueError, crypto.CryptoError) as exc:
            rec["attempts"].append({"time": self.emu.clock.now(), "error": f"render: {exc}"})
            return self._record(rec, outcome="failed")
        body = crypto.callback_xml(encrypt_text, job.corpid, agentid).encode("utf-8")
        rec["plaintext"] = plain
        settings = self.settings
        outcome = "failed"
        for attempt in range(settings.retries + 1):
            if attempt and settings.retry_interval:
                time.sleep(settings.retry_interval)
            clock = corp.clock if corp is not None else self.emu.clock
            timestamp = str(clock.time())
            nonce = self._nonce()
            params = {
                "msg_signature": crypto.signature(cfg.token, timestamp, nonce, encrypt_text),
                "timestamp": timestamp,
                "nonce": nonce,
            }
            entry, resp = self._http(
                "POST", cfg.url, params, body, settings.timeout, {"Content-Type": "text/xml"}
            )
            rec["attempts"].append(entry)
            if resp is None:
                continue  # timeout / connection failure: the only retried case
            if entry["status"] == 200:
                outcome = "delivered"
                reply = self._passive_reply(resp, cfg, job.corpid)
                if reply is not None:
                    rec["reply"] = reply
            else:
                entry["error"] = f"HTTP {entry['status']} (not retried)"
            break
        self._record(rec, outcome=outcome)
        if outcome != "delivered":
            log.info("callback %s to %s failed: %s", job.event.kind, cfg.url, rec["attempts"][-1])
        return rec

    def _http(
        self,
        method: str,
        url: str,
        params: dict[str, str],
        body: bytes | None,
        timeout: float,
        headers: dict[str, str] | None = None,
    ) -> tuple[dict[str, Any], bytes | None]:
        """One attempt: a single deadline for connect, send and the whole reply.

        A receiver trickling one byte every few seconds cannot hold a worker past the
        deadline (a per-read timeout would let it), and at most ``MAX_REPLY`` bytes of the
        reply are read.
        """
        entry: dict[str, Any] = {"time": self.emu.clock.now(), "query": dict(params)}
        started = time.perf_counter()
        try:
            status, content = fetch(method, url, params, body, headers or {}, timeout)
        except TimeoutError:
            entry.update(status=None, latency_ms=_ms(started), error=f"timeout after {timeout} s")
            return entry, None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = str(exc) or type(exc).__name__
            reason = reason if len(reason) <= 300 else reason[:300] + "..."
            entry.update(status=None, latency_ms=_ms(started), error=f"connection failed: {reason}")
            return entry, None
        entry.update(status=status, latency_ms=_ms(started), response=_preview(content))
        entry["error"] = None
        return entry, content

    def _passive_reply(
        self, content: bytes, cfg: m.CallbackConfig, corpid: str
    ) -> dict[str, Any] | None:
        """Decrypt an encrypted passive reply; a bad one is logged and ignored, like WeCom."""
        text = content.strip()
        if not text or text == b"success":
            return None
        try:
            box = crypto.WeComCrypto(cfg.token, cfg.encoding_aes_key, corpid)
            plain = box.decrypt_reply(text)
            fields = crypto.parse_xml_fields(plain)
        except crypto.CryptoError as exc:
            log.info("passive reply rejected: %s", exc)
            return {"ok": False, "errcode": exc.code, "error": str(exc)}
        return {"ok": True, "xml": plain, "fields": fields}

    # -- URL verification ----------------------------------------------------------------
    def verify(self, corp: Corp, config: m.CallbackConfig) -> dict[str, Any]:
        """What the console does when a callback URL is saved: GET with an encrypted echostr."""
        echo = self.ids.digits(19)
        echostr = crypto.encrypt(
            echo, config.encoding_aes_key, corp.corpid, random=self.ids.alnum(16).encode()
        )
        timestamp = str(corp.clock.time())
        nonce = self._nonce()
        params = {
            "msg_signature": crypto.signature(config.token, timestamp, nonce, echostr),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": echostr,
        }
        entry, resp = self._http("GET", config.url, params, None, self.settings.verify_timeout)
        in_time = entry["latency_ms"] <= self.settings.verify_timeout * 1000
        ok = resp is not None and entry["status"] == 200 and resp == echo.encode() and in_time
        if resp is not None and not ok:
            if not in_time:
                entry["error"] = f"answered after {entry['latency_ms']} ms (limit 1 s)"
            elif entry["status"] != 200:
                entry["error"] = f"HTTP {entry['status']}"
            else:  # the answer itself is not shown: verification must not read other URLs
                entry["error"] = f"answered {len(resp)} bytes, expected the echostr plaintext"
        return {
            "ok": ok,
            "url": config.url,
            "expected": echo,
            "status": entry["status"],
            "latency_ms": entry["latency_ms"],
            "error": None if ok else entry["error"],
            "errcode": 0 if ok else 40057,  # the API's "callbackurl verification failed"
        }


def fetch(
    method: str,
    url: str,
    params: dict[str, str],
    body: bytes | None,
    headers: dict[str, str],
    timeout: float,
) -> tuple[int, bytes]:
    """(status, first ``MAX_REPLY`` bytes of the body); raises ``TimeoutError`` at the deadline.

    A watchdog shuts the socket down when the attempt's deadline passes, whatever phase
    (connect, send, headers, body) it is in; no proxies (WeCom calls the app directly).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    query = urlencode(params)
    target = (parts.path or "/") + "?" + (f"{parts.query}&{query}" if parts.query else query)
    conn_cls = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = conn_cls(parts.hostname, parts.port, timeout=timeout)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request(method, target, body=body, headers=headers)
        resp = conn.getresponse()
        content = resp.read(MAX_REPLY)
        status = resp.status
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError from None
        raise
    finally:
        watchdog.cancel()
        conn.close()
    if expired.is_set():
        raise TimeoutError
    return status, content


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _routes(corp: Corp, event: DomainEvent) -> list[tuple[Recipient, m.CallbackConfig | None]]:
    """Who gets an event and with which configuration: the receiver its producer chose
    (``event.receiver``, with its own URL if given), else the routing rules."""
    chosen = event.receiver
    if chosen is None:
        return [(r, m.get_config(corp, r.key)) for r in recipients(corp, event)]
    if chosen.url:
        own = m.CallbackConfig(chosen.url, chosen.token or "", chosen.encodingaeskey or "")
        return [(Recipient(chosen.key), own)]
    return [(Recipient(chosen.key), m.get_config(corp, chosen.key))]
