"""What the customer-contact benchmarks share: the demo sales app, alternating best-of rounds,
a bare ``responses`` mock and a bare Flask app on waitress serving recorded answer bytes,
and cursor paging to the end.

Method: each contender answers the same bytes, and the best round of each counts (like
``timeit``).

* In-process, rounds alternate between the two contenders; each round runs inside an
  already started mock (the emulator's ``intercept()`` or a bare ``responses`` mock), its
  calls back to back, as a test makes them. Starting and stopping a mock is a one-time cost
  per test, reported on its own line (``mock_setup``), not part of the per-call ratio.
* Over HTTP both servers run at once, so the two contenders go in lockstep (``lockstep``):
  call by call within a round, each call timed on its own. Runs of a few hundred ms
  alternating as a whole read 0.74-1.27 for the same code on a shared machine (background
  load shifts between them); calls a few ms apart see the same load."""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import requests
import responses
from flask import Flask, Response, request
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mock_server import Emulator
from mock_server.services.external_contact.fixture import demo_follow_users
from mock_server.web.server import ServerThread

CORPID = "wwdemo0000000000001"
SECRET = "DEMO-app-1000003-secret-not-real"  # the demo sales app (customer contact)
API = "https://qyapi.weixin.qq.com/cgi-bin/"
JSON_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}
SALES = demo_follow_users()  # the demo's members with customer contact


def interleaved(a: Callable[[], float], b: Callable[[], float], rounds: int) -> tuple[float, float]:
    """Best seconds of ``a`` and ``b`` over alternating rounds (one warm-up round each)."""
    a()
    b()
    sa, sb = [], []
    for _ in range(rounds):
        sa.append(a())
        sb.append(b())
    return min(sa), min(sb)


_END = object()


def lockstep(runs: Sequence[Callable[[], Iterator[None]]], rounds: int) -> list[float]:
    """Best seconds of each run over ``rounds`` rounds (one warm-up round): within a round
    the runs take turns call by call (a run yields after each call), each call timed alone."""
    best = [math.inf] * len(runs)
    for round_no in range(rounds + 1):
        spent = [0.0] * len(runs)
        live = [(i, run()) for i, run in enumerate(runs)]
        while live:
            still = []
            for i, steps in live:
                started = time.perf_counter()
                more = next(steps, _END) is not _END
                spent[i] += time.perf_counter() - started
                if more:
                    still.append((i, steps))
            live = still
        if round_no:
            best = [min(b, s) for b, s in zip(best, spent, strict=True)]
    return best


def timed(
    active: Callable[[], AbstractContextManager[Any]], work: Callable[[], None]
) -> Callable[[], float]:
    """A round: ``work`` timed inside ``active()`` (the mock's start and stop not timed)."""

    def run() -> float:
        with active():
            started = time.perf_counter()
            work()
            return time.perf_counter() - started

    return run


def mock_setup(emu: Emulator, rounds: int = 10) -> tuple[float, float]:
    """Best seconds to start and stop ``intercept()`` and a bare ``responses`` mock."""

    def ours() -> float:
        started = time.perf_counter()
        with emu.intercept():
            pass
        return time.perf_counter() - started

    def bare() -> float:
        started = time.perf_counter()
        with bare_mock("POST", API + "x", lambda _req: b"{}"):
            pass
        return time.perf_counter() - started

    return interleaved(ours, bare, rounds)


@contextmanager
def bare_mock(method: str, url: str, answer: Callable[[Any], bytes]) -> Iterator[None]:
    """A hand-written ``responses`` mock: ``answer(request)`` gives the body for ``url*``."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(
            method,
            re.compile(re.escape(url) + ".*"),
            callback=lambda req: (200, JSON_HEADERS, answer(req)),
        )
        yield


def in_process_token(emu: Emulator, session: requests.Session) -> str:
    with emu.intercept():
        r = session.get(f"{API}gettoken", params={"corpid": CORPID, "corpsecret": SECRET})
    return str(r.json()["access_token"])


@contextmanager
def bare_server(answer: Callable[[str, bytes], bytes]) -> Iterator[str]:
    """A bare Flask app on waitress (same settings as the emulator's server) answering
    ``answer(path, body)`` for any POST under /cgi-bin/; yields its base URL."""
    app = Flask("bare")

    @app.post("/cgi-bin/<path:path>")
    def view(path: str) -> Response:
        return Response(answer(path, request.get_data()), content_type=JSON_HEADERS["Content-Type"])

    server = create_server(app, host="127.0.0.1", port=0, threads=16, ident="nginx")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/cgi-bin"
    finally:  # workers first: a keep-alive channel must not wake a closed server
        server.task_dispatcher.shutdown(timeout=5)
        server.close()
        thread.join(5)


@contextmanager
def emulator_server(emu: Emulator, session: requests.Session) -> Iterator[tuple[str, str]]:
    """The emulator on ``ServerThread`` (waitress); yields (base URL, access_token)."""
    server = ServerThread(emu, port=0).start()
    try:
        token = session.get(
            f"{server.url}/cgi-bin/gettoken", params={"corpid": CORPID, "corpsecret": SECRET}
        ).json()["access_token"]
        yield f"{server.url}/cgi-bin", token
    finally:
        server.stop()


def page_sizes(
    post: Callable[[dict[str, Any]], dict[str, Any]], body: dict[str, Any], key: str
) -> Iterator[int]:
    """Follow ``next_cursor`` to the end, giving each page's number of ``key`` rows."""
    cursor = ""
    for _ in range(1000):
        page = post({**body, "cursor": cursor})
        cursor = page.get("next_cursor", "")
        yield len(page[key])
        if not cursor:
            return
    raise AssertionError("cursor never ended")


def paging(
    post: Callable[[dict[str, Any]], dict[str, Any]], body: dict[str, Any], key: str, rows: int
) -> Callable[[], Iterator[None]]:
    """A ``lockstep`` run: ``page_sizes`` to the end (at least ``rows`` rows), yielding
    after each call."""

    def run() -> Iterator[None]:
        seen = 0
        for size in page_sizes(post, body, key):
            seen += size
            yield None
        assert seen >= rows, seen

    return run


def page_all(
    post: Callable[[dict[str, Any]], dict[str, Any]], body: dict[str, Any], key: str
) -> int:
    """Follow ``next_cursor`` to the end; the number of ``key`` rows read."""
    return sum(page_sizes(post, body, key))


def record_pages(post: Callable[[dict[str, Any]], bytes], body: dict[str, Any]) -> dict[str, bytes]:
    """The emulator's page bytes by cursor: what the bare baselines serve."""
    pages: dict[str, bytes] = {}
    cursor = ""
    while True:
        raw = post({**body, "cursor": cursor})
        pages[cursor] = raw
        cursor = json.loads(raw).get("next_cursor", "")
        if not cursor:
            return pages


def load_average() -> str:
    """The 1/5/15-minute load averages, printed next to wall-clock ratios."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cursor_of(raw_body: bytes | str | None) -> str:
    """The ``cursor`` a recorded page is looked up by."""
    return str(json.loads(raw_body or b"{}").get("cursor", ""))
