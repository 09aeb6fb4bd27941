"""Journals (汇报): report templates (fixture) and submitted reports (sandbox); no HTTP.

Reports are written in the WeCom app only, so they come from the sandbox action
``submit``. Record ids are long opaque strings; comment ids are 64-bit integers (JSON numbers
above 2^53, unlike approval comments).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm

CN = dt.timezone(dt.timedelta(hours=8))
DAILY, WEEKLY, MONTHLY = 2, 3, 4
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass
class JournalStore:
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    # journal_uuid -> record (get_record_detail's ``info`` plus ``partyids`` of the submitter)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)


def journal(corp: Corp) -> JournalStore:
    return corp.store("journal")


class JournalActionError(ValueError):
    """A report the app would not accept (unknown member or template, empty content)."""


def submit(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """``userid`` submits a report of ``template_id``: ``contents`` is a list of
    ``{"title": ..., "text": ...}`` (Text controls) and ``report_time`` defaults to now."""
    store = journal(corp)
    users = cm.contacts(corp)
    user = users.find_user(payload.get("userid", ""))
    if user is None:
        raise JournalActionError(f"no member {payload.get('userid')!r}")
    tpl = store.templates.get(payload.get("template_id", ""))
    if tpl is None:
        raise JournalActionError(f"no journal template {payload.get('template_id')!r}")
    contents = payload.get("contents")
    if not isinstance(contents, list) or not contents:
        raise JournalActionError("contents: a non-empty list of {title, text}")
    t = payload.get("report_time", corp.clock.time())
    if isinstance(t, bool) or not isinstance(t, int) or not 0 < t <= 0xFFFFFFFF:
        raise JournalActionError("report_time must be a unix timestamp")
    controls = []
    for i, c in enumerate(contents):
        if not isinstance(c, dict) or not isinstance(c.get("text"), str):
            raise JournalActionError("each content is {title, text}")
        controls.append(
            {
                "control": "Text",
                "id": f"Text-{1700000000000 + i}",
                "title": [{"text": str(c.get("title", f"内容{i + 1}")), "lang": "zh_CN"}],
                "value": {"text": c["text"], "tips": [], "members": [], "departments": [],
                          "files": [], "children": [], "stat_field": [], "sum_field": [],
                          "related_approval": [], "students": [], "classes": []},
            }
        )  # fmt: skip
    uuid = corp.ids.choice_string(BASE58, 64)
    receivers = [{"userid": u} for u in tpl.get("receivers", [])]
    record = {
        "journal_uuid": uuid,
        "template_name": tpl["template_name"],
        "template_id": tpl["template_id"],
        "report_time": t,
        "submitter": {"userid": user.userid},
        "receivers": receivers,
        "readed_receivers": [],
        "apply_data": {"contents": controls},
        "comments": [],
        "partyids": list(user.department),
    }
    store.records[uuid] = record
    return detail(record)


def comment(corp: Corp, uuid: str, userid: str, content: str) -> dict[str, Any]:
    """A receiver comments (and so has read the report)."""
    record = journal(corp).records.get(uuid)
    user = cm.contacts(corp).find_user(userid)
    if record is None or user is None or not content:
        raise JournalActionError("unknown report or member, or empty comment")
    commentid = 7_000_000_000_000_000_000 + corp.ids.randint(0, 10**18)
    record["comments"].append(
        {"commentid": commentid, "tocommentid": 0, "comment_userinfo": {"userid": user.userid},
         "content": content, "comment_time": corp.clock.time()}
    )  # fmt: skip
    if {"userid": user.userid} in record["receivers"] and {"userid": user.userid} not in record[
        "readed_receivers"
    ]:
        record["readed_receivers"].append({"userid": user.userid})
    return detail(record)


def detail(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "partyids"}


def cycles(report_type: int, start: int, end: int) -> list[tuple[int, int]]:
    """Statistic cycles (local days, ISO weeks or months) overlapping [start, end)."""
    out: list[tuple[int, int]] = []
    day = dt.datetime.fromtimestamp(start, CN).replace(hour=0, minute=0, second=0, microsecond=0)
    if report_type == WEEKLY:
        day -= dt.timedelta(days=day.weekday())
    elif report_type == MONTHLY:
        day = day.replace(day=1)
    while int(day.timestamp()) < end and len(out) < 400:
        if report_type == DAILY:
            nxt = day + dt.timedelta(days=1)
        elif report_type == WEEKLY:
            nxt = day + dt.timedelta(days=7)
        else:
            nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((int(day.timestamp()), int(nxt.timestamp())))
        day = nxt
    return out
