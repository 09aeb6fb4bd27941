"""gettoken and the IP-list endpoints (the plugin spec: ``plugin.py``)."""
