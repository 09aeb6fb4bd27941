"""``wecom-mock``: serve, endpoints, fixture tools; families add their own subcommands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Modules that add subcommands with ``@command`` (imported when the CLI starts).
EXTENSIONS = (
    "mock_server.fixture_tools",
    "mock_server.faults.cli",
    "mock_server.contracts.cli",
)


@dataclass
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


_COMMANDS: dict[str, Command] = {}


def command(
    name: str, help: str, configure: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    def deco(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        _COMMANDS[name] = Command(name, help, configure, run)
        return run

    return deco


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
        "-q", "--quiet", action="store_true", help="no progress while loading big fixtures"
    )
    p.add_argument(
        "--admin-remote",
        action="store_true",
        help="let non-loopback callers use /__admin (off by default)",
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


@command("serve", "run the emulator over HTTP", _serve_args)
def _serve(args: argparse.Namespace) -> int:
    from mock_server import progress
    from mock_server.server import serve

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
        proxy_port=args.proxy_port,
        proxy_passthrough=args.proxy_passthrough,
        tls_port=args.tls_port,
    )


def _ca_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", action="store_true", help="print only the CA certificate's path")
    p.add_argument(
        "--remove", action="store_true", help="delete this user's CA (undo any trust first)"
    )


@command("ca", "the local CA of the HTTPS mode: where it is, how to trust and untrust it", _ca_args)
def _ca(args: argparse.Namespace) -> int:
    from mock_server.localca import ensure_ca, remove_ca, trust_help

    if args.remove:
        removed = remove_ca()
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print("no local CA to remove")
        return 0
    ca = ensure_ca()
    print(ca.cert_path if args.path else trust_help(ca))
    return 0


def _endpoints_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--markdown", action="store_true", help="the README's table")


@command("endpoints", "list every emulated endpoint", _endpoints_args)
def _endpoints(args: argparse.Namespace) -> int:
    from mock_server.registry import endpoints, markdown_table

    if args.markdown:
        sys.stdout.write(markdown_table())
        return 0
    eps = endpoints()
    for ep in eps:
        print(f"{ep.method:<5} {ep.path:<55} {ep.family:<17} {ep.summary}")
    print(f"{len(eps)} endpoints")
    return 0


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--url",
        default=None,
        help="use this running server (default: $WECOM_MOCK_URL, else start one on a free port)",
    )
    p.add_argument(
        "--fixture",
        action="append",
        metavar="FILE",
        help="corp fixture for a started server (repeatable; default: the demo company)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of generated ids")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing of our own")
    p.set_defaults(_accepts_rest=True)


@command(
    "run",
    "run a Python app with its WeCom calls routed to the emulator: run [options] -- CMD ARGS",
    _run_args,
)
def _run(args: argparse.Namespace) -> int:
    from mock_server.launcher import run

    rest = list(getattr(args, "rest", None) or [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    if not rest:
        print("wecom-mock: run [options] -- COMMAND ARGS: the command is missing", file=sys.stderr)
        return 2
    return run(rest, url=args.url, fixtures=args.fixture, seed=args.seed, quiet=args.quiet)


def _contract_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--target",
        default="inprocess",
        help="inprocess (default) | live | http://127.0.0.1:PORT | real (see the README)",
    )
    p.set_defaults(_accepts_rest=True)


_contract_args.epilog = (  # type: ignore[attr-defined]
    "Arguments after `--` go to pytest, e.g. wecom-mock contract --target live -- -x -k user\n"
    "Same as: pytest <site-packages>/contract_tests --wecom-target=TARGET"
)


@command(
    "contract",
    "run the shipped contract suite (pytest) against the emulator, a server or the real API",
    _contract_args,
)
def _contract(args: argparse.Namespace) -> int:
    import importlib.util
    import os
    import subprocess

    missing = [
        m for m in ("contract_tests", "pytest", "hypothesis") if not importlib.util.find_spec(m)
    ]
    if missing:
        print(
            f"wecom-mock: the contract suite needs {', '.join(missing)}: "
            "pip install 'wecom-mock[contract]'",
            file=sys.stderr,
        )
        return 2
    rest = list(getattr(args, "rest", None) or [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    spec = importlib.util.find_spec("contract_tests")
    assert spec is not None and spec.submodule_search_locations
    suite = next(iter(spec.submodule_search_locations))
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        suite,  # a path, not --pyargs: its conftest adds --wecom-target
        f"--wecom-target={args.target}",
        "-c",
        os.devnull,  # the caller's own pytest configuration is not the suite's
        "--rootdir",
        os.path.dirname(suite),
        "-p",
        "no:cacheprovider",
        "-o",
        "wecom_conformance=true",
        *rest,
    ]
    return subprocess.run(cmd, check=False).returncode


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("wecom-mock")
    except PackageNotFoundError:  # a source checkout that was never installed
        from mock_server import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    for mod in EXTENSIONS:
        importlib.import_module(mod)
    parser = argparse.ArgumentParser(
        prog="wecom-mock", description="A local emulator of the WeCom (企业微信) server API."
    )
    parser.add_argument("--version", action="version", version=f"wecom-mock {version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd in _COMMANDS.values():
        p = sub.add_parser(
            cmd.name,
            help=cmd.help,
            description=cmd.help,
            epilog=getattr(cmd.configure, "epilog", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        cmd.configure(p)
        p.set_defaults(_run=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest:
        if not getattr(args, "_accepts_rest", False):
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        args.rest = rest
    from mock_server.fixtures import FixtureError

    try:
        return int(args._run(args) or 0)
    except FixtureError as exc:
        print(f"wecom-mock: bad fixture: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    # Run the imported module's main: extensions register into ``mock_server.cli``, not
    # into this ``__main__`` copy.
    from mock_server.cli import main as _main

    raise SystemExit(_main())
