"""Sending callbacks: URL verification (GET + echostr) and event delivery (signed POST).

Delivery rules (callbacks.md §4.1): the app must answer HTTP 200 within 5 s; WeCom retries
only on a timeout or connection failure, 3 retries at most; any other answer is final.
Every attempt is logged. In-process mode delivers synchronously (deterministic tests); the
server mode queues to worker threads so an API call never waits for a receiver.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
RESPONSE_PREVIEW = 2048


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
        self._idle = threading.Condition(self._lock)

    # -- lifecycle -----------------------------------------------------------------------
    def start_workers(self) -> None:
        if self._queue is not None:
            return
        self._queue = queue.Queue(maxsize=self.settings.queue_size)
        for i in range(self.settings.workers):
            t = threading.Thread(target=self._work, name=f"wecom-callbacks-{i}", daemon=True)
            t.start()
            self._threads.append(t)

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
        """Fresh log and ids; the delivery policy goes back to the real defaults."""
        fresh = Settings()
        for name in ("timeout", "verify_timeout", "retries", "retry_interval"):
            setattr(self.settings, name, getattr(fresh, name))
        with self._lock:
            self.generation += 1
            self._log.clear()
            self._seq = 0
            self.dropped = 0
        self.ids.reseed()

    def configure(self, **values: Any) -> Settings:
        for k, v in values.items():
            if not hasattr(self.settings, k):
                raise ValueError(f"unknown callback setting {k!r}")
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise ValueError(f"{k} must be a non-negative number")
            if v <= 0 and k not in ("retries", "retry_interval"):
                raise ValueError(f"{k} must be positive")
            setattr(self.settings, k, type(getattr(self.settings, k))(v))
        with self._lock:
            if self._log.maxlen != self.settings.log_size:
                self._log = deque(self._log, maxlen=max(1, self.settings.log_size))
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
            for rcpt in recipients(corp, event):
                config = m.get_config(corp, rcpt.key)
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
            job = q.get()
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
        import requests  # only when a callback is delivered: a server starts without it

        entry: dict[str, Any] = {"time": self.emu.clock.now(), "query": dict(params)}
        started = time.perf_counter()
        try:
            with requests.Session() as session:
                session.trust_env = False  # no proxies between WeCom and the loopback app
                resp = session.request(
                    method,
                    url,
                    params=params,
                    data=body,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                )
                content = resp.content
                status = resp.status_code
        except requests.Timeout:
            entry.update(status=None, latency_ms=_ms(started), error=f"timeout after {timeout} s")
            return entry, None
        except requests.RequestException as exc:
            reason = str(exc)
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
            else:
                entry["error"] = f"answered {_preview(resp)!r}, expected the echostr plaintext"
        return {
            "ok": ok,
            "url": config.url,
            "expected": echo,
            "status": entry["status"],
            "latency_ms": entry["latency_ms"],
            "response": entry.get("response"),
            "error": None if ok else entry["error"],
            "errcode": 0 if ok else 40057,  # the API's "callbackurl verification failed"
        }


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
