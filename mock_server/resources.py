"""Old import path of ``mock_server.core.resources`` (kept so existing imports keep working)."""

import sys

from mock_server.core import resources as _module

sys.modules[__name__] = _module
