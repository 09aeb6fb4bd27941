"""Memory soak: ``wecom-mock serve`` under the fuzzer, 1 MB bodies and media uploads.

Runs the server in its own process and reads its resident set size (``VmRSS``, ``VmHWM``
from ``/proc``) before and after each phase:

1. the HTTP fuzzer's malformed requests (every endpoint and admin route);
2. 1 MB JSON bodies, with and without a token (each journaled as a 4 KiB preview);
3. media uploads of 1-8 MB (kept at most 3 days and 128 MiB per corp).

The documented ceiling (README, "Memory limits") is 512 MB of RSS for the demo company;
the script exits 1 when the server goes over it. ``make soak``;
``python benchmarks/soak_memory.py [--fuzz 20000] [--bodies 500] [--uploads 60]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import selectors
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from mock_server import Emulator
from mock_server.testing.fuzz import Client, Counts, Generator, check

CEILING_MB = 512
EXE = str(Path(sys.executable).parent / "wecom-mock")


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def start_server() -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [EXE, "serve", "--port", "0", "--seed", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sel.select(deadline - time.monotonic()):
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", proc.stdout.readline())
        if m:
            return proc, int(m.group(1))
    proc.kill()
    raise SystemExit("the server did not start")


def call(port: int, method: str, target: str, body: bytes = b"", ctype: str = "") -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Content-Type": ctype} if ctype else {}
        conn.request(method, target, body=body or None, headers=headers)
        return conn.getresponse().read()
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fuzz", type=int, default=20_000, help="fuzzer requests (20,000)")
    parser.add_argument("--bodies", type=int, default=500, help="1 MB bodies (500)")
    parser.add_argument("--uploads", type=int, default=60, help="media uploads of 1-8 MB (60)")
    args = parser.parse_args()

    local = Emulator()  # the same demo fixture: corp ids, secrets, robot keys
    corp = local.corp()
    proc, port = start_server()
    try:

        def token(scope: str, agentid: int | None) -> str:
            secret = corp.agents[agentid].secret if agentid else corp.secrets[scope]
            query = urlencode({"corpid": corp.corpid, "corpsecret": secret})
            return str(json.loads(call(port, "GET", f"/cgi-bin/gettoken?{query}"))["access_token"])

        call(port, "PUT", "/__admin/rate-limits", b'{"enabled": false}', "application/json")
        rows = [("start", *rss_mb(proc.pid))]

        gen = Generator(
            local, [("/__admin/health", ["GET"]), ("/__admin/journal", ["GET"])], 5, token
        )
        client = Client(port, 60)
        counts = Counts()
        started = time.monotonic()
        for _ in range(args.fuzz):
            req = gen.next()
            status, headers, data = client.send(req)
            check(req, status, headers, data, counts)
            counts.requests += 1
        client.close()
        rows.append((f"fuzzer, {args.fuzz} requests", *rss_mb(proc.pid)))

        contacts = token("contacts", None)
        one_mb = b'{"userid":"' + b"m" * 1_000_000 + b'"}'
        for i in range(args.bodies):
            query = f"?access_token={contacts}" if i % 2 else ""
            call(port, "POST", f"/cgi-bin/user/create{query}", one_mb, "application/json")
        rows.append((f"{args.bodies} x 1 MB bodies", *rss_mb(proc.pid)))

        boundary = "soakb0undary"
        for i in range(args.uploads):
            size = (1 + i % 8) * 1_000_000
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="media"; '
                    f'filename="soak{i}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
                ).encode()
                + bytes([i % 256]) * size
                + f"\r\n--{boundary}--\r\n".encode()
            )
            out = json.loads(
                call(
                    port,
                    "POST",
                    f"/cgi-bin/media/upload?access_token={contacts}&type=file",
                    body,
                    f"multipart/form-data; boundary={boundary}",
                )
            )
            assert out["errcode"] == 0, out
        rows.append((f"{args.uploads} uploads of 1-8 MB", *rss_mb(proc.pid)))
        seconds = time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait(30)

    print(f"memory soak of wecom-mock serve ({seconds:.0f} s)")
    print(f"{'after':<34} {'RSS MB':>8} {'peak MB':>8}")
    for name, rss, peak in rows:
        print(f"{name:<34} {rss:>8.1f} {peak:>8.1f}")
    start, end, peak = rows[0][1], rows[-1][1], max(r[2] for r in rows)
    print(f"RSS after / before: {end / start:.2f}x; peak {peak:.0f} MB; ceiling {CEILING_MB} MB")
    print(
        f"fuzzer answers: 5xx {counts.status_5xx}, non-JSON {counts.non_json}, "
        f"no errcode {counts.no_errcode}"
    )
    ok = peak <= CEILING_MB and not counts.failures()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
