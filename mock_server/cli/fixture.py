"""``wecom-mock fixture``: validate a fixture, print its schema, generate a big corp."""

from __future__ import annotations

import argparse
import json
import sys

import yaml

from mock_server.cli.base import command
from mock_server.services.contacts.generate import generate


def _fixture_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="fixture_command", required=True)
    v = sub.add_parser("validate", help="check fixture files; print file, YAML path and reason")
    v.add_argument("files", nargs="+")
    sub.add_parser("schema", help="print the fixture JSON Schema")
    g = sub.add_parser(
        "generate",
        help="print a generated large corp (JSON syntax, which is valid YAML; --block-yaml for block style)",
    )
    g.add_argument("--users", type=int, default=1000)
    g.add_argument("--departments", type=int, default=20)
    g.add_argument("--customers", type=int, default=0, help="external contacts (customer contact)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--corpid", default="wwgen0000000000001")
    g.add_argument(
        "--block-yaml",
        action="store_true",
        help="write block-style YAML (easier to edit; PyYAML loads it ~50x slower)",
    )
    g.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the default


@command("fixture", "validate, describe or generate corp fixtures", _fixture_args)
def _fixture(args: argparse.Namespace) -> int:
    from mock_server.core.fixtures import fixture_schema, load_fixture_docs
    from mock_server.emulator import PLUGINS

    sections = [s for p in PLUGINS for s in p.fixture]
    if args.fixture_command == "schema":
        json.dump(fixture_schema(sections), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if args.fixture_command == "validate":
        from mock_server.emulator import Emulator

        for f in args.files:
            load_fixture_docs([f], sections)
            Emulator([f])  # loaders check references (users, departments) too
            print(f"{f}: ok")
        return 0
    import random

    from mock_server.emulator import PLUGINS

    doc = generate(args.users, args.departments, args.seed, args.corpid)
    rng = random.Random(args.seed)
    for plugin in PLUGINS:
        for gen in plugin.generators:
            gen(doc, args, rng)
    if args.block_yaml:
        yaml.safe_dump(doc, sys.stdout, allow_unicode=True, sort_keys=False, width=200)
        return 0
    # JSON syntax is YAML too, and a 10,000-member corp loads in ~0.2 s instead of ~1.5 s.
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0
