"""Old import path of ``mock_server.core.errors`` (kept so existing imports keep working)."""

import sys

from mock_server.core import errors as _module

sys.modules[__name__] = _module
