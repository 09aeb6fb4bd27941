"""The network guard refuses connects to literal addresses that are neither loopback nor the
answer of a name it let through (the real WeCom servers may sit behind any of them).
Loopback only: every refused connect is refused before a packet leaves."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from mock_server import intercept
from mock_server.core import netguard
from mock_server.core.netguard import NetworkGuardError

# Documentation ranges (RFC 5737 / RFC 3849): never anyone's server.
FAR_V4 = "203.0.113.5"
FAR_V6 = "2001:db8::5"


@pytest.fixture
def listener() -> Iterator[int]:
    """A loopback TCP listener on a free port."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        yield srv.getsockname()[1]


def test_raw_sockets_to_literal_addresses_are_refused() -> None:
    with intercept():
        for family, far in ((socket.AF_INET, FAR_V4), (socket.AF_INET6, FAR_V6)):
            with socket.socket(family) as s:
                s.settimeout(1)
                address: Any = (far, 443) if family == socket.AF_INET else (far, 443, 0, 0)
                where = rf"{far}:443" if family == socket.AF_INET else rf"\[{far}\]:443"
                with pytest.raises(NetworkGuardError, match=rf"{where} \(via socket\.connect\)"):
                    s.connect(address)
                with pytest.raises(NetworkGuardError, match=r"socket\.connect_ex"):
                    s.connect_ex(address)
        with pytest.raises(NetworkGuardError, match=rf"{FAR_V4}:443 \(via socket.create_conn"):
            socket.create_connection((FAR_V4, 443), timeout=1)
        with pytest.raises(NetworkGuardError, match=rf"\[::ffff:{FAR_V4}\]:443"):
            socket.create_connection((f"::ffff:{FAR_V4}", 443), timeout=1)

        async def stream() -> None:
            await asyncio.open_connection(FAR_V4, 443)

        with pytest.raises(NetworkGuardError):
            asyncio.run(stream())
        # A name handed to connect itself (resolved in C) is checked as a name.
        with socket.socket() as s, pytest.raises(NetworkGuardError, match="qyapi"):
            s.connect(("qyapi.weixin.qq.com", 443))


def test_loopback_and_local_sockets_still_connect(listener: int) -> None:
    with intercept():
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, listener), timeout=5):
                pass
        with socket.socket() as s:
            s.settimeout(5)
            s.connect(("127.0.0.1", listener))
        with socket.socket() as s:
            s.settimeout(5)
            assert s.connect_ex(("127.0.0.1", listener)) == 0

        async def stream() -> None:
            _, writer = await asyncio.open_connection("127.0.0.1", listener)
            writer.close()
            await writer.wait_closed()

        asyncio.run(stream())
        a, b = socket.socketpair()  # AF_UNIX: not the network
        a.close()
        b.close()


def test_addresses_of_names_let_through_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        assert host == "other.example"  # no real resolution in this test
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("198.51.100.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with intercept():
        guard = netguard.GUARD
        assert not guard.allows(("198.51.100.7", 80))
        socket.getaddrinfo("other.example", 80)
        assert guard.allows(("198.51.100.7", 80))  # resolved from a name the guard checked
        assert not guard.allows((FAR_V4, 80))
        assert guard.allows(("other.example", 80)) and not guard.allows(("qyapi.weixin.qq.com", 1))
        assert guard.allows(("::1", 80, 0, 0)) and guard.allows(("::ffff:127.0.0.1", 80))
    assert not netguard.GUARD.vouched  # forgotten with the guard


def test_connect_is_restored_and_untouched_without_the_guard() -> None:
    assert "connect" not in socket.socket.__dict__
    with intercept():
        assert "connect" in socket.socket.__dict__
        with intercept():
            pass
        assert "connect" in socket.socket.__dict__  # nested: still guarded
    assert "connect" not in socket.socket.__dict__ and "connect_ex" not in socket.socket.__dict__
    with intercept(guard=False):
        assert "connect" not in socket.socket.__dict__


def test_the_remembered_addresses_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netguard, "VOUCHED_MAX", 3)
    with intercept():
        for i in range(10):
            netguard.GUARD._vouch(f"h{i}.example", [(0, 0, 0, "", (f"198.51.100.{i}", 0))])
        assert list(netguard.GUARD.vouched) == [f"198.51.100.{i}" for i in (7, 8, 9)]
