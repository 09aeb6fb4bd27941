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


def resolve_fixture(source: str | Path) -> Path:
    """A fixture path as given, or a shipped fixture by name: ``demo``, ``demo.yaml`` or the
    clone-relative ``fixtures/demo.yaml`` all work after a plain ``pip install``."""
    p = Path(source)
    if p.exists():
        return p
    for candidate in (p.name, f"{p.name}.yaml"):
        shipped = fixtures_dir() / candidate
        if shipped.is_file() and (len(p.parts) == 1 or p.parent.name == "fixtures"):
            return shipped
    return p  # the loader reports the missing file


def resolve_scenario(name: str | Path) -> Path:
    """A scenario file, or a shipped scenario by the name ``scenario list`` shows."""
    p = Path(name)
    if p.exists():
        return p
    for candidate in (p.name, f"{p.name}.yaml"):
        shipped = scenarios_dir() / candidate
        if shipped.is_file() and (len(p.parts) == 1 or p.parent.name == "scenarios"):
            return shipped
    return p
