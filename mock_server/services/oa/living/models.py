"""Lives (直播) created by an app; no HTTP.

Status follows the clock and the sandbox: 0 reserved until the anchor starts it (sandbox
``start``), 1 live, 2 ended (sandbox ``end`` or the planned duration elapsed), 3 expired
(never started by ``living_start + living_duration``), 4 cancelled. Each change made by the
anchor or the API emits ``living_status_change`` to the creating app (expiry is not called
back, doc 94145).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.core.events import SOURCE_API, SOURCE_SANDBOX, DomainEvent
from mock_server.core.state import Corp

RESERVED, LIVE, ENDED, EXPIRED, CANCELLED = 0, 1, 2, 3, 4


@dataclass
class LivingStore:
    # livingid -> {livingid, owner, anchor_userid, theme, living_start, living_duration, type,
    #              description, remind_time, started_at, ended_at, cancelled, replay_deleted,
    #              created, viewers: [{...}], external_viewers: [{...}], comments, mics}
    lives: dict[str, dict[str, Any]] = field(default_factory=dict)


def living(corp: Corp) -> LivingStore:
    return corp.store("living")


class LivingActionError(ValueError):
    """What the anchor cannot do (start a cancelled live, end one that is not live)."""


def status(live: dict[str, Any], now: int) -> int:
    if live["cancelled"]:
        return CANCELLED
    if live["started_at"]:
        if live["ended_at"] or now >= live["started_at"] + live["living_duration"]:
            return ENDED
        return LIVE
    return EXPIRED if now >= live["living_start"] + live["living_duration"] else RESERVED


def emit(corp: Corp, live: dict[str, Any], source: str = SOURCE_API) -> None:
    corp.emit(
        DomainEvent(
            corpid=corp.corpid,
            kind="living_status_change",
            data={
                "LivingId": live["livingid"],
                "Status": status(live, corp.clock.time()),
                "AgentID": live["owner"],
            },
            time=corp.clock.time(),
            source=source,
            target=live["owner"],
            meta={"from_user": live["anchor_userid"]},
        )
    )


def _find(corp: Corp, livingid: str) -> dict[str, Any]:
    live = living(corp).lives.get(livingid)
    if live is None:
        raise LivingActionError(f"no live {livingid}")
    return live


def start(corp: Corp, livingid: str) -> dict[str, Any]:
    """The anchor goes live (a reserved live only)."""
    live = _find(corp, livingid)
    if status(live, corp.clock.time()) != RESERVED:
        raise LivingActionError(f"live {livingid} is not reserved")
    live["started_at"] = corp.clock.time()
    emit(corp, live, SOURCE_SANDBOX)
    return live


def end(corp: Corp, livingid: str) -> dict[str, Any]:
    """The anchor ends a live that is on air."""
    live = _find(corp, livingid)
    if status(live, corp.clock.time()) != LIVE:
        raise LivingActionError(f"live {livingid} is not on air")
    live["ended_at"] = corp.clock.time()
    emit(corp, live, SOURCE_SANDBOX)
    return live


def watch(corp: Corp, livingid: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A viewer watched: ``userid`` (member) or ``external_userid`` (+ ``type`` 1 WeChat,
    2 WeCom), ``watch_time`` seconds, ``is_comment``, ``is_mic``."""
    live = _find(corp, livingid)
    row = {
        "watch_time": int(payload.get("watch_time", 0)),
        "is_comment": 1 if payload.get("is_comment") else 0,
        "is_mic": 1 if payload.get("is_mic") else 0,
    }
    if payload.get("userid"):
        live["viewers"].append({"userid": str(payload["userid"]), **row})
    elif payload.get("external_userid"):
        live["external_viewers"].append(
            {"external_userid": str(payload["external_userid"]), "type": int(payload.get("type", 1)),
             "name": str(payload.get("name", "")), **row}
        )  # fmt: skip
    else:
        raise LivingActionError("userid or external_userid required")
    return live
