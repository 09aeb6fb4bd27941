"""wecom-mock: a local emulator of the WeCom (企业微信) server API.

In-process (like moto's ``mock_aws``)::

    from mock_server import intercept
    with intercept() as wecom:          # requests to qyapi.weixin.qq.com go to the emulator
        ...
        wecom.journal.entries(path="message/send")

Over HTTP: ``wecom-mock serve`` or ``ServerThread(Emulator()).start()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.core.clock import Clock
from mock_server.core.errors import WeComError
from mock_server.emulator import Emulator

if TYPE_CHECKING:
    from mock_server.testing.intercept import intercept
    from mock_server.web.app import create_app
    from mock_server.web.server import ServerThread

__all__ = ["Clock", "Emulator", "ServerThread", "WeComError", "create_app", "intercept"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Imported when first used: Flask and waitress for the HTTP side, ``responses`` and
    # ``requests`` for interception (``wecom-mock serve`` starts without them).
    if name == "ServerThread":
        from mock_server.web.server import ServerThread

        return ServerThread
    if name == "create_app":
        from mock_server.web.app import create_app

        return create_app
    if name == "intercept":
        from mock_server.testing.intercept import intercept

        return intercept
    raise AttributeError(name)
