"""Locate data shipped with the package: wheel layout first, then the source checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent  # the mock_server package


def package_data() -> Path:
    return _PKG / "data"


def _shipped(name: str) -> Path:
    # In a wheel, pyproject force-includes the top-level folders under mock_server/_shipped/.
    inside = _PKG / "_shipped" / name
    if inside.is_dir():
        return inside
    return _PKG.parent / name


def schemas_dir() -> Path:
    return _shipped("schemas")


def fixtures_dir() -> Path:
    return _shipped("fixtures")


def scenarios_dir() -> Path:
    return _shipped("scenarios")


def demo_fixture() -> Path:
    return fixtures_dir() / "demo.yaml"
