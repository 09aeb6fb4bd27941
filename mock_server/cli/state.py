"""``wecom-mock state export|import|info``: move a ``--state`` sandbox between machines."""

from __future__ import annotations

import argparse
import sys

from mock_server.cli.base import Commands

cli = Commands()


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


@cli.command("state", "export, import or describe a --state file", _state_args)
def _state(args: argparse.Namespace) -> int:
    import json

    from mock_server.core.storage import StateFileError, describe_file, export_state, import_state

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
