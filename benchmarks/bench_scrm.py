"""Benchmark: paging 50,000 rows of ``get_unassigned_list`` and ``get_groupmsg_send_result``
(1000 per page) against bare baselines answering the same page bytes.

* in-process: the emulator through ``intercept()`` vs a bare ``responses`` callback that
  serves the same pages (what a hand-written mock costs);
* HTTP: the emulator on ``ServerThread`` (waitress) vs a bare Flask app serving the same
  pages on the same waitress settings.

The client does the same work in both: post, decode, follow ``next_cursor`` to the end.
Ratio = baseline time / emulator time per full paging run (target >= 0.9), best of
alternating rounds, both measured in the same run.
Run: ``python benchmarks/bench_scrm.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import responses
from flask import Flask, Response, request
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mock_server import Emulator
from mock_server.services.external_contact.fixture import generate_section
from mock_server.web.server import ServerThread

CORPID = "wwdemo0000000000001"
SECRET = "DEMO-app-1000003-secret-not-real"
ROWS = 50_000
TARGET = 0.9
API = "https://qyapi.weixin.qq.com/cgi-bin/externalcontact/"


def prepare(emu: Emulator) -> str:
    """50,000 customers of xuqiang, one mass message to all of them, then xuqiang resigns."""
    section = generate_section(["xuqiang"], ROWS, random.Random(7))
    section["group_chats"] = []
    for row in section["customers"]:
        for f in row["follow"]:
            f.pop("tags", None)
    emu.load_external_contact(section)
    token = emu.token("app", 1000003)
    r = emu.call(
        "POST",
        "externalcontact/add_msg_template",
        params={"access_token": token},
        json={"sender": "xuqiang", "text": {"content": "会员日"}},
    )
    assert r["errcode"] == 0, r
    emu.confirm_groupmsg(r["msgid"], "xuqiang")
    msgid = str(r["msgid"])
    emu.member_resigns("xuqiang")
    return msgid


def cases(msgid: str) -> dict[str, tuple[str, dict[str, Any], str]]:
    """name -> (path, first body, list key)."""
    return {
        "get_unassigned_list": ("get_unassigned_list", {"page_size": 1000}, "info"),
        "get_groupmsg_send_result": (
            "get_groupmsg_send_result",
            {"msgid": msgid, "userid": "xuqiang", "limit": 1000},
            "send_list",
        ),
    }


def page_all(
    post: Callable[[dict[str, Any]], dict[str, Any]], body: dict[str, Any], key: str
) -> int:
    rows, cursor = 0, ""
    for _ in range(1000):
        page = post({**body, "cursor": cursor})
        rows += len(page[key])
        cursor = page.get("next_cursor", "")
        if not cursor:
            return rows
    raise AssertionError("cursor never ended")


def record_pages(
    emu_post: Callable[[dict[str, Any]], bytes], body: dict[str, Any]
) -> dict[str, bytes]:
    """The emulator's page bytes by cursor: what the bare baselines serve."""
    pages: dict[str, bytes] = {}
    cursor = ""
    while True:
        raw = emu_post({**body, "cursor": cursor})
        pages[cursor] = raw
        cursor = json.loads(raw).get("next_cursor", "")
        if not cursor:
            return pages


def interleaved(a: Callable[[], float], b: Callable[[], float], rounds: int) -> tuple[float, float]:
    a()
    b()
    sa, sb = [], []
    for _ in range(rounds):
        sa.append(a())
        sb.append(b())
    return min(sa), min(sb)


def timed(fn: Callable[[], int]) -> Callable[[], float]:
    def run() -> float:
        t = time.perf_counter()
        assert fn() >= ROWS
        return time.perf_counter() - t

    return run


