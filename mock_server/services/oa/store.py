"""OA state of one corp: templates, applications, calendars, schedules, meetings (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.core.state import Corp


@dataclass
class Template:
    template_id: str
    name: str
    controls: list[dict[str, Any]]  # gettemplatedetail's control objects (property + config)
    record_type: int = 0  # getapprovalinfo record_type filter (1 leave, 8 reimbursement, ...)
    # Template approval flow: [{"attr": "or"|"and", "userid": [...]}] per level.
    approvers: list[dict[str, Any]] = field(default_factory=list)
    notifyer: list[str] = field(default_factory=list)
    notify_type: int = 1


@dataclass
class Application:
    sp_no: str
    template_id: str
    sp_name: str
    creator: str
    partyid: int
    apply_time: int
    # Levels: {"rel": "or"|"and"|"seq", "node_type": 1|3, "status": int,
    #          "details": [{"userid", "sp_status", "speech", "sptime"}]}
    levels: list[dict[str, Any]]
    notifyer: list[str]
    notify_type: int
    contents: list[dict[str, Any]]  # apply_data.contents as the detail shows them
    summary: list[dict[str, Any]]
    sp_status: int = 1
    comments: list[dict[str, Any]] = field(default_factory=list)
    record_type: int = 0
    # Leave/attendance spans [begin, end) used for the 301079 conflict check.
    spans: list[tuple[int, int]] = field(default_factory=list)
    agentid: int | None = None


@dataclass
class Calendar:
    cal_id: str
    owner: int | None  # agentid of the app that created it
    data: dict[str, Any]
    created: int
    deleted: bool = False


@dataclass
class Schedule:
    schedule_id: str
    owner: int | None
    data: dict[str, Any]
    created: int
    status: int = 0  # 1 cancelled
    sequence: int = 0


@dataclass
class Meeting:
    meetingid: str
    owner: int | None
    data: dict[str, Any]
    created: int
    cancelled: bool = False


@dataclass
class OAStore:
    templates: dict[str, Template] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    sp_seq: dict[str, int] = field(default_factory=dict)  # per day YYYYMMDD
    calendars: dict[str, Calendar] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)


def oa(corp: Corp) -> OAStore:
    return corp.store("oa")
