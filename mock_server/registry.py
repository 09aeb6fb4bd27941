"""Old import path of ``mock_server.core.registry`` (kept so existing imports keep working)."""

import sys

from mock_server.core import registry as _module

sys.modules[__name__] = _module