def in_process_case(
    emu: Emulator,
    session: requests.Session,
    token: str,
    case: tuple[str, dict[str, Any], str],
    rounds: int,
) -> tuple[float, float]:
    path, body, key = case
    url = f"{API}{path}?access_token={token}"
    headers = {"Content-Type": "application/json; charset=UTF-8"}
    with emu.intercept():
        pages = record_pages(lambda b: session.post(url, json=b).content, body)

    def post(b: dict[str, Any]) -> dict[str, Any]:
        return dict(session.post(url, json=b).json())

    def emulator() -> int:
        with emu.intercept():
            return page_all(post, body, key)

    def callback(req: Any) -> tuple[int, dict[str, str], bytes]:
        return 200, headers, pages[json.loads(req.body).get("cursor", "")]

    def bare() -> int:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_callback("POST", re.compile(re.escape(API + path) + ".*"), callback=callback)
            return page_all(post, body, key)

    return interleaved(timed(emulator), timed(bare), rounds)


def in_process(emu: Emulator, msgid: str, rounds: int) -> dict[str, tuple[float, float]]:
    session = requests.Session()
    with emu.intercept():
        token = session.get(
            "https://qyapi.weixin.qq.com/cgi-bin/gettoken",
            params={"corpid": CORPID, "corpsecret": SECRET},
        ).json()["access_token"]
    return {
        name: in_process_case(emu, session, token, case, rounds)
        for name, case in cases(msgid).items()
    }


def http_case(
    s: requests.Session,
    emu_base: str,
    token: str,
    bare_base: str,
    pages: dict[str, dict[str, bytes]],
    case: tuple[str, dict[str, Any], str],
    rounds: int,
) -> tuple[float, float]:
    path, body, key = case
    emu_url = f"{emu_base}/{path}?access_token={token}"
    bare_url = f"{bare_base}/{path}?access_token=x"
    pages[path] = record_pages(lambda b: s.post(emu_url, json=b).content, body)

    def emulator() -> int:
        return page_all(lambda b: dict(s.post(emu_url, json=b).json()), body, key)

    def bare() -> int:
        return page_all(lambda b: dict(s.post(bare_url, json=b).json()), body, key)

    return interleaved(timed(emulator), timed(bare), rounds)


def over_http(emu: Emulator, msgid: str, rounds: int) -> dict[str, tuple[float, float]]:
    server = ServerThread(emu, port=0).start()
    pages: dict[str, dict[str, bytes]] = {}
    app = Flask("bare")

    @app.post("/cgi-bin/externalcontact/<path:path>")
    def bare_view(path: str) -> Response:
        cursor = (request.get_json(force=True) or {}).get("cursor", "")
        return Response(pages[path][cursor], content_type="application/json; charset=UTF-8")

    bare_server = create_server(app, host="127.0.0.1", port=0, threads=16, ident="nginx")
    thread = threading.Thread(target=bare_server.run, daemon=True)
    thread.start()
    try:
        with requests.Session() as s:
            token = s.get(
                f"{server.url}/cgi-bin/gettoken", params={"corpid": CORPID, "corpsecret": SECRET}
            ).json()["access_token"]
            emu_base = f"{server.url}/cgi-bin/externalcontact"
            bare_base = f"http://127.0.0.1:{bare_server.effective_port}/cgi-bin/externalcontact"
            return {
                name: http_case(s, emu_base, token, bare_base, pages, case, rounds)
                for name, case in cases(msgid).items()
            }
    finally:
        server.stop()
        bare_server.close()
        bare_server.task_dispatcher.shutdown(timeout=5)
        thread.join(5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    emu = Emulator()
    msgid = prepare(emu)
    results = [("in-process", in_process(emu, msgid, args.rounds))]
    http_emu = Emulator(mode="server")
    http_msgid = prepare(http_emu)
    results.append(("HTTP (waitress)", over_http(http_emu, http_msgid, args.rounds)))
    print(f"paging {ROWS:,} rows, 1000 per page (50 calls), seconds per full run")
    print(f"{'endpoint':<28}{'mode':<18}{'emulator':>10}{'bare':>10}{'ratio':>8}")
    ok = True
    for mode, rows in results:
        for name, (emu_t, bare_t) in rows.items():
            ratio = bare_t / emu_t
            ok &= ratio >= TARGET
            print(f"{name:<28}{mode:<18}{emu_t:>9.3f}s{bare_t:>9.3f}s{ratio:>8.2f}")
    print(f"target ratio >= {TARGET}: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
