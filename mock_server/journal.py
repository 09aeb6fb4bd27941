"""Old import path of ``mock_server.core.journal`` (kept so existing imports keep working)."""

import sys

from mock_server.core import journal as _module

sys.modules[__name__] = _module
