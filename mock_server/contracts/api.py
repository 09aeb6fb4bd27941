"""Python API of Contracts: schemas, validation, OpenAPI, mixed into ``Emulator``."""

from __future__ import annotations


class ContractsAPI:
    pass
