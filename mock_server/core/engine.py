"""The engine: corps built from fixtures, clock, ids, tokens, journal, events, hooks.

It knows no family: it is built from a list of ``Plugin`` specs (``mock_server.emulator``
lists the shipped ones) and takes from each its endpoints, stores, fixture sections, admin
actions, markers and Python API object. Everything else (HTTP app, in-process intercept,
pytest plugin, CLI) is a client of it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from mock_server.core import pipeline
from mock_server.core.admin import AdminAction, AdminError, AdminRequest, NoSuchCorp, find_action
from mock_server.core.admin import admin as core_admin
from mock_server.core.clock import Clock
from mock_server.core.errors import WeComError
from mock_server.core.events import DomainEvent, EventBus
from mock_server.core.ids import IdGenerator
from mock_server.core.journal import (
    ANSWER_BYTES_KEPT,
    BODY_LIMIT,
    DEFAULT_SIZE,
    Journal,
    cut_text,
)
from mock_server.core.pipeline import ApiRequest, ApiResponse, Context, Hooks
from mock_server.core.plugin import CallerResolver, FixtureSection, Marker, Plugin
from mock_server.core.registry import Registry
from mock_server.core.services import ServiceKey
from mock_server.core.state import Corp, StoreFactory, TokenStore
from mock_server.core.storage import MemoryStorage, SqliteStorage, Storage

T = TypeVar("T")

FixtureSource = str | Path | dict[str, Any]


class Engine:
    """A WeCom server built from plugins: one or more corps, answering like qyapi.weixin.qq.com.

    Use ``mock_server.Emulator`` (the engine with every shipped plugin).
    """

    def __init__(
        self,
        plugins: Sequence[Plugin],
        fixtures: Sequence[FixtureSource] | None = None,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        journal_size: int = DEFAULT_SIZE,
        strict: bool = False,
        mode: str = "inprocess",
        state: str | Path | None = None,
        storage: Storage | None = None,
    ) -> None:
        from mock_server.core.fixtures import load_fixture_docs

        self.plugins = tuple(plugins)
        self.registry = Registry(f for p in self.plugins for f in p.families)
        self.store_factories: dict[str, StoreFactory] = {}
        sections: list[FixtureSection] = []
        self.callers: dict[str, CallerResolver] = {}
        self.markers: dict[str, Marker] = {}
        self.admin_actions: list[AdminAction] = list(core_admin.actions)
        for plugin in self.plugins:
            for name, factory in plugin.stores.items():
                if name in self.store_factories:
                    raise ValueError(f"store {name!r} declared by two plugins")
                self.store_factories[name] = factory
            sections.extend(plugin.fixture)
            self.callers.update(plugin.callers)
            self.markers.update((m.name, m) for m in plugin.markers)
            self.admin_actions.extend(plugin.admin)
        self.fixture_sections = tuple(sorted(sections, key=lambda s: s.order))
        self.mode = mode  # "inprocess" or "server": decides sync vs queued callback delivery
        self.strict = strict
        self.clock = clock or Clock()
        self.ids = IdGenerator(seed)
        self.tokens = TokenStore()
        self.journal = Journal(journal_size)
        self.events = EventBus()
        self.hooks = Hooks()
        self.settings: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._fixture_docs = load_fixture_docs(fixtures, self.fixture_sections)
        self.corps: dict[str, Corp] = {}
        self._build_corps()
        self._apis: dict[str, object] = {}
        for plugin in self.plugins:
            if plugin.api is not None:
                self._apis[plugin.name] = plugin.api(self)
        self._services: dict[ServiceKey[Any], object] = {}
        for plugin in self.plugins:
            for kind, provide in plugin.services.items():
                if kind in self._services:
                    raise ValueError(f"service {kind.name} provided by two plugins")
                self._services[kind] = provide(self)
        # Where state is kept: memory unless a state file is given (then it is loaded).
        if storage is None:
            storage = SqliteStorage(state) if state is not None else MemoryStorage()
        self.storage = storage
        storage.attach(self)

    # -- plugins -----------------------------------------------------------------------
    def api(self, name: str, kind: type[T]) -> T:
        """A plugin's Python API object, checked to be of the expected type."""
        obj = self._apis.get(name)
        if not isinstance(obj, kind):
            raise LookupError(f"no plugin {name!r} with a {kind.__name__} API in this engine")
        return obj

    def service(self, kind: ServiceKey[T]) -> T:
        """The provider of a service (``core/services.py``) in this engine."""
        obj = self._services.get(kind)
        if obj is None:
            raise LookupError(f"no plugin provides {kind.name} in this engine")
        return cast(T, obj)  # a protocol: the plugin declared that it provides ``kind``

    def admin(
        self, method: str, path: str, body: dict[str, Any] | None = None, **params: str
    ) -> Any:
        """Run an admin action in-process (what ``/__admin<path>`` answers, minus HTTP).

        Raises ``AdminError`` as the HTTP route would answer it with its status.
        """
        hit = find_action(self.admin_actions, method, path)
        if hit is not None:
            action, found = hit
            return action.run(self, AdminRequest({**params, **found}, body or {}))
        raise AdminError(f"no admin route {method.upper()} /__admin{path}", 404)

    # -- state -----------------------------------------------------------------------
    def _build_corps(self) -> None:
        from mock_server.core.fixtures import build_corp

        corps = {}
        for doc in self._fixture_docs:
            corp = build_corp(self, doc, self.fixture_sections, self.store_factories)
            corps[corp.corpid] = corp
        self.corps = corps

    def reset(self) -> None:
        """Back to the loaded fixtures: state, tokens, journal, events, ids; clock kept."""
        with self._lock:
            self.ids.reseed()
            self.tokens.clear()
            self.journal.clear()
            self.events.clear()
            self._build_corps()
            for fn in self.hooks.on_reset:
                fn()
            self.storage.rewrite()

    def corp(self, corpid: str | None = None) -> Corp:
        """A corp by id; without an id, the first fixture's corp."""
        if corpid is None:
            return next(iter(self.corps.values()))
        try:
            return self.corps[corpid]
        except (KeyError, TypeError):  # TypeError: an unhashable id from a JSON body
            raise NoSuchCorp(corpid, sorted(self.corps)) from None

    def state_fingerprint(self, corpid: str | None = None) -> Any:
        """A deep, plain-data copy of every corp's state, for "nothing changed" assertions.

        Covers agents, secrets, settings and every family store. Attributes starting with
        ``_`` (caches) and back-references to the ``Corp`` are skipped; two fingerprints
        compare equal exactly when the stored state is the same.
        """
        corps = [self.corp(corpid)] if corpid else list(self.corps.values())
        out = {}
        for corp in corps:
            with corp.lock:
                out[corp.corpid] = {
                    "agents": _plain(corp.agents),
                    "secrets": _plain(corp.secrets),
                    "settings": _plain(corp.settings),
                    "stores": _plain(corp.stores),
                }
        return out

    def transaction(self, corp: Corp) -> Transaction:
        """Hold the corp's lock; publish the domain events it queued once released."""
        return Transaction(self, corp)

    def close(self) -> None:
        """Stop background work (callback delivery queues, ...); the server calls this."""
        for fn in self.hooks.on_close:
            fn()
        self.storage.flush()

    # -- time --------------------------------------------------------------------------
    def advance(self, seconds: float) -> float:
        """Move the emulator's clock forward (token expiry, windows, rate limits)."""
        now = self.clock.advance(seconds)
        self.storage.flush()
        return now

    # -- requests ---------------------------------------------------------------------
    def handle(self, req: ApiRequest) -> ApiResponse:
        outer = not _in_call.active
        _in_call.active = True
        try:
            resp = pipeline.handle(self, req)
        finally:
            if outer:
                _in_call.active = False
        if outer:
            self.storage.flush()  # before the answer leaves: an acknowledged write is kept
        return resp

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        client_ip: str = "127.0.0.1",
    ) -> dict[str, Any]:
        """Call an API path directly (no HTTP, no ``requests``); returns the JSON body."""
        import json as _json

        if not path.startswith("/"):
            path = "/cgi-bin/" + path
        query = {k: str(v) for k, v in (params or {}).items()}
        body = (
            b""
            if json is None
            else _json.dumps(json, ensure_ascii=False).encode("utf-8", "surrogatepass")
        )
        resp = self.handle(ApiRequest(method.upper(), path, query, body, {}, client_ip))
        if isinstance(resp.body, dict):
            return resp.body
        return {"raw": resp.payload()}

    def token(
        self, scope: str = "app", agentid: int | None = None, corpid: str | None = None
    ) -> str:
        """An access_token for a scope (``contacts``, ``app``, ``external``, ``approval``)."""
        corp = self.corp(corpid)
        if scope == "app":
            agent = corp.agents[agentid] if agentid else next(iter(corp.agents.values()))
            secret = agent.secret
        else:
            secret = corp.secrets[scope]
        body = self.call("GET", "gettoken", params={"corpid": corp.corpid, "corpsecret": secret})
        if body.get("errcode"):
            raise WeComError(body["errcode"], body["errmsg"], replace=True)
        return str(body["access_token"])

    def record(self, ctx: Context, resp: ApiResponse, seconds: float) -> None:
        req = ctx.request
        body: Any
        if not req.body:
            body = None
        elif ctx.endpoint is not None and ctx.endpoint.multipart:
            body = f"<multipart {len(req.body)} bytes>"
        elif len(req.body) > BODY_LIMIT:
            # Memory is bounded by bytes: a large body is kept as a preview only.
            preview = req.body[:512].decode("utf-8", "replace")
            body = f"<{len(req.body)} bytes, over the journal's {BODY_LIMIT}-byte limit> {preview}"
        else:
            parsed = ctx.json()
            body = (
                parsed
                if parsed or not ctx.json_warning
                else req.body[:2048].decode("utf-8", "replace")
            )
        corp = ctx.resolved_corp
        entry: dict[str, Any] = {
            "time": self.clock.now(),
            "method": req.method,
            "path": req.path,
            "endpoint": ctx.endpoint.name if ctx.endpoint else None,
            "corpid": corp.corpid if corp is not None else req.query.get("corpid"),
            "scope": ctx.scope,
            "agentid": ctx.agentid,
            "body": body,
            "errcode": resp.errcode,
            "errmsg": None,
            "duration_ms": round(seconds * 1000, 3),
            "client_ip": req.client_ip,
        }
        encoded = None
        head = resp.head()
        if head is not None:
            entry["errmsg"] = cut_text(head.get("errmsg"))
            encoded = resp.payload()
            if len(encoded) > ANSWER_BYTES_KEPT:
                # A big answer (a 50,000-row page) is kept with its lists cut, not whole.
                entry["response"] = resp.bounded()
                encoded = None
        if ctx.fault:
            entry["fault"] = ctx.fault
        if ctx.warnings:
            entry["warnings"] = list(ctx.warnings)
        if ctx.notes:
            entry["notes"] = {k: cut_text(v) for k, v in ctx.notes.items()}
        self.journal.record_call(entry, req.query, encoded)


