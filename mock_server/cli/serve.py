"""``wecom-mock serve`` and ``wecom-mock endpoints``."""

from __future__ import annotations

import argparse
import sys

from mock_server.cli.base import PORT, Commands, int_in

cli = Commands()


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=PORT, default=8000, help="port (default 8000; 0 = any free)")
    p.add_argument(
        "--fixture",
        action="append",
        metavar="FILE",
        help="corp fixture YAML (repeatable; default: the demo company)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of generated ids (default 0); also makes access_tokens repeat across runs",
    )
    p.add_argument("--threads", type=int_in(1, 512), default=16, help="server worker threads")
    p.add_argument(
        "--journal-size", type=int_in(1, 1_000_000), default=10_000, help="journal ring size"
    )
    p.add_argument("--strict", action="store_true", help="contract warnings become errors")
    p.add_argument(
        "--admin-remote",
        action="store_true",
        help="let non-loopback callers use /__admin, with any Host (off by default)",
    )
    p.add_argument(
        "--admin-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name the admin API answers to besides loopback ones (repeatable)",
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no progress while loading, no request log lines"
    )
    https = p.add_argument_group(
        "HTTPS mode (any language, unmodified apps; see `wecom-mock ca` for the certificate)"
    )
    https.add_argument(
        "--proxy-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also listen here as HTTPS_PROXY: CONNECT to qyapi.weixin.qq.com gets TLS from "
        "the local CA; other hosts are refused (0 = any free port)",
    )
    https.add_argument(
        "--proxy-passthrough",
        action="store_true",
        help="relay CONNECT to other hosts as a blind TCP tunnel instead of refusing it",
    )
    https.add_argument(
        "--tls-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also serve TLS for qyapi.weixin.qq.com directly on this port (with the host "
        "mapped to 127.0.0.1; 443 for apps that hard-code the URL)",
    )
    p.add_argument(
        "--state",
        metavar="FILE",
        help="keep the sandbox in this SQLite file across restarts (default: memory only)",
    )


@cli.command("serve", "run the emulator over HTTP", _serve_args)
def _serve(args: argparse.Namespace) -> int:
    from mock_server.core import progress
    from mock_server.web.server import serve

    progress.enable(args.quiet)
    return serve(
        args.fixture,
        host=args.host,
        port=args.port,
        seed=args.seed,
        threads=args.threads,
        journal_size=args.journal_size,
        strict=args.strict,
        admin_remote=args.admin_remote,
        admin_hosts=args.admin_host,
        proxy_port=args.proxy_port,
        proxy_passthrough=args.proxy_passthrough,
        tls_port=args.tls_port,
        state=args.state,
        quiet=args.quiet,
    )


def _endpoints_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--markdown", action="store_true", help="the README's table")


@cli.command("endpoints", "list every emulated endpoint", _endpoints_args)
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
