"""Per-corp state: agents, secrets, tokens and each family's store, behind one lock per corp."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.clock import Clock
from mock_server.core.events import DomainEvent
from mock_server.core.ids import IdGenerator
from mock_server.core.registry import APP, APPROVAL, CONTACTS, EXTERNAL

TOKEN_TTL = 7200

StoreFactory = Callable[["Corp"], Any]


@dataclass
class Agent:
    """A self-built app (自建应用)."""

    agentid: int
    name: str
    secret: str
    allow_party: list[int] = field(default_factory=list)
    allow_user: list[str] = field(default_factory=list)
    allow_tag: list[int] = field(default_factory=list)
    # "可调用接口的应用" memberships, e.g. ["externalcontact", "approval"].
    permissions: list[str] = field(default_factory=list)
    description: str = ""
    # Apps created after 2022-06-20 don't get mobile/email/avatar/... from user/get.
    restricted_fields: bool = False
    close: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class TokenInfo:
    token: str
    corpid: str
    scope: str
    agentid: int | None
    secret: str
    issued_at: int
    expires_at: int
    revoked: bool = False


class Corp:
    def __init__(
        self,
        corpid: str,
        name: str = "",
        *,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        stores: dict[str, StoreFactory] | None = None,
    ) -> None:
        self.corpid = corpid
        self.name = name
        # The emulator's clock and id generator, so domain code needs no emulator.
        self.clock = clock or Clock()
        self.ids = ids or IdGenerator()
        self.lock = threading.RLock()
        self.agents: dict[int, Agent] = {}
        # System secrets by scope (contacts, external, approval).
        self.secrets: dict[str, str] = {}
        self.settings: dict[str, Any] = {}
        self.pending_events: list[DomainEvent] = []
        self.txn_depth = 0
        # One store per plugin that declares one (``Plugin.store``), built fresh for each corp.
        self.stores: dict[str, Any] = {name: make(self) for name, make in (stores or {}).items()}

    def store(self, name: str) -> Any:
        """A plugin's store for this corp (families wrap this in a typed accessor)."""
        return self.stores[name]

    def secret_scope(self, secret: str) -> tuple[str, int | None] | None:
        """Which scope (and agentid) a secret belongs to, or None if it is not this corp's."""
        for scope, value in self.secrets.items():
            if value == secret:
                return scope, None
        for agent in self.agents.values():
            if agent.secret == secret:
                return APP, agent.agentid
        return None

    def emit(self, event: DomainEvent) -> None:
        """Queue a domain event; it is published when the current transaction ends."""
        self.pending_events.append(event)

    def describe(self) -> dict[str, Any]:
        return {
            "corpid": self.corpid,
            "name": self.name,
            "secrets": dict(self.secrets),
            "agents": [
                {
                    "agentid": a.agentid,
                    "name": a.name,
                    "secret": a.secret,
                    "allow_party": a.allow_party,
                    "allow_user": a.allow_user,
                    "allow_tag": a.allow_tag,
                    "permissions": a.permissions,
                }
                for a in self.agents.values()
            ],
        }


class TokenStore:
    """access_tokens per (corpid, secret): the same token is handed back until it expires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, TokenInfo] = {}
        self._by_secret: dict[tuple[str, str], TokenInfo] = {}

    def issue(
        self,
        corpid: str,
        secret: str,
        scope: str,
        agentid: int | None,
        now: int,
        make_token: Callable[[], str],
    ) -> TokenInfo:
        with self._lock:
            current = self._by_secret.get((corpid, secret))
            if current and not current.revoked and current.expires_at > now:
                return current
            info = TokenInfo(make_token(), corpid, scope, agentid, secret, now, now + TOKEN_TTL)
            self._by_token[info.token] = info
            self._by_secret[(corpid, secret)] = info
            return info

    def lookup(self, token: str) -> TokenInfo | None:
        return self._by_token.get(token)

    def revoke(self, *, corpid: str, secret: str | None = None, token: str | None = None) -> int:
        """Invalidate tokens (secret rotated, fault injection); returns how many."""
        n = 0
        with self._lock:
            for info in self._by_token.values():
                if info.corpid != corpid or info.revoked:
                    continue
                if (secret is None or info.secret == secret) and (
                    token is None or info.token == token
                ):
                    info.revoked = True
                    n += 1
            for key, info in list(self._by_secret.items()):
                if info.revoked:
                    del self._by_secret[key]
        return n

    def saved(self) -> tuple[dict[str, TokenInfo], dict[tuple[str, str], TokenInfo]]:
        """Every token issued (valid, expired or revoked), for a state file."""
        with self._lock:
            return dict(self._by_token), dict(self._by_secret)

    def restore(self, saved: tuple[dict[str, TokenInfo], dict[tuple[str, str], TokenInfo]]) -> None:
        with self._lock:
            self._by_token, self._by_secret = dict(saved[0]), dict(saved[1])

    def clear(self) -> None:
        with self._lock:
            self._by_token.clear()
            self._by_secret.clear()


__all__ = [
    "APP",
    "APPROVAL",
    "CONTACTS",
    "EXTERNAL",
    "Agent",
    "Corp",
    "StoreFactory",
    "TokenInfo",
    "TokenStore",
]
