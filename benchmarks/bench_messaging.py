"""Benchmark: message/send (text, 3 recipients) through the emulator vs a bare baseline.

* in-process: ``Emulator.intercept()`` vs a bare ``responses`` callback answering fixed JSON;
* over HTTP: the emulator on ``ServerThread`` (waitress) vs a bare Flask app on the same
  waitress server settings.

Both sides of a pair run in the same process and run, with the same ``requests.Session``
work per call; the ratio (emulator / baseline throughput) has a target of at least 0.7.
Usage: ``python benchmarks/bench_messaging.py [--n 2000] [--http-n 1000]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import responses
from flask import Flask, Response
from waitress.server import create_server

from mock_server import Emulator
from mock_server.web.server import DEFAULT_THREADS, ServerThread

API = "https://qyapi.weixin.qq.com/cgi-bin/message/send"
BODY = {
    "touser": "zhangsan|lisi|wangfang",
    "msgtype": "text",
    "agentid": 1000002,
    "text": {"content": "benchmark: deploy finished"},
}
CANNED = {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "x" * 86}
TARGET = 0.7


def timed(fn: Callable[[], None], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def pair(
    emulated: Callable[[], None],
    bare: Callable[[], None],
    n: int,
    rounds: int = 10,
    emu_ctx: Callable[[], Any] = contextlib.nullcontext,
    bare_ctx: Callable[[], Any] = contextlib.nullcontext,
) -> tuple[float, float]:
    """Best-of-rounds calls per second, the two sides interleaved in many short rounds so a
    noisy shared machine slows both alike (``n`` calls in all per side)."""
    per_round = max(1, n // rounds)
    emu_rates, bare_rates = [], []
    for i in range(rounds):
        with emu_ctx():
            if i == 0:
                emulated()  # warm-up
            emu_rates.append(timed(emulated, per_round))
        with bare_ctx():
            if i == 0:
                bare()
            bare_rates.append(timed(bare, per_round))
    return max(emu_rates), max(bare_rates)


class Ticker:
    """4 s of emulator time per message keeps each recipient under 30/min and 1000/h, so every
    call does the full delivery work instead of being silently dropped by the quota; the
    access_token (7200 s) is renewed as emulator time passes. Both sides of a pair tick."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.calls = 0
        self.params = {"access_token": emu.token("app", 1000002)}

    def tick(self) -> dict[str, str]:
        self.emu.advance(4)
        self.calls += 1
        if self.calls % 1000 == 0:  # 4000 s: renew well before the 7200 s expiry
            corp = self.emu.corp()
            self.emu.tokens.revoke(corpid=corp.corpid, token=self.params["access_token"])
            self.params = {"access_token": self.emu.token("app", 1000002)}
        return self.params


def bench_inprocess(n: int) -> tuple[float, float]:
    emu = Emulator()
    ticker = Ticker(emu)
    session = requests.Session()
    payload = json.dumps(CANNED)

    def call() -> None:
        r = session.post(API, params=ticker.tick(), json=BODY, timeout=5)
        assert r.json()["errcode"] == 0, r.text

    def bare_ctx() -> Any:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add_callback(
            responses.POST,
            API,
            callback=lambda req: (200, {"Content-Type": "application/json"}, payload),
        )
        return mock

    rates = pair(call, call, n, emu_ctx=emu.intercept, bare_ctx=bare_ctx)
    assert len(emu.messages()) >= min(3 * n // 2, 10_000)
    return rates


def bench_http(n: int) -> tuple[float, float]:
    emu = Emulator(mode="server")
    server = ServerThread(emu).start()
    ticker = Ticker(emu)
    session = requests.Session()
    url = server.api_base + "/message/send"

    app = Flask("bare")
    payload = json.dumps(CANNED).encode()

    @app.post("/cgi-bin/message/send")
    def send() -> Response:
        return Response(payload, content_type="application/json; charset=UTF-8")

    # The same waitress settings as ServerThread.
    bare_server: Any = create_server(
        app,
        host="127.0.0.1",
        port=0,
        threads=DEFAULT_THREADS,
        ident="nginx",
        clear_untrusted_proxy_headers=True,
        connection_limit=1000,
        channel_timeout=30,
    )
    thread = threading.Thread(target=bare_server.run, daemon=True)
    thread.start()
    bare_url = f"http://127.0.0.1:{bare_server.effective_port}/cgi-bin/message/send"

    def emulated() -> None:
        r = session.post(url, params=ticker.tick(), json=BODY, timeout=5)
        assert r.json()["errcode"] == 0, r.text

    def bare() -> None:
        r = session.post(bare_url, params=ticker.tick(), json=BODY, timeout=5)
        assert r.json()["errcode"] == 0, r.text

    try:
        return pair(emulated, bare, n)
    finally:
        server.stop()
        bare_server.close()
        bare_server.task_dispatcher.shutdown(timeout=5)
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="in-process calls per side")
    parser.add_argument("--http-n", type=int, default=3000, help="HTTP calls per side")
    args = parser.parse_args(argv)
    rows = []
    emu_rate, bare_rate = bench_inprocess(args.n)
    rows.append(("message/send in-process (intercept vs responses)", emu_rate, bare_rate))
    emu_rate, bare_rate = bench_http(args.http_n)
    rows.append(("message/send over HTTP (waitress: emulator vs bare Flask)", emu_rate, bare_rate))
    ok = True
    for name, emu_r, bare_r in rows:
        ratio = emu_r / bare_r
        ok &= ratio >= TARGET
        print(
            f"{name}: emulator {emu_r:,.0f}/s, baseline {bare_r:,.0f}/s, ratio {ratio:.2f} (target >= {TARGET})"
        )
    print("median ratio", f"{statistics.median(r[1] / r[2] for r in rows):.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
