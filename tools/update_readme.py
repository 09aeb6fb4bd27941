"""Regenerate the README's endpoint table from the registry (``--check`` fails if stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from mock_server.core.registry import markdown_table
from mock_server.emulator import default_registry

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- endpoints:start -->", "<!-- endpoints:end -->"


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{markdown_table(default_registry())}{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("README endpoint table is stale: run `make readme`", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
