"""Old import path of ``mock_server.core.events`` (kept so existing imports keep working)."""

import sys

from mock_server.core import events as _module

sys.modules[__name__] = _module
