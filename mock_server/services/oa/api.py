"""Python API of OA: approvals, calendars and schedules, meetings, mixed into ``Emulator``."""

from __future__ import annotations


class OAAPI:
    pass
