"""Python API of Fault injection and modelled limits, mixed into ``Emulator``."""

from __future__ import annotations


class FaultsAPI:
    pass
