"""Callbacks: receivers, URL verification, event delivery (the plugin spec: ``plugin.py``)."""
