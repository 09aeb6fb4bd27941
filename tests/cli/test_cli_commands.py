"""The subcommand table: declared per module, assembled in one list, extensions applied."""

from __future__ import annotations

import argparse

import pytest

from mock_server.cli import COMMANDS, build_parser
from mock_server.cli.base import Commands, assemble


def _names(parser: argparse.ArgumentParser) -> list[str]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(subs[0].choices)


def test_the_parser_lists_exactly_the_assembled_tables_in_order() -> None:
    declared = [cmd.name for table in COMMANDS for cmd in table.commands]
    assert _names(build_parser()) == declared
    assert declared[:2] == ["serve", "endpoints"]


def test_a_table_not_listed_adds_nothing() -> None:
    stray = Commands()

    @stray.command("stray", "not listed", lambda p: None)
    def _stray(args: argparse.Namespace) -> int:
        return 0

    assert "stray" not in _names(build_parser())
    assert "stray" in _names(build_parser((*COMMANDS, stray)))


def test_an_extension_runs_first_and_falls_back_to_the_command() -> None:
    base, extra = Commands(), Commands()
    calls: list[str] = []

    @base.command("go", "run", lambda p: p.add_argument("--x"))
    def _go(args: argparse.Namespace) -> int:
        calls.append("base")
        return 0

    def _ext_run(args: argparse.Namespace) -> int | None:
        calls.append("ext")
        return 7 if args.y else None

    extra.extend("go", lambda p: p.add_argument("--y"), _ext_run)
    extra.extend("missing", lambda p: None, _ext_run)  # extends nothing: ignored
    (cmd,) = assemble([base, extra])
    parser = argparse.ArgumentParser()
    cmd.configure(parser)
    assert cmd.run(parser.parse_args(["--y", "1"])) == 7
    assert cmd.run(parser.parse_args([])) == 0
    assert calls == ["ext", "ext", "base"]


def test_a_name_declared_twice_is_refused() -> None:
    a, b = Commands(), Commands()
    a.command("dup", "one", lambda p: None)(lambda args: 0)
    b.command("dup", "two", lambda p: None)(lambda args: 0)
    with pytest.raises(ValueError, match="dup"):
        assemble([a, b])
