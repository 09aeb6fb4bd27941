"""OA: approvals, calendars and schedules, meetings (the plugin spec: ``plugin.py``)."""
