"""What messaging provides to other families through the core (``core.services.AppMessages``):
checking and delivering an app message, as ``message/send`` does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mock_server.core.state import Corp
from mock_server.services.messaging import content as c
from mock_server.services.messaging import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host


class AppMessageService:
    """``AppMessages`` on the messaging store: content rules of ``content``, the inbox."""

    def __init__(self, engine: Host) -> None:
        self._emu = engine

    def check(
        self, corp: Corp, msgtype: str, body: dict[str, Any], *, safe: int, agentid: int
    ) -> dict[str, Any]:
        return c.check_content(corp, msgtype, body, safe=safe, agentid=agentid)

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
        msgid = m.new_msgid(corp)
        text = c.render_text(msgtype, content)
        for recipient in to:
            m.deliver(
                corp,
                kind="app",
                msgtype=msgtype,
                content=content,
                text=text,
                to=recipient,
                agentid=agentid,
                msgid=msgid,
                safe=safe,
            )
        return msgid
