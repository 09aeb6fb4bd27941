"""Services one plugin provides and another uses without importing it.

A service is a protocol and a typed key: a plugin lists what it provides in
``Plugin(services={APP_MESSAGES: factory})``; a user asks the engine for the key
(``engine.service(APP_MESSAGES)``, typed ``AppMessages``) and gets ``LookupError`` when no
plugin of this engine provides it. This keeps families independent of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from mock_server.core.state import Corp

T = TypeVar("T")


@dataclass(frozen=True)
class ServiceKey(Generic[T]):
    """Names a service; its type parameter is the protocol the provider implements."""

    name: str


class AppMessages(Protocol):
    """App messages (应用消息) as ``message/send`` checks and delivers them (messaging)."""

    def check(
        self, corp: Corp, msgtype: str, body: dict[str, Any], *, safe: int, agentid: int
    ) -> dict[str, Any]:
        """The checked content of a message body; raises the real ``WeComError``."""
        ...

    def send(
        self,
        corp: Corp,
        msgtype: str,
        content: dict[str, Any],
        to: Sequence[str],
        *,
        agentid: int,
        safe: int,
    ) -> str:
        """Deliver checked content to each recipient id, one msgid for all; returns it."""
        ...


APP_MESSAGES: ServiceKey[AppMessages] = ServiceKey("app_messages")
