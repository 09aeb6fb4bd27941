"""wecom-mock: a local emulator of the WeCom (企业微信) server API.

In-process (like moto's ``mock_aws``)::

    from mock_server import intercept
    with intercept() as wecom:          # requests to qyapi.weixin.qq.com go to the emulator
        ...
        wecom.journal.entries(path="message/send")

Over HTTP: ``wecom-mock serve`` or ``ServerThread(Emulator()).start()``.
"""

from __future__ import annotations

from mock_server.core.clock import Clock
from mock_server.core.errors import WeComError
from mock_server.emulator import Emulator
from mock_server.testing.intercept import intercept

__all__ = ["Clock", "Emulator", "ServerThread", "WeComError", "create_app", "intercept"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Flask and waitress are imported only when the HTTP side is used.
    if name == "ServerThread":
        from mock_server.web.server import ServerThread

        return ServerThread
    if name == "create_app":
        from mock_server.web.app import create_app

        return create_app
    raise AttributeError(name)
