"""Old import path of ``mock_server.core.ids`` (kept so existing imports keep working)."""

import sys

from mock_server.core import ids as _module

sys.modules[__name__] = _module
