"""Domain event -> callback plaintext XML, generically.

By convention a ``DomainEvent.data`` holds the XML elements after the common header in
document order: strings become CDATA, numbers stay bare, nested dicts nest, lists repeat the
element. So any family's event renders without code here.

Kinds: ``message`` (an inbound user message; ``meta["msgtype"]``) has no ``Event`` element;
every other kind is an event whose ``Event`` value is the kind.
``meta["from_user"]`` is the ``FromUserName`` (default ``sys``).
"""

from __future__ import annotations

import re
from typing import Any

from mock_server.core.crypto import cdata
from mock_server.core.events import DomainEvent

MESSAGE = "message"
AGENTID_FIRST = frozenset({"sys_approval_change", "open_approval_change"})
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _text(value: str) -> str:
    return cdata(_INVALID_XML.sub("", value))


def _element(name: str, value: Any) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not an XML element name: {name!r}")
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "".join(_element(name, v) for v in value)
    if isinstance(value, dict):
        return f"<{name}>{render_fields(value)}</{name}>"
    if isinstance(value, bool):
        return f"<{name}>{int(value)}</{name}>"
    if isinstance(value, int | float):
        return f"<{name}>{value}</{name}>"
    return f"<{name}>{_text(str(value))}</{name}>"


def render_fields(data: dict[str, Any]) -> str:
    """Elements for a mapping, in its order (None values are left out)."""
    return "".join(_element(k, v) for k, v in data.items())


def header(event: DomainEvent, corpid: str) -> dict[str, Any]:
    """The common elements every callback starts with."""
    out: dict[str, Any] = {
        "ToUserName": corpid,
        "FromUserName": str(event.meta.get("from_user", "sys")),
        "CreateTime": int(event.time),
    }
    if event.kind == MESSAGE:
        out["MsgType"] = str(event.meta.get("msgtype", "text"))
    else:
        out["MsgType"] = "event"
        out["Event"] = event.kind
    return out


def event_fields(
    event: DomainEvent, corpid: str, agentid: int | None = None, *, drop: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Header plus data; an ``AgentID`` in data takes the receiving app's id."""
    data = {k: v for k, v in event.data.items() if k not in drop}
    if agentid is not None and "AgentID" in data:
        data["AgentID"] = agentid
    elif agentid is not None and event.kind in AGENTID_FIRST:
        data = {"AgentID": agentid, **data}  # approval events carry it right after Event
    return {**header(event, corpid), **data}


def render_event(
    event: DomainEvent, corpid: str, agentid: int | None = None, *, drop: tuple[str, ...] = ()
) -> str:
    """The plaintext XML a receiver decrypts (one element per line at the top level)."""
    fields = event_fields(event, corpid, agentid, drop=drop)
    lines = [_element(k, v) for k, v in fields.items()]
    return "<xml>\n" + "".join(line + "\n" for line in lines if line) + "</xml>"
