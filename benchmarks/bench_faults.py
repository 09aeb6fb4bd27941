"""Cost of having 100 inactive fault rules loaded: user/get with 0 vs 100 rules, same run.

In process (``Emulator.call``: the pipeline alone, where any matching cost shows most) and
over HTTP (``requests.Session`` against a live server). Blocks of calls alternate between
the two set-ups and the fastest block of each is compared (the least disturbed by other
processes on a shared machine; the median is printed too). Target: under 10% slower.

    python benchmarks/bench_faults.py [--calls 300] [--blocks 9]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import requests

from mock_server import Emulator, ServerThread

OTHER_PATHS = [
    "message/send",
    "message/recall",
    "appchat/send",
    "media/upload",
    "department/list",
    "tag/addtagusers",
    "externalcontact/get",
    "oa/getapprovaldetail",
    "user/create",
    "user/update",
]


def inactive_rules() -> list[dict[str, object]]:
    """100 rules that never fire on user/get: other paths, other globs, other corps."""
    rules: list[dict[str, object]] = []
    for i in range(85):
        rules.append({"path": f"{OTHER_PATHS[i % len(OTHER_PATHS)]}", "errcode": -1, "nth": i + 1})
    for prefix in ("message", "appchat", "externalcontact", "oa", "media", "tag", "batch"):
        rules.append({"path": f"{prefix}/*", "delay": 1})
    rules += [
        {"path": "department/*", "errcode": 45009},
        {"path": "gettoken", "fault": "reset", "probability": 0.5},
        {"path": "*/list", "fault": "empty"},
    ]
    for i in range(5):
        rules.append({"path": "user/get", "corpid": f"wwother{i:012d}", "errcode": -1})
    assert len(rules) == 100
    return rules


def per_call(fn: Callable[[], object], calls: int, repeat: int = 3) -> float:
    """Seconds per call: the best of a few short runs (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - started) / calls)
    return best


def compare(name: str, emu: Emulator, call: Callable[[], object], calls: int, blocks: int) -> None:
    for _ in range(calls // 5):  # warm up
        call()
    bare, loaded = [], []
    for _ in range(blocks):
        emu.clear_faults()
        bare.append(per_call(call, calls))
        emu.add_faults(inactive_rules())
        loaded.append(per_call(call, calls))
    emu.clear_faults()
    b, lo = min(bare), min(loaded)
    ratio = lo / b
    median_ratio = statistics.median(loaded) / statistics.median(bare)
    verdict = "ok" if ratio < 1.10 else "OVER TARGET"
    print(
        f"{name:<11} 0 rules: {b * 1e6:8.1f} µs/call   100 inactive rules: {lo * 1e6:8.1f} µs/call"
        f"   ratio {ratio:.3f} ({(ratio - 1) * 100:+.1f}%, target < +10%: {verdict};"
        f" medians {(median_ratio - 1) * 100:+.1f}%)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per block")
    parser.add_argument("--blocks", type=int, default=15, help="alternating blocks per set-up")
    args = parser.parse_args()

    emu = Emulator()
    tok = emu.token("contacts")
    params = {"access_token": tok, "userid": "zhangsan"}
    compare(
        "in-process",
        emu,
        lambda: emu.call("GET", "user/get", params=params),
        args.calls,
        args.blocks,
    )

    with ServerThread(Emulator(mode="server"), port=0) as server:
        http_tok = server.emulator.token("contacts")
        session = requests.Session()
        url = server.api_base + "/user/get"
        http_params = {"access_token": http_tok, "userid": "zhangsan"}

        def http_call() -> object:
            return session.get(url, params=http_params, timeout=10).json()

        compare("HTTP", server.emulator, http_call, max(30, args.calls // 10), args.blocks)
        session.close()


if __name__ == "__main__":
    main()
