"""Domain events: models emit them, the callback dispatcher (and tests) subscribe."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Who caused a change; decides who is called back (the contacts-sync secret is not told
# of its own writes; customer-contact changes made through the API produce no callback).
SOURCE_API = "api"
SOURCE_SANDBOX = "sandbox"  # a person acting in the WeCom app / admin console
SOURCE_FIXTURE = "fixture"


@dataclass(frozen=True)
class EventReceiver:
    """The receiver an event's producer chose (a job's own callback): the receiver key (an
    agentid or a system app name) and, when given, the callback URL, Token and EncodingAESKey
    to use instead of the receiver's stored configuration."""

    key: str
    url: str | None = None
    token: str | None = None
    encodingaeskey: str | None = None


@dataclass
class DomainEvent:
    corpid: str
    kind: str  # e.g. "change_contact", "change_external_contact", "sys_approval_change"
    data: dict[str, Any]
    time: int
    source: str = SOURCE_API
    # The secret scope and agentid of the API caller that caused it, if any.
    actor_scope: str | None = None
    actor_agentid: int | None = None
    # Which "app" the event is addressed to: an agentid, or a system app name
    # ("contacts", "external", "approval"). None lets the dispatcher decide.
    target: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Set by a producer that decides the receiver itself; the callback dispatcher then
    # delivers to it alone, whatever its routing rules say.
    receiver: EventReceiver | None = None


log = logging.getLogger("mock_server")
Subscriber = Callable[[DomainEvent], None]


class EventBus:
    def __init__(self, history: int = 1000) -> None:
        self._subs: list[Subscriber] = []
        self._lock = threading.Lock()
        self._history: list[DomainEvent] = []
        self._history_size = history
        self.failures: list[str] = []  # the last 100 subscriber exceptions, for tests

    def subscribe(self, fn: Subscriber) -> Subscriber:
        with self._lock:
            self._subs.append(fn)
        return fn

    def unsubscribe(self, fn: Subscriber) -> None:
        with self._lock:
            if fn in self._subs:
                self._subs.remove(fn)

    def emit(self, event: DomainEvent) -> None:
        with self._lock:
            self._history.append(event)
            if len(self._history) > self._history_size:
                del self._history[: len(self._history) - self._history_size]
            subs = list(self._subs)
        for fn in subs:
            # A failing subscriber (a callback dispatcher bug) must neither turn the API call
            # that already changed state into an error nor starve the other subscribers.
            try:
                fn(event)
            except Exception as exc:
                log.exception("event subscriber %r failed on %s", fn, event.kind)
                with self._lock:
                    self.failures.append(f"{event.kind}: {type(exc).__name__}: {exc}")
                    del self.failures[:-100]

    def history(self, kind: str | None = None) -> list[DomainEvent]:
        with self._lock:
            return [e for e in self._history if kind is None or e.kind == kind]

    def clear(self) -> None:
        with self._lock:
            self._history.clear()
            self.failures.clear()
