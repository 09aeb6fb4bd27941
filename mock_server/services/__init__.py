"""API families, one plugin each (``services/<family>/plugin.py``); ``mock_server.emulator``
lists them."""
