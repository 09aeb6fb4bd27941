"""OA: approvals, calendars and schedules, meetings (filled in by its issue)."""
