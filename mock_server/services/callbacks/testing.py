"""Test a callback receiver without the emulator: build the exact signed, encrypted request.

>>> req = build_callback_request(
...     event_message("enter_agent", {"EventKey": "", "AgentID": 1000002}, from_user="zhangsan"),
...     token="T0ken", encoding_aes_key=KEY, corpid="wwdemo0000000000001", agentid=1000002)
>>> resp = flask_app.test_client().post(req.path_qs("/wecom/callback"), data=req.body,
...                                     headers=req.headers)
>>> reply = req.decrypt_reply(resp.data)      # the passive reply's plaintext, if any
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from mock_server.core import crypto
from mock_server.core.events import SOURCE_SANDBOX, DomainEvent
from mock_server.services.callbacks.render import MESSAGE, render_event


def event_message(
    kind: str,
    data: dict[str, Any],
    *,
    from_user: str = "sys",
    msgtype: str | None = None,
    corpid: str = "",
    create_time: int | None = None,
) -> DomainEvent:
    """A DomainEvent to render: ``kind`` is the ``Event`` value, or ``message`` for a user
    message (``msgtype`` then names its MsgType)."""
    meta: dict[str, Any] = {"from_user": from_user}
    if kind == MESSAGE:
        meta["msgtype"] = msgtype or "text"
    return DomainEvent(
        corpid=corpid,
        kind=kind,
        data=dict(data),
        time=int(time.time()) if create_time is None else create_time,
        source=SOURCE_SANDBOX,
        meta=meta,
    )


@dataclass
class CallbackRequest:
    """A callback as WeCom would send it: query parameters, body, headers."""

    method: str
    query: dict[str, str]
    body: bytes
    plaintext: str
    token: str
    encoding_aes_key: str
    corpid: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def query_string(self) -> str:
        return urlencode(self.query)

    def path_qs(self, path: str) -> str:
        """``path`` with the query string appended (for a test client)."""
        return f"{path}?{self.query_string}"

    def decrypt_reply(self, body: bytes | str) -> str | None:
        """The plaintext of an encrypted passive reply; None for an empty/``success`` body."""
        raw = body.encode() if isinstance(body, str) else body
        if raw.strip() in (b"", b"success"):
            return None
        box = crypto.WeComCrypto(self.token, self.encoding_aes_key, self.corpid)
        return box.decrypt_reply(raw)


def build_callback_request(
    event: DomainEvent | str,
    *,
    token: str,
    encoding_aes_key: str,
    corpid: str,
    agentid: int | None = None,
    timestamp: int | str | None = None,
    nonce: str = "1372623149",
    random: bytes | None = None,
) -> CallbackRequest:
    """A signed, encrypted POST for any event (a DomainEvent or ready plaintext XML)."""
    plain = event if isinstance(event, str) else render_event(event, corpid, agentid)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    encrypt_text = crypto.encrypt(plain, encoding_aes_key, corpid, random=random)
    query = {
        "msg_signature": crypto.signature(token, ts, nonce, encrypt_text),
        "timestamp": ts,
        "nonce": nonce,
    }
    body = crypto.callback_xml(encrypt_text, corpid, agentid).encode("utf-8")
    return CallbackRequest(
        "POST",
        query,
        body,
        plain,
        token,
        encoding_aes_key,
        corpid,
        {"Content-Type": "text/xml"},
    )


def build_verify_request(
    *,
    token: str,
    encoding_aes_key: str,
    corpid: str,
    echo: str = "5927782489442352469",
    timestamp: int | str | None = None,
    nonce: str = "1372623149",
) -> CallbackRequest:
    """The URL-verification GET: the receiver must answer exactly ``echo``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    echostr = crypto.encrypt(echo, encoding_aes_key, corpid)
    query = {
        "msg_signature": crypto.signature(token, ts, nonce, echostr),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": echostr,
    }
    return CallbackRequest("GET", query, b"", echo, token, encoding_aes_key, corpid)


__all__ = ["CallbackRequest", "build_callback_request", "build_verify_request", "event_message"]
