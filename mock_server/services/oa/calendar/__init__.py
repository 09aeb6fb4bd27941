"""Calendars (日历): an app's calendars, shared with members; schedules live in them."""
