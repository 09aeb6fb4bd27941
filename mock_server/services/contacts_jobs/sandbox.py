"""Sandbox actions of people, not API callers: a member accepts the invitation.

Plain functions ``(emu, corp, payload) -> dict`` so the admin API, the CLI and the Python API
share them. They raise ``ValueError`` with a message for a bad payload.
"""

from __future__ import annotations

import time
from typing import Any

from mock_server.core.events import SOURCE_SANDBOX, DomainEvent
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.contacts_jobs.store import contacts_jobs


def day_of(corp: Corp, when: int | None = None) -> str:
    """The calendar day (UTC+8, the real API's time zone) of an emulator timestamp."""
    t = corp.clock.time() if when is None else when
    return time.strftime("%Y-%m-%d", time.gmtime(t + 8 * 3600))


def mark_active(corp: Corp, user: cm.User, when: int | None = None) -> None:
    days = contacts_jobs(corp).active_days
    day = days.setdefault(day_of(corp, when), [])
    if user.key not in day:
        day.append(user.key)
    # Keep about a month of days (user/get_active_stat reads at most 30 days back).
    for old in sorted(days)[:-40]:
        del days[old]


def activate_member(emu: Any, corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """The member joins WeCom: ``status`` becomes 1 (active), ``convert_to_openid`` answers."""
    userid = payload.get("userid")
    if not isinstance(userid, str) or not userid:
        raise ValueError("userid is required")
    with emu.transaction(corp):
        user = cm.contacts(corp).find_user(userid)
        if user is None:
            raise ValueError(f"no member {userid!r} in corp {corp.corpid}")
        if user.enable == 0 or user.status == 2:
            raise ValueError(f"member {user.userid} is disabled and cannot log in")
        if user.status == 5:
            raise ValueError(f"member {user.userid} has left the company")
        before = user.status
        if before != 1:
            user.status = 1
            cm.contacts(corp).touch()
            corp.emit(
                DomainEvent(
                    corpid=corp.corpid,
                    kind="change_contact",
                    data={"ChangeType": "update_user", "UserID": user.userid, "Status": 1},
                    time=corp.clock.time(),
                    source=SOURCE_SANDBOX,
                )
            )
        contacts_jobs(corp).invited.pop(user.key, None)
        mark_active(corp, user)
        return {"userid": user.userid, "status": user.status, "previous_status": before}
