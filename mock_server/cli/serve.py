"""``wecom-mock serve`` and ``wecom-mock endpoints``."""

from __future__ import annotations

import argparse
import sys

from mock_server.cli.base import command


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free)")
    p.add_argument(
        "--fixture",
        action="append",
        metavar="FILE",
        help="corp fixture YAML (repeatable; default: the demo company)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of generated ids")
    p.add_argument("--threads", type=int, default=16, help="server worker threads")
    p.add_argument("--journal-size", type=int, default=10_000, help="journal ring size")
    p.add_argument("--strict", action="store_true", help="contract warnings become errors")
    p.add_argument(
        "--admin-remote",
        action="store_true",
        help="let non-loopback callers use /__admin (off by default)",
    )
    p.add_argument(
        "--state",
        metavar="FILE",
        help="keep the sandbox in this SQLite file across restarts (default: memory only)",
    )
    p.add_argument("--quiet", action="store_true", help="no request log lines")


@command("serve", "run the emulator over HTTP", _serve_args)
def _serve(args: argparse.Namespace) -> int:
    from mock_server.web.server import serve

    return serve(
        args.fixture,
        host=args.host,
        port=args.port,
        seed=args.seed,
        threads=args.threads,
        journal_size=args.journal_size,
        strict=args.strict,
        admin_remote=args.admin_remote,
        state=args.state,
        quiet=args.quiet,
    )


def _endpoints_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--markdown", action="store_true", help="the README's table")


@command("endpoints", "list every emulated endpoint", _endpoints_args)
def _endpoints(args: argparse.Namespace) -> int:
    from mock_server.core.registry import markdown_table
    from mock_server.emulator import default_registry

    registry = default_registry()
    if args.markdown:
        sys.stdout.write(markdown_table(registry))
        return 0
    eps = registry.endpoints()
    for ep in eps:
        print(f"{ep.method:<5} {ep.path:<55} {ep.family:<17} {ep.summary}")
    print(f"{len(eps)} endpoints")
    return 0
