"""The sandbox dashboard: static files (no build step, no CDN) on top of the admin API.

``register_dashboard`` serves them at ``/`` and ``/__admin/ui``; the page's only backend is
``/__admin`` (the read routes of :mod:`mock_server.dashboard.reads` plus the families' routes).
"""

from __future__ import annotations

from mock_server.dashboard.web import register_dashboard

__all__ = ["register_dashboard"]
