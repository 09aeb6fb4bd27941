"""pytest plugin (entry point ``wecom``): the ``wecom`` and ``wecom_server`` fixtures.

* ``wecom``: an in-process emulator with ``intercept()`` active and fresh state per test.
* ``wecom_server``: a live HTTP server on a free loopback port, reset per test.
* ``@pytest.mark.wecom(fixtures=[...], seed=N)``: a test-specific emulator.

One emulator per xdist worker; nothing uses a fixed port or sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mock_server.emulator import PLUGINS, Emulator
from mock_server.web.server import ServerThread


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wecom", "wecom-mock emulator")
    group.addoption(
        "--wecom-fixture",
        action="append",
        default=None,
        metavar="FILE",
        help="corp fixture(s) for the wecom fixtures (default: the demo company)",
    )
    group.addoption("--wecom-seed", type=int, default=0, help="id seed for the emulator")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wecom(fixtures=None, seed=None): a test-specific emulator for the wecom fixture"
    )
    for plugin in PLUGINS:
        for marker in plugin.markers:
            config.addinivalue_line("markers", f"{marker.name}: {marker.doc}")


def _options(config: pytest.Config) -> dict[str, Any]:
    return {
        "fixtures": config.getoption("--wecom-fixture"),
        "seed": config.getoption("--wecom-seed"),
    }


def _apply_markers(emu: Emulator, node: pytest.Item) -> None:
    for mark in node.iter_markers():
        marker = emu.markers.get(mark.name)
        if marker is not None:
            marker.apply(emu, mark)


@pytest.fixture(scope="session")
def wecom_emulator(pytestconfig: pytest.Config) -> Iterator[Emulator]:
    """The session's in-process emulator (reset by ``wecom`` before each test)."""
    opts = _options(pytestconfig)
    emu = Emulator(opts["fixtures"], seed=opts["seed"], mode="inprocess")
    yield emu
    emu.close()


@pytest.fixture
def wecom(request: pytest.FixtureRequest, wecom_emulator: Emulator) -> Iterator[Emulator]:
    """A fresh corp per test; ``requests`` to qyapi.weixin.qq.com are routed to it."""
    marker = request.node.get_closest_marker("wecom")
    if marker is not None and (marker.kwargs.get("fixtures") or "seed" in marker.kwargs):
        opts = _options(request.config)
        emu = Emulator(
            marker.kwargs.get("fixtures") or opts["fixtures"],
            seed=marker.kwargs.get("seed", opts["seed"]),
            mode="inprocess",
        )
    else:
        emu = wecom_emulator
        emu.reset()
    _apply_markers(emu, request.node)
    with emu.intercept():
        yield emu
    if emu is not wecom_emulator:
        emu.close()  # a test-specific emulator: stop its background work now


@pytest.fixture(scope="session")
def _wecom_live(pytestconfig: pytest.Config) -> Iterator[ServerThread]:
    opts = _options(pytestconfig)
    emu = Emulator(opts["fixtures"], seed=opts["seed"], mode="server")
    server = ServerThread(emu, port=0).start()
    yield server
    server.stop()


@pytest.fixture
def wecom_server(request: pytest.FixtureRequest, _wecom_live: ServerThread) -> ServerThread:
    """A live server (``.url``, ``.api_base``, ``.emulator``), reset before each test."""
    _wecom_live.emulator.reset()
    _apply_markers(_wecom_live.emulator, request.node)
    return _wecom_live
