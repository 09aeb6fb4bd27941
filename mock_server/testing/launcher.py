"""``wecom-mock run -- CMD ARGS``: run an unmodified Python app against the emulator.

The app's ``requests``, ``httpx`` and ``aiohttp`` calls to qyapi.weixin.qq.com go to a local
server (started here, or an already running one given by ``--url``/``WECOM_MOCK_URL``); a
``sitecustomize`` on ``PYTHONPATH`` does the routing inside the app's interpreter. Apps in
other languages use the HTTPS mode instead (``wecom-mock serve --proxy-port``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROUTE_DIR = Path(__file__).resolve().parent / "_route"
LOCAL = ("127.0.0.1", "localhost", "::1")


def child_env(url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that routes a Python app's WeCom calls to ``url``."""
    env = dict(os.environ if base is None else base)
    url = url.rstrip("/")
    env["WECOM_MOCK_URL"] = url
    env["WECOM_API_BASE"] = url + "/cgi-bin"
    paths = [str(ROUTE_DIR)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    for key in ("NO_PROXY", "no_proxy"):  # the emulator is local: never through a proxy
        have = [h for h in env.get(key, "").split(",") if h.strip()]
        env[key] = ",".join(have + [h for h in LOCAL if h not in have])
    return env


def run(
    command: Sequence[str],
    *,
    url: str | None = None,
    fixtures: Sequence[str] | None = None,
    seed: int = 0,
    quiet: bool = False,
) -> int:
    """Run ``command`` with WeCom routed to ``url`` (or a server started for it); its status."""
    server = None
    url = url or os.environ.get("WECOM_MOCK_URL") or None
    if url is None:
        from mock_server.emulator import Emulator
        from mock_server.web.server import ServerThread

        server = ServerThread(Emulator(fixtures, seed=seed, mode="server"), port=0).start()
        url = server.url
    if not quiet:
        print(
            f"wecom-mock run: qyapi.weixin.qq.com -> {url} "
            f"({'started' if server else 'reused'}; requests, httpx, aiohttp routed)",
            file=sys.stderr,
            flush=True,
        )
    try:
        return subprocess.run(list(command), env=child_env(url), check=False).returncode
    except FileNotFoundError:
        print(f"wecom-mock run: command not found: {command[0]}", file=sys.stderr)
        return 127
    finally:
        if server is not None:
            server.stop()
