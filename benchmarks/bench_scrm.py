"""Benchmark: paging 50,000 rows of ``get_unassigned_list`` and ``get_groupmsg_send_result``
(1000 per page) against bare baselines answering the same page bytes.

* in-process: the emulator through ``intercept()`` vs a bare ``responses`` callback that
  serves the same pages (what a hand-written mock costs);
* HTTP: the emulator on ``ServerThread`` (waitress) vs a bare Flask app serving the same
  pages on the same waitress settings, the two paging in lockstep (call by call).

The client does the same work in both: post, decode, follow ``next_cursor`` to the end.
Ratio = baseline time / emulator time per full paging run (target >= 0.9); method in
``crm_harness``. Run: ``python benchmarks/bench_scrm.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import requests
from crm_harness import (
    API,
    bare_mock,
    bare_server,
    cursor_of,
    emulator_server,
    in_process_token,
    interleaved,
    load_average,
    lockstep,
    mock_setup,
    page_all,
    paging,
    record_pages,
    timed,
)

from mock_server import Emulator
from mock_server.services.external_contact.fixture import generate_section

ROWS = 50_000
TARGET = 0.9
Case = tuple[str, dict[str, Any], str]  # path under externalcontact/, first body, list key


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


def cases(msgid: str) -> dict[str, Case]:
    return {
        "get_unassigned_list": ("get_unassigned_list", {"page_size": 1000}, "info"),
        "get_groupmsg_send_result": (
            "get_groupmsg_send_result",
            {"msgid": msgid, "userid": "xuqiang", "limit": 1000},
            "send_list",
        ),
    }


def full_run(
    post: Callable[[dict[str, Any]], dict[str, Any]], body: dict[str, Any], key: str
) -> Callable[[], None]:
    def work() -> None:
        assert page_all(post, body, key) >= ROWS

    return work


def posters(
    session: requests.Session, url: str
) -> tuple[Callable[[dict[str, Any]], dict[str, Any]], Callable[[dict[str, Any]], bytes]]:
    """(post and decode, post and keep the bytes) for one URL."""

    def post(body: dict[str, Any]) -> dict[str, Any]:
        return dict(session.post(url, json=body).json())

    def raw(body: dict[str, Any]) -> bytes:
        return session.post(url, json=body).content

    return post, raw


def in_process_case(
    emu: Emulator, session: requests.Session, token: str, case: Case, rounds: int
) -> tuple[float, float]:
    path, body, key = case
    url = f"{API}externalcontact/{path}?access_token={token}"
    post, raw = posters(session, url)
    with emu.intercept():
        pages = record_pages(raw, body)

    def bare() -> AbstractContextManager[None]:
        return bare_mock("POST", url.split("?")[0], lambda req: pages[cursor_of(req.body)])

    work = full_run(post, body, key)
    return interleaved(timed(emu.intercept, work), timed(bare, work), rounds)


def in_process(emu: Emulator, msgid: str, rounds: int) -> dict[str, tuple[float, float]]:
    session = requests.Session()
    token = in_process_token(emu, session)
    return {
        name: in_process_case(emu, session, token, case, rounds)
        for name, case in cases(msgid).items()
    }


def over_http(emu: Emulator, msgid: str, rounds: int) -> dict[str, tuple[float, float]]:
    pages: dict[str, dict[str, bytes]] = {}
    out = {}
    with (
        requests.Session() as s,
        emulator_server(emu, s) as (emu_base, token),
        bare_server(lambda path, raw: pages[path][cursor_of(raw)]) as bare_base,
    ):
        for name, (path, body, key) in cases(msgid).items():
            ours, raw = posters(s, f"{emu_base}/externalcontact/{path}?access_token={token}")
            bare, _ = posters(s, f"{bare_base}/externalcontact/{path}?access_token=x")
            pages[f"externalcontact/{path}"] = record_pages(raw, body)
            emu_t, bare_t = lockstep(
                [paging(ours, body, key, ROWS), paging(bare, body, key, ROWS)], rounds
            )
            out[name] = (emu_t, bare_t)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    emu = Emulator()
    msgid = prepare(emu)
    results = [("in-process", in_process(emu, msgid, args.rounds))]
    http_emu = Emulator(mode="server")
    http_msgid = prepare(http_emu)
    results.append(("HTTP (waitress)", over_http(http_emu, http_msgid, args.rounds)))
    setup, bare_setup = mock_setup(emu)
    print(f"paging {ROWS:,} rows, 1000 per page (50 calls), seconds per full run")
    print(f"{'endpoint':<28}{'mode':<18}{'emulator':>10}{'bare':>10}{'ratio':>8}")
    ok = True
    for mode, rows in results:
        for name, (emu_t, bare_t) in rows.items():
            ratio = bare_t / emu_t
            ok &= ratio >= TARGET
            print(f"{name:<28}{mode:<18}{emu_t:>9.3f}s{bare_t:>9.3f}s{ratio:>8.2f}")
    print(
        f"not in the ratios: intercept() start+stop {setup * 1e3:.1f} ms, "
        f"bare responses mock {bare_setup * 1e3:.1f} ms (once per test)"
    )
    print(
        f"target ratio >= {TARGET}: {'met' if ok else 'NOT met'}  (load average {load_average()})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
