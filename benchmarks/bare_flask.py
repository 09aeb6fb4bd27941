"""The HTTP baseline: a bare Flask app returning constant JSON, served like the emulator.

``python benchmarks/bare_flask.py waitress THREADS`` prints ``listening on URL`` and serves
until SIGTERM. ``bare_flask:app`` is also importable for gunicorn.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import Any

from flask import Flask, Response

app = Flask("bare")
BODY = b'{"errcode":0,"errmsg":"ok","userid":"lisi","name":"\xe6\x9d\x8e\xe5\x9b\x9b"}'


@app.route("/cgi-bin/<path:_path>", methods=["GET", "POST"])
def constant(_path: str) -> Response:
    return Response(BODY, content_type="application/json; charset=UTF-8")


@app.get("/__admin/health")
def health() -> Any:
    return {"status": "ok"}


def main() -> int:
    from waitress.server import create_server

    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="nginx")
    print(f"listening on http://127.0.0.1:{server.effective_port}", flush=True)

    def stop(*_: Any) -> None:
        server.close()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(SystemExit, OSError):
        server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
