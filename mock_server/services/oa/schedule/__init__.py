"""Schedules (日程): events in an app's calendars, one-off or repeating."""
