"""Test tooling: the in-process transport, ``intercept()`` and the pytest plugin."""
