"""How a CLI module declares its ``wecom-mock`` subcommands (``Commands``), and helpers."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn


@dataclass
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


@dataclass
class Extension:
    """Options and a first step another module adds to a command (``serve --replay``).

    ``run`` returns None when its options were not given: the command then runs as usual.
    """

    name: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]


Run = Callable[[argparse.Namespace], int]


class Commands:
    """The subcommands one CLI module declares; ``mock_server.cli.COMMANDS`` lists the tables.

    Nothing is registered by importing a module: the table is read when the parser is built.
    """

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.extensions: list[Extension] = []

    def command(
        self, name: str, help: str, configure: Callable[[argparse.ArgumentParser], None]
    ) -> Callable[[Run], Run]:
        def deco(run: Run) -> Run:
            self.commands.append(Command(name, help, configure, run))
            return run

        return deco

    def extend(
        self,
        name: str,
        configure: Callable[[argparse.ArgumentParser], None],
        run: Callable[[argparse.Namespace], int | None],
    ) -> None:
        self.extensions.append(Extension(name, configure, run))


def assemble(tables: Sequence[Commands]) -> list[Command]:
    """The commands of ``tables`` in order, each with the extensions declared for it."""
    by_name: dict[str, Command] = {}
    for table in tables:
        for cmd in table.commands:
            if cmd.name in by_name:
                raise ValueError(f"command {cmd.name!r} declared twice")
            by_name[cmd.name] = cmd
    for table in tables:
        for ext in table.extensions:
            base = by_name.get(ext.name)
            if base is not None:
                by_name[ext.name] = _extended(base, ext)
    return list(by_name.values())


def _extended(base: Command, ext: Extension) -> Command:
    def both_configure(p: argparse.ArgumentParser) -> None:
        base.configure(p)
        ext.configure(p)

    def both_run(args: argparse.Namespace) -> int:
        out = ext.run(args)
        return base.run(args) if out is None else int(out)

    return Command(base.name, base.help, both_configure, both_run)


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high]; anything else is a usage error (exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range (must be {span})")
        return value

    parse.__name__ = "integer"
    return parse


PORT = int_in(0, 65535)


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr and exit status 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


class UsageError(Exception):
    """A bad command line caught after parsing: one line on stderr, exit status 2."""
