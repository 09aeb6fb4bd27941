"""Old import path of ``mock_server.core.pipeline`` (kept so existing imports keep working)."""

import sys

from mock_server.core import pipeline as _module

sys.modules[__name__] = _module
