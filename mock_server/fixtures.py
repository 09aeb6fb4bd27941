"""Old import path of ``mock_server.core.fixtures`` (kept so existing imports keep working)."""

import sys

from mock_server.core import fixtures as _module

sys.modules[__name__] = _module