class Transaction:
    """``Engine.transaction``: a plain class, not a generator context manager (it wraps
    every API call)."""

    __slots__ = ("corp", "depth", "engine")

    def __init__(self, engine: Engine, corp: Corp) -> None:
        self.engine = engine
        self.corp = corp
        self.depth = 0

    def __enter__(self) -> Corp:
        corp = self.corp
        corp.lock.acquire()
        self.depth = depth = corp.txn_depth
        corp.txn_depth = depth + 1
        return corp

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        corp, depth = self.corp, self.depth
        events: list[DomainEvent] = []
        try:
            corp.txn_depth = depth
            if depth == 0:
                events = corp.pending_events
                corp.pending_events = []
                if not _in_call.active:  # an API call flushes once, when it ends
                    self.engine.storage.flush_corp(corp)
        finally:
            corp.lock.release()
        if exc_type is None:  # a failed transaction publishes nothing
            for event in events:
                self.engine.events.emit(event)


class _InCall(threading.local):
    active = False


_in_call = _InCall()


def _plain(value: Any, _depth: int = 0) -> Any:
    """Plain-data rendering of a store value (dataclasses and objects by their public fields)."""
    if _depth > 64:
        raise ValueError("state too deep to fingerprint (a cycle in a store?)")
    if value is None or isinstance(value, str | int | float | bool | bytes):
        return value
    if isinstance(value, dict):
        return {k: _plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, _depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v, _depth + 1) for v in value), key=repr)
    if isinstance(value, Corp):
        return f"<corp {value.corpid}>"
    attrs = getattr(value, "__dict__", None)
    if attrs is None and hasattr(value, "__slots__"):
        attrs = {k: getattr(value, k) for k in value.__slots__ if hasattr(value, k)}
    if attrs is None:
        return repr(value)
    return {
        "__type__": type(value).__name__,
        **{k: _plain(v, _depth + 1) for k, v in attrs.items() if not k.startswith("_")},
    }
