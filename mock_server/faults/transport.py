"""How transport-level faults look on each transport (filled in by the fault-injection issue)."""

from __future__ import annotations

from typing import Any

from mock_server.pipeline import ApiResponse


def apply_http_fault(resp: ApiResponse) -> Any:
    """A Flask response (or None) for a fault that only a socket can show."""
    return None


def apply_inprocess_fault(resp: ApiResponse) -> None:
    """Raise what ``requests`` would raise for a socket-level fault, in-process."""
    return None
