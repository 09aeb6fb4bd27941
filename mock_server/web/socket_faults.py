"""Socket-level faults (reset, empty reply, garbage) over HTTP.

Fault rules mark a response with ``transport_fault``; in process, ``mock_server.testing``
raises what ``requests`` raises. Over HTTP (waitress): WSGI gives no socket, so ``install_socket_faults`` customises the
  server minimally: its channel's task puts the channel in the WSGI environ, and a thin
  middleware, told by the view through ``environ["wecom_mock.fault"]``, drops the answer and
  makes waitress close the connection (after ``SO_LINGER 0`` for a real RST, or after writing
  random bytes for ``garbage``). Under any other WSGI server the fault degrades to an empty
  HTTP 200 body (documented as a known difference).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

from mock_server.core.pipeline import GARBAGE, SOCKET_FAULTS, ApiResponse

ENV_FAULT = "wecom_mock.fault"
ENV_CHANNEL = "wecom_mock.channel"


def apply_http_fault(resp: ApiResponse) -> Any:
    """A Flask response (or None) for a fault that only a socket can show."""
    if resp.delay:
        time.sleep(resp.delay)  # the request thread's real clock
    if resp.transport_fault not in SOCKET_FAULTS:
        return None
    from flask import Response, request

    request.environ[ENV_FAULT] = resp.transport_fault
    # Seen only when the server is not ours (no socket access): an empty 200 body.
    return Response(b"", status=200)


class SocketFaultMiddleware:
    """Wraps the WSGI app: when the view flagged a socket fault, answer nothing."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        result = self.app(environ, start_response)
        kind = environ.get(ENV_FAULT)
        channel = environ.get(ENV_CHANNEL)
        if kind is None or channel is None:
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        from waitress.channel import ClientDisconnected

        if kind == "reset":
            # linger 0: close() sends RST instead of FIN (the socket may already be gone)
            with contextlib.suppress(OSError):
                channel.socket.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
        elif kind == "garbage":
            channel.write_soon(GARBAGE)
        # Waitress treats this as "client went away": it writes no status line and closes the
        # connection once its buffer (empty, or the garbage) is flushed.
        raise ClientDisconnected(kind)


def install_socket_faults(server: Any) -> None:
    """Give a waitress server socket access for reset/empty/garbage faults (see module doc)."""
    from waitress.channel import HTTPChannel
    from waitress.task import WSGITask

    if not hasattr(server, "channel_class"):  # pragma: no cover - a multi-socket server
        return

    class FaultTask(WSGITask):
        def get_environment(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().get_environment()
            environ[ENV_CHANNEL] = self.channel
            return environ

    class FaultChannel(HTTPChannel):
        task_class = FaultTask

    server.channel_class = FaultChannel
    server.application = SocketFaultMiddleware(server.application)
