"""One naming rule for a plugin's per-corp stores: the accessor is named like the store key."""

from __future__ import annotations

import ast
from pathlib import Path

from mock_server.emulator import PLUGINS

PACKAGE = Path(__file__).resolve().parents[2] / "mock_server"


def _store_reads() -> list[tuple[str, str, str]]:
    """(file, enclosing function, key) for every ``<x>.store("<key>")`` call in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "store"
                    and len(node.args) == 1
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.append((str(path.relative_to(PACKAGE)), fn.name, node.args[0].value))
    return found


def test_each_store_is_read_by_one_accessor_named_like_its_key() -> None:
    keys = {key for plugin in PLUGINS for key in plugin.stores}
    reads = _store_reads()
    assert reads, "no store accessor found: the scan is broken"
    wrong = [(f, fn, key) for f, fn, key in reads if fn != key]
    assert wrong == []
    read_keys = {key for _, _, key in reads}
    assert keys <= read_keys, "a store without an accessor"
    by_key: dict[str, list[str]] = {}
    for f, _, key in reads:
        by_key.setdefault(key, []).append(f)
    assert {k: v for k, v in by_key.items() if len(v) > 1} == {}
