"""Python API of Messaging: the inbox tests assert on, plus media and robot helpers.

``emu.messaging``; the emulator keeps ``wecom.messages(to="zhangsan", msgtype="markdown")``
and ``wecom.assert_sent(to="zhangsan", text="deploy")`` as shortcuts, as they read naturally
in a test.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.services.messaging.models import Message


def _describe_filters(filters: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in filters.items() if v is not None)
    return shown or "any"


class SentMessages(list):
    """A list of delivered messages (oldest first) that explains itself when an expectation fails."""

    def __init__(
        self,
        items: list[Message],
        filters: dict[str, Any],
        everything: Callable[[], list[Message]],
    ) -> None:
        super().__init__(items)
        self.filters = filters
        # Read only when a failure needs the report (copying a full inbox on every query
        # would make large suites slow).
        self._everything = everything

    def one(self) -> Message:
        """The single matching message; fails listing what was sent when there are 0 or 2+."""
        if len(self) != 1:
            raise AssertionError(
                f"expected exactly one message matching {_describe_filters(self.filters)}, "
                f"found {len(self)}.\n{self.report()}"
            )
        return self[0]

    @property
    def texts(self) -> list[str]:
        """Plain-text renderings, in order."""
        return [m.text for m in self]

    def report(self) -> str:
        """What was sent in this corp (all messages, newest last)."""
        everything = self._everything()
        if not everything:
            return "Nothing was sent."
        lines = [f"Sent so far ({len(everything)}):"]
        lines += [f"  {m.summary()}" for m in everything[-50:]]
        if len(everything) > 50:
            lines.insert(1, f"  ... {len(everything) - 50} earlier messages not shown")
        return "\n".join(lines)


class MessagingAPI:
    """Inbox queries and assertions; media and robot set-up for tests."""

    def __init__(self, engine: Host) -> None:
        self._emu = engine

    def messages(
        self,
        to: str | None = None,
        *,
        chat: str | None = None,
        robot: str | None = None,
        msgtype: str | None = None,
        since: float | None = None,
        agentid: int | None = None,
        kind: str | None = None,
        corpid: str | None = None,
    ) -> SentMessages:
        """Delivered messages matching every given filter (``to`` = a userid's inbox)."""
        from mock_server.services.messaging import models as m

        corp = self._emu.corp(corpid)
        filters = {
            "to": to,
            "chat": chat,
            "robot": robot,
            "msgtype": msgtype,
            "since": since,
            "agentid": agentid,
            "kind": kind,
        }
        with corp.lock:
            found = [copy.deepcopy(x) for x in m.query_inbox(corp, **filters)]  # type: ignore[arg-type]

        def everything() -> list[Message]:
            with corp.lock:
                return [copy.copy(x) for x in m.messaging(corp).inbox]

        return SentMessages(found, filters, everything)

    def assert_sent(
        self,
        to: str | None = None,
        *,
        chat: str | None = None,
        robot: str | None = None,
        msgtype: str | None = None,
        text: str | None = None,
        count: int | None = None,
        since: float | None = None,
        agentid: int | None = None,
        corpid: str | None = None,
    ) -> SentMessages:
        """Assert a message was delivered (``text`` = substring of the plain rendering).

        ``count`` asks for an exact number of matches. On failure the error lists what was
        sent instead.
        """
        found = self.messages(
            to,
            chat=chat,
            robot=robot,
            msgtype=msgtype,
            since=since,
            agentid=agentid,
            corpid=corpid,
        )
        if text is not None:
            matching = [x for x in found if text in x.text]
            found = SentMessages(matching, {**found.filters, "text": text}, found._everything)
        ok = len(found) == count if count is not None else len(found) > 0
        if not ok:
            want = f"exactly {count} message(s)" if count is not None else "a message"
            raise AssertionError(
                f"expected {want} matching {_describe_filters(found.filters)}, "
                f"found {len(found)}.\n{found.report()}"
            )
        return found

    def clear_messages(self, corpid: str | None = None) -> int:
        """Empty the inbox (every corp without ``corpid``); returns how many were removed."""
        from mock_server.services.messaging import models as m

        corps = [self._emu.corp(corpid)] if corpid else list(self._emu.corps.values())
        n = 0
        for corp in corps:
            with corp.lock:
                store = m.messaging(corp)
                n += len(store.inbox)
                store.inbox.clear()
        return n

    def upload_media(
        self,
        data: bytes,
        *,
        type: str = "file",
        filename: str = "file.txt",
        content_type: str = "application/octet-stream",
        corpid: str | None = None,
    ) -> str:
        """Store bytes as temporary media (as ``media/upload`` would) and return the media_id."""
        from mock_server.services.messaging.media.models import add_media

        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            return add_media(
                corp, type=type, data=data, filename=filename, content_type=content_type
            ).media_id

    def robots(self, corpid: str | None = None) -> list[dict[str, Any]]:
        """The group robots of a corp: key, name, chatid, members (userids)."""
        from mock_server.services.contacts.models import contacts
        from mock_server.services.messaging import models as m

        corp = self._emu.corp(corpid)
        users = contacts(corp).users
        return [
            {
                "key": r.key,
                "name": r.name,
                "chatid": r.chatid,
                "members": [users[k].userid if k in users else k for k in r.members],
            }
            for r in m.messaging(corp).robots.values()
        ]
