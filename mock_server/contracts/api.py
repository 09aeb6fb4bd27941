"""Python API of Contracts: ``emu.contracts`` (strict mode, contract warnings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.contracts.validation import ContractHooks, conformance_enabled, strict_from_env

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host


class ContractsAPI:
    """Strict mode and contract warnings (``wecom.contract_warnings()`` in a test)."""

    def __init__(self, engine: Host) -> None:
        self._emu = engine
        hooks = ContractHooks(engine)
        if strict_from_env():
            engine.strict = True
        self._strict_default = engine.strict
        engine.hooks.validators.append(hooks.validate_request)
        if conformance_enabled():
            engine.hooks.on_response.append(hooks.conformance)
        engine.hooks.on_response.append(hooks.count_errcode)
        engine.hooks.on_reset.append(self._restore_strict)

    def _restore_strict(self) -> None:
        self._emu.strict = self._strict_default

    @property
    def strict(self) -> bool:
        return self._emu.strict

    def set_strict(self, on: bool = True) -> None:
        """Strict mode until the next ``reset()`` (the emulator's start-up value after it)."""
        self._emu.strict = on

    def warnings(self, *, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Journal entries whose request broke its schema: endpoint, warnings, errcode."""
        out = []
        for e in self._emu.journal.entries(endpoint=endpoint):
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
