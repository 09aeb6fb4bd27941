"""Old import path of ``mock_server.core.state`` (kept so existing imports keep working)."""

import sys

from mock_server.core import state as _module

sys.modules[__name__] = _module
