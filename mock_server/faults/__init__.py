"""Fault injection and modelled limits (the plugin spec: ``plugin.py``)."""
