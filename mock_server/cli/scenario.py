"""``wecom-mock scenario run FILE -- COMMAND...`` (plus ``validate``, ``list``, ``schema``)."""

from __future__ import annotations

import argparse
import json
import sys

from mock_server.cli.base import Commands

cli = Commands()


def _configure(p: argparse.ArgumentParser) -> None:
    p.usage = (
        "wecom-mock scenario run NAME|FILE [options] -- COMMAND [ARGS...]\n"
        "       wecom-mock scenario validate NAME|FILE\n"
        "       wecom-mock scenario list | schema"
    )
    p.add_argument("action", choices=("run", "validate", "list", "schema"), help="what to do")
    p.add_argument(
        "file",
        nargs="?",
        metavar="NAME|FILE",
        help="a shipped scenario's name (see `scenario list`) or a scenario YAML file",
    )
    p.add_argument(
        "--fixture",
        action="append",
        metavar="FILE",
        help="corp fixture(s) instead of the scenario's (repeatable)",
    )
    p.add_argument(
        "--delay-scale",
        type=float,
        default=None,
        metavar="X",
        help="multiply every fault delay by X (e.g. 0.01 to run a 2 s slow-API scenario fast)",
    )
    p.add_argument(
        "--timeout", type=float, default=300.0, help="seconds the command may run (default 300)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.set_defaults(_accepts_rest=True)


_configure.epilog = (  # type: ignore[attr-defined]
    "COMMAND after `--` is your client; it runs with WECOM_API_BASE pointing at the scenario's\n"
    "server, and the scenario's expectations are checked against the journal afterwards.\n"
    "Example: wecom-mock scenario run token-expired -- python my_sync.py"
)


@cli.command(
    "scenario", "run a fault scenario against a client command, or validate one", _configure
)
def _scenario(args: argparse.Namespace) -> int:
    from mock_server.core import progress
    from mock_server.core.resources import resolve_scenario, scenarios_dir
    from mock_server.faults.scenarios import ScenarioError, load_scenario, scenario_schema
    from mock_server.testing.scenarios import build_emulator, main_run

    progress.enable(args.quiet)
    rest = list(getattr(args, "rest", None) or [])
    if rest and rest[0] == "--":  # only the separator; the command may use "--" itself
        rest = rest[1:]
    if args.action == "schema":
        print(json.dumps(scenario_schema(), indent=2, ensure_ascii=False))
        return 0
    if args.action == "list":
        for path in sorted(scenarios_dir().glob("*.yaml")):
            doc = load_scenario(path)
            first = (doc.get("description") or "").strip().split(". ")[0]
            print(f"{path.stem:<20} {first}")
        return 0
    if not args.file:
        print(f"wecom-mock: scenario {args.action} needs a NAME or FILE", file=sys.stderr)
        return 2
    args.file = str(resolve_scenario(args.file))
    if args.action == "validate":
        try:
            doc = load_scenario(args.file)
            build_emulator(doc, args.fixture).close()  # the rules and settings apply cleanly
        except (ScenarioError, ValueError, KeyError) as exc:
            print(f"wecom-mock: bad scenario: {exc}", file=sys.stderr)
            return 2
        print(f"{args.file}: scenario {doc['name']!r} is valid")
        return 0
    if not rest:
        print(
            "wecom-mock: scenario run FILE -- COMMAND...: the command is missing", file=sys.stderr
        )
        return 2
    return main_run(args.file, rest, args.fixture, args.delay_scale, args.timeout)
