"""``wecom-mock``: serve, endpoints, fixture tools, scenarios, contracts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mock_server.cli import clients, contracts, fixture, jobs, scenario, serve, state
from mock_server.cli.base import Commands, Parser, UsageError, assemble

# Every subcommand table, in the order ``wecom-mock --help`` lists them: the one assembly of
# the CLI (each module declares its commands on its own ``cli = Commands()``).
COMMANDS: tuple[Commands, ...] = (
    serve.cli,
    state.cli,
    fixture.cli,
    scenario.cli,
    contracts.cli,
    jobs.cli,
    clients.cli,
)


def build_parser(tables: Sequence[Commands] = COMMANDS) -> argparse.ArgumentParser:
    parser = Parser(
        prog="wecom-mock", description="A local emulator of the WeCom (企业微信) server API."
    )
    parser.add_argument("--version", action="version", version=f"wecom-mock {clients.version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for cmd in assemble(tables):
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
