"""``wecom-mock jobs``: the import and export jobs of a running emulator, with progress."""

from __future__ import annotations

import argparse
import json
import sys
import time

from mock_server.cli.base import Commands

cli = Commands()


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", default="http://127.0.0.1:8000", help="the emulator's base URL")
    p.add_argument("--corpid", help="corp (default: the first one)")
    p.add_argument("--watch", action="store_true", help="refresh until no import is running")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between refreshes")
    p.add_argument("--json", action="store_true", help="print the raw JSON")


def render(data: dict[str, object]) -> str:
    """One line per job: an import's percentage as a bar, an export's status and files."""
    lines = []
    for job in data.get("imports", []):  # type: ignore[attr-defined]
        pct = int(job["percentage"])
        bar = "#" * (pct // 5) + "." * (20 - pct // 5)
        state = {1: "started", 2: "running", 3: "done"}.get(job["status"], "?")
        err = f" errcode {job['errcode']}" if job.get("errcode") else ""
        lines.append(
            f"import {job['type']:<13} [{bar}] {pct:3d}% {job['done']}/{job['total']} "
            f"{state}{err}  {job['jobid']}"
        )
    for job in data.get("exports", []):  # type: ignore[attr-defined]
        state = {0: "queued", 1: "processing", 2: "done", 3: "failed"}.get(job["status"], "?")
        lines.append(
            f"export {job['type']:<18} {state:<10} {job['records']} records in "
            f"{len(job['files'])} file(s)  {job['jobid']}"
        )
    return "\n".join(lines) if lines else "no jobs"


@cli.command("jobs", "show import/export jobs of a running emulator (with progress)", _configure)
def _jobs(args: argparse.Namespace) -> int:
    import requests

    params = {"corpid": args.corpid} if args.corpid else {}
    url = args.url.rstrip("/") + "/__admin/contacts_jobs/jobs"
    while True:
        try:
            resp = requests.get(url, params=params, timeout=10)
        except requests.RequestException as exc:
            print(f"cannot reach {args.url}: {exc}", file=sys.stderr)
            return 2
        if resp.status_code != 200:
            print(f"{resp.status_code}: {resp.text}", file=sys.stderr)
            return 1
        data = resp.json()
        print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else render(data))
        running = any(j["status"] != 3 for j in data["imports"])
        if not args.watch or not running:
            return 0
        time.sleep(args.interval)
        print()
