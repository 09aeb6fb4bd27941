"""The engine: pipeline, registry, state, clock, ids, journal, events, errors, fixtures, plugins.

Nothing here imports a family, a plugin or a web framework (an import-linter contract in
``pyproject.toml`` keeps it so).
"""
