"""Benchmark: ``externalcontact/batch/get_by_user`` (limit 100) against bare baselines.

* in-process: the emulator through ``intercept()`` vs a bare ``responses`` callback that
  answers the same bytes (what a hand-written mock costs);
* HTTP: the emulator on ``ServerThread`` (waitress) vs a bare Flask app answering the same
  bytes on the same waitress settings, the two called in lockstep (call by call).

The ratio is baseline time / emulator time per call (target >= 0.7); method in
``crm_harness``. Run: ``python benchmarks/bench_external_contact.py [--calls N]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator

import requests
from crm_harness import (
    API,
    SALES,
    bare_mock,
    bare_server,
    emulator_server,
    in_process_token,
    interleaved,
    load_average,
    lockstep,
    mock_setup,
    timed,
)

from mock_server import Emulator

PATH = "externalcontact/batch/get_by_user"
BODY = {"userid_list": SALES, "limit": 100}
TARGET = 0.7


def call_by_call(post: Callable[[], requests.Response], n: int) -> Callable[[], Iterator[None]]:
    """``n`` calls as a ``lockstep`` run (yielding after each)."""

    def run() -> Iterator[None]:
        for _ in range(n):
            assert len(post().json()["external_contact_list"]) == 100
            yield None

    return run


def calls(post: Callable[[], requests.Response], n: int) -> Callable[[], None]:
    """The same ``n`` calls back to back."""
    run = call_by_call(post, n)

    def work() -> None:
        for _ in run():
            pass

    return work


def in_process(emu: Emulator, n: int, rounds: int) -> tuple[float, float, bytes]:
    session = requests.Session()
    url = f"{API}{PATH}?access_token={in_process_token(emu, session)}"
    with emu.intercept():
        payload = session.post(url, json=BODY).content
    work = calls(lambda: session.post(url, json=BODY), n)
    emu_t, bare_t = interleaved(
        timed(emu.intercept, work),
        timed(lambda: bare_mock("POST", API + PATH, lambda _req: payload), work),
        rounds,
    )
    return emu_t / n, bare_t / n, payload


def over_http(n: int, rounds: int, payload: bytes) -> tuple[float, float]:
    with (
        requests.Session() as s,
        emulator_server(Emulator(mode="server"), s) as (emu_base, token),
        bare_server(lambda _path, _raw: payload) as bare_base,
    ):
        emu_url = f"{emu_base}/{PATH}?access_token={token}"
        bare_url = f"{bare_base}/{PATH}?access_token=x"
        emu_t, bare_t = lockstep(
            [
                call_by_call(lambda: s.post(emu_url, json=BODY), n),
                call_by_call(lambda: s.post(bare_url, json=BODY), n),
            ],
            rounds,
        )
    return emu_t / n, bare_t / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="calls per round")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    emu = Emulator()
    emu_in, bare_in, payload = in_process(emu, args.calls, args.rounds)
    emu_http, bare_http = over_http(args.calls, args.rounds, payload)
    setup, bare_setup = mock_setup(emu)
    rows = [
        ("in-process (intercept)", emu_in, bare_in),
        ("HTTP (waitress)", emu_http, bare_http),
    ]
    print(f"{PATH}, limit 100, {len(payload)} bytes per response")
    print(f"{'mode':<24}{'emulator':>12}{'bare':>12}{'ratio':>8}")
    ok = True
    for name, emu_t, bare_t in rows:
        ratio = bare_t / emu_t
        ok &= ratio >= TARGET
        print(f"{name:<24}{emu_t * 1e3:>10.3f}ms{bare_t * 1e3:>10.3f}ms{ratio:>8.2f}")
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
