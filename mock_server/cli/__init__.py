"""``wecom-mock``: serve, endpoints, fixture tools, scenarios, contracts."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mock_server.cli.base import _COMMANDS, Parser, UsageError

# The CLI modules; each declares its subcommands with ``@command``.
MODULES = (
    "mock_server.cli.serve",
    "mock_server.cli.state",
    "mock_server.cli.fixture",
    "mock_server.cli.scenario",
    "mock_server.cli.contracts",
    "mock_server.cli.jobs",
    "mock_server.cli.clients",
)


def build_parser() -> argparse.ArgumentParser:
    for mod in MODULES:
        importlib.import_module(mod)

    parser = Parser(
        prog="wecom-mock", description="A local emulator of the WeCom (企业微信) server API."
    )
    from mock_server.cli.clients import version

    parser.add_argument("--version", action="version", version=f"wecom-mock {version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
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
    from mock_server.core.fixtures import FixtureError
    from mock_server.core.storage import StateFileError

    try:
        return int(args._run(args) or 0)
    except FixtureError as exc:
        print(f"wecom-mock: bad fixture: {exc}", file=sys.stderr)
        return 2
    except StateFileError as exc:
        print(f"wecom-mock: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"wecom-mock: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a missing input, an unwritable output, a busy port
        print(f"wecom-mock: {_os_error(exc)}", file=sys.stderr)
        return 2


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{reason}: {exc.filename}"
    return reason
