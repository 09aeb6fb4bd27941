"""Meetings (预约会议): booked video meetings whose status follows the clock."""
