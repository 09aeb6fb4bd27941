"""Benchmark: a 10,000-row member import (batch/syncuser) against a plain loop.

The emulator side is the whole job in the emulator's own time: ``batch/syncuser`` (reading
and checking the CSV), then the clock moved to the job's end and ``batch/getresult`` (every
row applied with the same rules as ``user/create``, result rows, events). The baseline is a
plain Python loop over the same rows: ``csv`` parsing and one dict insert per member. Both
run in this process, alternating, best of ``--rounds``. Target: at least 5,000 rows/s of
the emulator's own (CPU) time for the whole job; wall-clock figures are printed too (on a
shared, loaded machine they include time spent waiting for a core).
Usage: ``python benchmarks/bench_contacts_jobs.py [--rows 10000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time

from mock_server import Emulator
from mock_server.core.clock import Clock
from mock_server.services.contacts_jobs import csvfile
from mock_server.services.messaging.media.models import add_media

TARGET_ROWS_PER_S = 5000


def make_file(rows: int) -> bytes:
    users = [
        {
            "name": f"员工{i}",
            "userid": f"bench{i:06d}",
            "mobile": f"139{i:08d}",
            "email": f"bench{i}@example.com",
            "department": [2 + i % 6],
            "position": "工程师",
            "gender": 1 + i % 2,
        }
        for i in range(rows)
    ]
    return csvfile.render_member_file(users)


def emulated(data: bytes, rows: int) -> tuple[float, float, float]:
    """(wall seconds for the whole job, wall seconds applying rows, CPU seconds for the whole
    job) on a fresh demo emulator."""
    emu = Emulator(clock=Clock(frozen=True, start=1_700_000_000))
    corp = emu.corp()
    token = emu.token("contacts")
    with emu.transaction(corp):
        media_id = add_media(corp, type="file", data=data).media_id
    params = {"access_token": token}
    cpu = time.process_time()
    start = time.perf_counter()
    jobid = emu.call("POST", "batch/syncuser", params=params, json={"media_id": media_id})["jobid"]
    submitted = time.perf_counter()
    emu.advance(3600)
    result = emu.call("GET", "batch/getresult", params={**params, "jobid": jobid})
    end = time.perf_counter()
    cpu = time.process_time() - cpu
    ok = sum(1 for r in result["result"] if r["errcode"] == 0)
    if result["status"] != 3 or ok != rows:
        raise SystemExit(f"import incomplete: status {result['status']}, {ok}/{rows} rows ok")
    return end - start, end - submitted, cpu


def baseline(data: bytes, rows: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the plain loop."""
    cpu = time.process_time()
    start = time.perf_counter()
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    header = next(reader)
    directory: dict[str, dict[str, str]] = {}
    for cells in reader:
        rec = dict(zip(header, cells, strict=False))
        directory[rec["帐号"].lower()] = rec
    if len(directory) != rows:
        raise SystemExit("baseline lost rows")
    return time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="one round")
    args = p.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    data = make_file(args.rows)
    total, apply, cpu, bare, bare_cpu = [], [], [], [], []
    for _ in range(rounds):
        t, a, c = emulated(data, args.rows)
        total.append(t)
        apply.append(a)
        cpu.append(c)
        b, bc = baseline(data, args.rows)
        bare.append(b)
        bare_cpu.append(bc)
    n = args.rows
    job_cpu_rate = n / min(cpu)
    bare_cpu_rate = n / min(bare_cpu)
    print(f"contacts_jobs: {n}-row batch/syncuser import, best of {rounds}")
    print(f"  emulator, whole job, CPU time:          {job_cpu_rate:10,.0f} rows/s")
    print(f"  emulator, whole job, wall clock:        {n / min(total):10,.0f} rows/s")
    print(f"  emulator, applying rows, wall clock:    {n / min(apply):10,.0f} rows/s")
    print(f"  plain loop (csv + dict insert), CPU:    {bare_cpu_rate:10,.0f} rows/s")
    print(f"  plain loop, wall clock:                 {n / min(bare):10,.0f} rows/s")
    print(f"  ratio emulator / plain loop (CPU):      {job_cpu_rate / bare_cpu_rate:10.3f}")
    ok = job_cpu_rate >= TARGET_ROWS_PER_S
    print(
        f"  target >= {TARGET_ROWS_PER_S:,} rows/s (whole job, CPU): {'ok' if ok else 'BELOW TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
