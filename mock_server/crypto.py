"""Old import path of ``mock_server.core.crypto`` (kept so existing imports keep working)."""

import sys

from mock_server.core import crypto as _module

sys.modules[__name__] = _module
