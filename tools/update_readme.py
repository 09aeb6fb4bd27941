"""Regenerate the README's endpoint table and docs/COVERAGE.md from the registry and the real
API's endpoint list (``--check`` fails if either is stale). The only thing to run after
adding endpoints: ``make readme``."""

from __future__ import annotations

import sys
from pathlib import Path

from mock_server.core.real_api import markdown as coverage_markdown
from mock_server.core.registry import markdown_table
from mock_server.emulator import default_registry

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COVERAGE = ROOT / "docs" / "COVERAGE.md"
START, END = "<!-- endpoints:start -->", "<!-- endpoints:end -->"


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{markdown_table(default_registry())}{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    coverage = coverage_markdown(default_registry())
    old_coverage = COVERAGE.read_text(encoding="utf-8") if COVERAGE.is_file() else ""
    if "--check" in argv:
        stale = [
            name
            for name, old, fresh in (
                ("README endpoint table", text, new),
                ("docs/COVERAGE.md", old_coverage, coverage),
            )
            if old != fresh
        ]
        if stale:
            print(f"{' and '.join(stale)} stale: run `make readme`", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    COVERAGE.write_text(coverage, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
