"""Benchmark: the persistent sandbox (``--state``) and the dashboard.

* write throughput over HTTP with ``--state`` against the in-memory server, same run, same
  waitress settings, interleaved rounds: ``message/send`` and ``user/create`` (target: at
  least 0.5x);
* start-up with a 10,000-member, 50,000-customer state file: loading it in-process and a
  ``wecom-mock serve --state`` process until it listens (target: under 2 s);
* the dashboard's first paint with that state in headless Chromium (target: under 1 s),
  when Debian's chromium and the ``playwright`` package are there.

Usage: ``python benchmarks/bench_sandbox.py [--n 600] [--users 10000] [--customers 50000]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from mock_server import Emulator
from mock_server.web.server import ServerThread

CORP = "wwdemo0000000000001"
USERS = ["zhangsan", "lisi", "wangfang", "liuyang", "dengyi", "chenjing", "yangguang"]
TARGET_WRITES = 0.5
TARGET_START = 2.0
TARGET_PAINT = 1.0


class Client:
    def __init__(self, server: ServerThread) -> None:
        self.server = server
        self.s = requests.Session()
        self.i = 0
        self.app = self._token("DEMO-app-1000002-secret-not-real")
        self.contacts = self._token("DEMO-contacts-secret-not-real")

    def _token(self, secret: str) -> str:
        r = self.s.get(
            f"{self.server.api_base}/gettoken", params={"corpid": CORP, "corpsecret": secret}
        )
        return str(r.json()["access_token"])

    def send(self) -> None:
        self.i += 1
        # 10 s of emulator time per call keeps every member under the 30/min quota.
        self.server.emulator.clock.advance(10)
        if self.i % 500 == 0:
            self.app = self._token("DEMO-app-1000002-secret-not-real")
        r = self.s.post(
            f"{self.server.api_base}/message/send",
            params={"access_token": self.app},
            json={
                "touser": USERS[self.i % len(USERS)],
                "msgtype": "text",
                "agentid": 1000002,
                "text": {"content": f"benchmark {self.i}"},
            },
        )
        assert r.json()["errcode"] == 0, r.text

    def create(self) -> None:
        self.i += 1
        r = self.s.post(
            f"{self.server.api_base}/user/create",
            params={"access_token": self.contacts},
            json={
                "userid": f"bench{self.i}",
                "name": f"压测{self.i}",
                "department": [1],
                "email": f"bench{self.i}@example.com",
            },
        )
        assert r.json()["errcode"] == 0, r.text


def rate(fn: Callable[[], None], n: int) -> tuple[float, float]:
    """Calls per second (wall clock) and CPU seconds per call (client and server threads of
    this process: a figure a busy machine disturbs much less)."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start), (time.process_time() - cpu) / n


def writes(n: int, rounds: int = 6) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        mem = ServerThread(Emulator(mode="server")).start()
        disk = ServerThread(Emulator(mode="server", state=Path(tmp) / "bench.db")).start()
        try:
            cm, cd = Client(mem), Client(disk)
            for name in ("send", "create"):
                per = max(1, n // rounds)
                m_rates, d_rates = [], []
                for _ in range(rounds):
                    m_rates.append(rate(getattr(cm, name), per))
                    d_rates.append(rate(getattr(cd, name), per))
                m, d = max(r[0] for r in m_rates), max(r[0] for r in d_rates)
                m_cpu, d_cpu = min(r[1] for r in m_rates), min(r[1] for r in d_rates)
                out[name] = (m, d, d / m, m_cpu, d_cpu)
        finally:
            mem.stop()
            disk.stop()
            disk.emulator.storage.close()
    return out


def build_large(path: Path, users: int, customers: int) -> float:
    fixture = path.with_suffix(".yaml")
    with fixture.open("w") as f:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "mock_server.cli",
                "fixture",
                "generate",
                "--users",
                str(users),
                "--customers",
                str(customers),
                "--departments",
                "200",
            ],
            stdout=f,
            check=True,
        )
    start = time.perf_counter()
    emu = Emulator([str(fixture)], state=path)
    emu.storage.close()
    return time.perf_counter() - start


def serve_start(path: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mock_server.cli",
            "serve",
            "--port",
            "0",
            "--quiet",
            "--state",
            str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if re.search(r"listening on http://127\.0\.0\.1:\d+", line):
                return time.perf_counter() - start
        raise RuntimeError("server exited before listening")
    finally:
        proc.terminate()
        proc.wait(120)
        proc.stdout.close()


def first_paint(emu: Emulator) -> tuple[float, float] | None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(chromium).exists():
        return None
    with ServerThread(emu) as srv, sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = b.new_page(viewport={"width": 1400, "height": 900})
        page.goto(srv.url + "/")
        page.wait_for_selector("body[data-ready='company']", timeout=60_000)
        fcp = page.evaluate(
            "() => performance.getEntriesByName('first-contentful-paint')[0].startTime"
        )
        ready = page.evaluate(
            "() => performance.getEntriesByName('wecom-mock-first-view')[0].startTime"
        )
        b.close()
    return fcp / 1000, ready / 1000


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=600, help="calls per side per operation")
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument("--customers", type=int, default=50_000)
    p.add_argument("--skip-large", action="store_true", help="only the write throughput")
    args = p.parse_args()

    print(f"write throughput over HTTP, {args.n} calls per side (best round)")
    ok = True
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, (m, d, ratio, m_cpu, d_cpu) in writes(args.n).items():
        label = {"send": "message/send", "create": "user/create"}[name]
        cpu_ratio = m_cpu / d_cpu
        verdict = "ok" if ratio >= TARGET_WRITES else "BELOW TARGET"
        ok &= ratio >= TARGET_WRITES
        print(
            f"  {label:<13} in memory {m:7.0f}/s   --state {d:7.0f}/s   "
            f"ratio {ratio:.2f} (target >= {TARGET_WRITES})  {verdict}\n"
            f"  {'':<13} CPU per call (client + server): in memory {m_cpu * 1e3:.2f} ms, "
            f"--state {d_cpu * 1e3:.2f} ms: ratio {cpu_ratio:.2f}"
        )
    if args.skip_large:
        return 0 if ok else 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.db"
        built = build_large(path, args.users, args.customers)
        size = path.stat().st_size / 1e6
        print(
            f"state file: {args.users} members, {args.customers} customers, "
            f"{size:.0f} MB (written in {built:.1f} s)"
        )
        start = time.perf_counter()
        emu = Emulator(state=path, mode="server")
        loaded = time.perf_counter() - start
        print(
            f"  Emulator(state=...)        {loaded:.2f} s  (rows read in "
            f"{emu.storage.info()['load_seconds']:.2f} s; target < {TARGET_START} s)"
        )
        served = serve_start(path)
        print(f"  wecom-mock serve --state   {served:.2f} s until listening (interpreter included)")
        paint = first_paint(emu)
        if paint is None:
            print("  dashboard first paint: skipped (no chromium or playwright)")
        else:
            print(
                f"  dashboard first paint      {paint[0]:.2f} s, company view ready "
                f"{paint[1]:.2f} s (target < {TARGET_PAINT} s)"
            )
        emu.storage.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
