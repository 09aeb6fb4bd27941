"""The README's endpoint table and docs/COVERAGE.md are generated and must not drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_endpoint_table_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "update_readme.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_the_repository_stands_alone() -> None:
    """Docs, code and tests never point at files outside the repository."""
    banned = ("../shared", "USER-STORIES", "DESIGN.md")
    for folder in ("mock_server", "tests", "docs", "tools", "scenarios", "contract_tests"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".md", ".yaml", ".json", ".toml") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path == Path(__file__):
                continue
            hits = [b for b in banned if b in text]
            assert not hits, f"{path.relative_to(ROOT)} refers to {hits}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not [b for b in banned if b in readme]
