"""Old import path of ``mock_server.core.clock`` (kept so existing imports keep working)."""

import sys

from mock_server.core import clock as _module

sys.modules[__name__] = _module
