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
    from mock_server.server import serve

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


def _state_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="state_command", required=True)
    e = sub.add_parser("export", help="copy a state file (even a live one) into a portable file")
    e.add_argument("--state", required=True, metavar="FILE", help="the server's state file")
    e.add_argument("out", help="the file to write")
    i = sub.add_parser("import", help="replace a state file with an exported one")
    i.add_argument("file", help="an exported state file")
    i.add_argument("--state", required=True, metavar="FILE", help="the state file to replace")
    s = sub.add_parser("info", help="describe a state file")
    s.add_argument("file")


@command("state", "export, import or describe a --state file", _state_args)
def _state(args: argparse.Namespace) -> int:
    import json

    from mock_server.storage import StateFileError, describe_file, export_state, import_state

    try:
        if args.state_command == "export":
            info = export_state(args.state, args.out)
        elif args.state_command == "import":
            info = import_state(args.file, args.state)
        else:
            info = describe_file(args.file)
    except StateFileError as exc:
        print(f"wecom-mock: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(info, ensure_ascii=False, indent=2))
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


def build_parser() -> argparse.ArgumentParser:
    for mod in EXTENSIONS:
        importlib.import_module(mod)
    parser = argparse.ArgumentParser(
        prog="wecom-mock", description="A local emulator of the WeCom (企业微信) server API."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd in _COMMANDS.values():
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
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
    from mock_server.storage import StateFileError

    try:
        return int(args._run(args) or 0)
    except FixtureError as exc:
        print(f"wecom-mock: bad fixture: {exc}", file=sys.stderr)
        return 2
    except StateFileError as exc:
        print(f"wecom-mock: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    # Run the imported module's main: extensions register into ``mock_server.cli``, not
    # into this ``__main__`` copy.
    from mock_server.cli import main as _main

    raise SystemExit(_main())
