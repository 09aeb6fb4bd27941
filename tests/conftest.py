"""Shared helpers for the emulator's own tests (the ``wecom`` fixtures come from the plugin)."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import Emulator

API = "https://qyapi.weixin.qq.com/cgi-bin/"

# For the pytest plugin's own tests (tests/testing/test_pytest_plugin.py).
pytest_plugins = ["pytester"]


class Api:
    """Call the emulator in-process with a token for one secret scope."""

    def __init__(self, emu: Emulator, scope: str = "contacts", agentid: int | None = None) -> None:
        self.emu = emu
        self.token = emu.token(scope, agentid)

    def get(self, name: str, **params: Any) -> dict[str, Any]:
        return self.emu.call("GET", name, params={"access_token": self.token, **params})

    def post(self, name: str, body: Any = None, **params: Any) -> dict[str, Any]:
        return self.emu.call(
            "POST", name, params={"access_token": self.token, **params}, json=body or {}
        )


@pytest.fixture
def emu() -> Emulator:
    """A fresh demo emulator (no interception): for direct ``Emulator.call`` tests."""
    return Emulator()


@pytest.fixture
def contacts_api(emu: Emulator) -> Api:
    return Api(emu, "contacts")


@pytest.fixture
def app_api(emu: Emulator) -> Api:
    """The demo alerting app 1000002 (visible: whole corp)."""
    return Api(emu, "app", 1000002)
