"""The one shape every family, fault injection and contract checking plug into the engine.

A ``Plugin`` is plain data: nothing is registered by importing a module. ``mock_server.emulator``
lists the plugins; the engine reads each spec once when it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mock_server.core.admin import AdminAction
from mock_server.core.registry import Family
from mock_server.core.services import ServiceKey
from mock_server.core.state import StoreFactory

if TYPE_CHECKING:
    from mock_server.core.pipeline import Context, Host
    from mock_server.core.state import Corp


class Mark(Protocol):
    """What a marker handler reads of a pytest mark (``@pytest.mark.name(*args, **kwargs)``)."""

    @property
    def args(self) -> tuple[Any, ...]: ...

    @property
    def kwargs(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class FixtureSection:
    """A top-level key of a corp fixture owned by a plugin, with its JSON Schema fragment.

    ``loader(engine, corp, value)`` fills the fresh corp's store from the section (``None``
    when the fixture has no such key); loaders run in ``order`` (contacts first: later
    sections refer to users and departments).
    """

    key: str
    schema: dict[str, Any]
    loader: Callable[[Host, Corp, Any], None] | None = None
    order: int = 50


@dataclass(frozen=True)
class Marker:
    """A pytest marker the ``wecom`` fixtures apply before a test (``apply(engine, mark)``)."""

    name: str
    doc: str
    apply: Callable[[Host, Mark], None]


@dataclass(frozen=True)
class PersistedPart:
    """Emulator-wide state of a plugin (not in a corp store) kept by ``--state FILE``.

    ``get(engine)`` returns picklable plain data (called after every write, so keep it
    small); ``put(engine, value)`` restores it when a state file is loaded. Per-corp state
    needs nothing: every store is saved.
    """

    name: str
    get: Callable[[Host], Any]
    put: Callable[[Host, Any], None]


# Finds the caller of an endpoint whose ``auth`` is not a token (a robot's webhook key):
# sets ``ctx.corp`` (and ``ctx.caller``) or raises ``WeComError``. Run by the pipeline
# before it takes the corp lock.
CallerResolver = Callable[["Context"], None]

# Adds a plugin's sections to a generated fixture (``wecom-mock fixture generate``).
FixtureGenerator = Callable[[dict[str, Any], Any, Any], None]


@dataclass(frozen=True)
class Plugin:
    """Everything one family (or faults, contracts) adds to the engine.

    * ``families``: endpoint declarations (``Family("contacts")`` with ``@api.endpoint``).
    * ``stores``: per-corp state, by name: ``corp.store(name)`` is ``factory(corp)``.
    * ``fixture``: the fixture sections it owns (schema + loader).
    * ``api``: builds the Python API object (``emu.contacts``...) from the engine; this is
      also where a plugin installs its pipeline hooks, reset and close handlers
      (``engine.hooks``) and event subscribers (``engine.events``).
    * ``admin``: ``/__admin`` actions, declared without a web framework.
    * ``markers``: pytest markers; ``callers``: caller resolvers by auth kind;
      ``generators``: fixture generators.
    * ``services``: what it provides to other plugins, by protocol
      (``{APP_MESSAGES: factory}``, see ``core/services.py``); built after the API objects.
    * ``persist``: emulator-wide state it keeps across restarts with ``--state`` (fault
      rules, callback settings); its stores are kept without being listed.
    """

    name: str
    families: tuple[Family, ...] = ()
    stores: Mapping[str, StoreFactory] = field(default_factory=dict)
    fixture: tuple[FixtureSection, ...] = ()
    api: Callable[[Host], object] | None = None
    admin: tuple[AdminAction, ...] = ()
    markers: tuple[Marker, ...] = ()
    callers: Mapping[str, CallerResolver] = field(default_factory=dict)
    generators: tuple[FixtureGenerator, ...] = ()
    services: Mapping[ServiceKey[Any], Callable[[Host], object]] = field(default_factory=dict)
    persist: tuple[PersistedPart, ...] = ()
