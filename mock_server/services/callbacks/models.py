"""Callback configuration per receiver ("app"): URL, Token, EncodingAESKey.

A receiver is a self-built app (its agentid) or a system app: ``contacts`` (通讯录同步),
``external`` (客户联系) or ``approval`` (审批). Configs live in the corp's store, so a reset
brings back the fixture's configuration.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mock_server.core.state import Corp

SYSTEM_APPS = ("contacts", "external", "approval")
# The 审批 system app's agentid, as it appears in sys_approval_change callbacks (doc 91815).
APPROVAL_AGENTID = 3010040
TOKEN_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")
KEY_RE = re.compile(r"^[A-Za-z0-9]{43}$")

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["url", "token", "encoding_aes_key"],
    "additionalProperties": False,
    "properties": {
        "url": {"type": "string", "pattern": "^https?://"},
        "token": {"type": "string", "pattern": TOKEN_RE.pattern},
        "encoding_aes_key": {"type": "string", "pattern": KEY_RE.pattern},
    },
}


@dataclass
class CallbackConfig:
    url: str
    token: str
    encoding_aes_key: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CallbacksStore:
    """Configs by receiver key: ``"1000002"`` (an agentid) or a system app name."""

    configs: dict[str, CallbackConfig] = field(default_factory=dict)


def callbacks(corp: Corp) -> CallbacksStore:
    result: CallbacksStore = corp.store("callbacks")
    return result


def app_key(corp: Corp, app: Any) -> str:
    """Normalise a receiver name: an agentid (int or digits) of this corp or a system app."""
    if isinstance(app, bool):
        raise ValueError("app must be an agentid or one of contacts, external, approval")
    if isinstance(app, str) and app in SYSTEM_APPS:
        return app
    try:
        agentid = int(app)
    except (TypeError, ValueError):
        raise ValueError(
            f"app must be an agentid or one of contacts, external, approval, not {app!r}"
        ) from None
    if agentid not in corp.agents:
        raise ValueError(f"no agent {agentid} in corp {corp.corpid}")
    return str(agentid)


def agentid_of(key: str) -> int | None:
    """The AgentID a receiver's callbacks carry (None for contacts / customer contact)."""
    if key.isdecimal():
        return int(key)
    if key == "approval":
        return APPROVAL_AGENTID
    return None


def parse_config(raw: Any, where: str = "callback") -> CallbackConfig:
    """Validate a config mapping; ValueError names the bad field."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be a mapping with url, token, encoding_aes_key")
    unknown = sorted(set(raw) - {"url", "token", "encoding_aes_key"})
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown key")
    url, token, key = raw.get("url"), raw.get("token"), raw.get("encoding_aes_key")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"{where}.url: must be an http(s) URL")
    if not urlsplit(url).hostname:
        raise ValueError(f"{where}.url: has no host")
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise ValueError(f"{where}.token: 1-32 letters or digits")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ValueError(f"{where}.encoding_aes_key: exactly 43 letters or digits")
    return CallbackConfig(url, token, key)


def set_config(corp: Corp, key: str, config: CallbackConfig | None) -> None:
    if config is None:
        callbacks(corp).configs.pop(key, None)
    else:
        callbacks(corp).configs[key] = config


def get_config(corp: Corp, key: str) -> CallbackConfig | None:
    return callbacks(corp).configs.get(key)
