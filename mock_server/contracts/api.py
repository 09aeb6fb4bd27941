"""Python API of Contracts: schemas, validation, OpenAPI, mixed into ``Emulator``."""

from __future__ import annotations

from typing import Any


class ContractsAPI:
    """Strict mode and contract warnings (``wecom.contract_warnings()`` in a test)."""

    def _init_family_contracts(self) -> None:
        import mock_server.contracts.admin  # noqa: F401  (registers /__admin/contracts)
        from mock_server.contracts.validation import (
            ContractHooks,
            conformance_enabled,
            strict_from_env,
        )

        emu: Any = self
        hooks = ContractHooks(emu)
        if strict_from_env():
            emu.strict = True
        emu._strict_default = emu.strict
        emu.hooks.validators.append(hooks.validate_request)
        if conformance_enabled():
            emu.hooks.on_response.append(hooks.conformance)
        emu.hooks.on_response.append(hooks.count_errcode)

        def restore_strict() -> None:
            emu.strict = emu._strict_default

        emu.hooks.on_reset.append(restore_strict)

    def _marker_wecom_strict(self, marker: Any) -> None:
        """contract warnings become errors (the real errcode, 40058 usually) for this test"""
        emu: Any = self
        emu.strict = bool(marker.args[0]) if marker.args else True

    def set_strict(self, on: bool = True) -> None:
        """Strict mode until the next ``reset()`` (the emulator's start-up value after it)."""
        emu: Any = self
        emu.strict = on

    def contract_warnings(self, *, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Journal entries whose request broke its schema: endpoint, warnings, errcode."""
        emu: Any = self
        out = []
        for e in emu.journal.entries(endpoint=endpoint):
            warnings = [w for w in e.get("warnings", ()) if w.startswith("contract: ")]
            if warnings:
                out.append(
                    {
                        "id": e["id"],
                        "endpoint": e["endpoint"],
                        "errcode": e["errcode"],
                        "warnings": warnings,
                    }
                )
        return out
