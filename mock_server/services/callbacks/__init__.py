"""Callbacks: crypto, URL verification, event delivery (admin routes: ``admin.py``)."""

from mock_server.services.callbacks import fixture as fixture
