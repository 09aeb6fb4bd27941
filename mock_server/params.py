"""Old import path of ``mock_server.core.params`` (kept so existing imports keep working)."""

import sys

from mock_server.core import params as _module

sys.modules[__name__] = _module
