"""API families. Importing a family registers its endpoints, fixture section and store."""

from __future__ import annotations

import importlib

# Order matters: fixture sections of later families may refer to contacts (users, departments).
FAMILIES = (
    "auth",
    "contacts",
    "messaging",
    "external_contact",
    "oa",
    "callbacks",
    "apps",
    "identity",
)

_loaded = False


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    for name in FAMILIES:
        importlib.import_module(f"mock_server.services.{name}")
    _loaded = True
