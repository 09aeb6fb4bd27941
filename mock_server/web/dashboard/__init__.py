"""The sandbox dashboard: static files (no build step, no CDN) on top of the admin API.

``register_dashboard`` serves them at ``/`` and ``/__admin/ui``; the page's only backend is
``/__admin`` (the read views of :mod:`mock_server.web.dashboard.reads` plus the plugins'
admin actions).
"""

from __future__ import annotations

from mock_server.web.dashboard.routes import register_dashboard, register_read_routes

__all__ = ["register_dashboard", "register_read_routes"]
