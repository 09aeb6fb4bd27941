"""YAML corp fixtures: one JSON Schema (assembled from each family's section), clear errors.

A fixture is one corp. Core keys: corpid, name, secrets, agents, settings. Each family
registers its own top-level section (contacts: departments/users/tags; messaging: robots;
...), with a schema fragment and a loader that runs against the fresh Corp.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mock_server.resources import demo_fixture
from mock_server.state import Agent, Corp

if TYPE_CHECKING:
    from mock_server.emulator import Emulator

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader


class FixtureError(ValueError):
    """A bad fixture: names the file, the YAML path and the reason."""

    def __init__(self, source: str, path: str, reason: str) -> None:
        self.source, self.path, self.reason = source, path, reason
        super().__init__(f"{source}: at {path or '<root>'}: {reason}")


@dataclass
class Section:
    key: str
    schema: dict[str, Any]
    loader: Callable[[Emulator, Corp, Any], None] | None
    order: int


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str,
    schema: dict[str, Any],
    loader: Callable[[Emulator, Corp, Any], None] | None = None,
    *,
    order: int = 50,
) -> None:
    """Declare a top-level fixture key owned by a family (its loader runs in ``order``)."""
    _SECTIONS[key] = Section(key, schema, loader, order)


_AGENT_SCHEMA = {
    "type": "object",
    "required": ["agentid", "name", "secret"],
    "additionalProperties": False,
    "properties": {
        "agentid": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "minLength": 1},
        "secret": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "allow_party": {"type": "array", "items": {"type": "integer"}},
        "allow_user": {"type": "array", "items": {"type": "string"}},
        "allow_tag": {"type": "array", "items": {"type": "integer"}},
        "permissions": {
            "type": "array",
            "items": {"enum": ["externalcontact", "approval", "appchat", "contacts_read"]},
        },
        "restricted_fields": {"type": "boolean"},
        "callback": {"type": "object"},
        "trusted_ips": {"type": "array", "items": {"type": "string"}},
    },
}


def fixture_schema() -> dict[str, Any]:
    """The JSON Schema of a corp fixture (core keys plus every family's section)."""
    from mock_server.services import load_all

    load_all()
    props: dict[str, Any] = {
        "corpid": {"type": "string", "pattern": "^(ww|wx)[0-9a-zA-Z]{6,32}$"},
        "name": {"type": "string"},
        "seed": {"type": "integer"},
        "secrets": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                s: {"type": "string", "minLength": 1} for s in ("contacts", "external", "approval")
            },
        },
        "agents": {"type": "array", "items": _AGENT_SCHEMA},
        "settings": {"type": "object"},
        "callbacks": {"type": "object"},
    }
    for section in _SECTIONS.values():
        props[section.key] = section.schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://wecom-mock.invalid/schemas/fixture.json",
        "title": "wecom-mock corp fixture",
        "type": "object",
        "required": ["corpid"],
        "additionalProperties": False,
        "properties": props,
    }


def _yaml_path(parts: Sequence[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_FAST: dict[str, Any] = {}


def _fast_validator() -> Callable[[Any], Any] | None:
    """The fixture schema compiled by fastjsonschema (about 20x faster than jsonschema on a
    10,000-user fixture); rebuilt when a family registers another section."""
    key = ",".join(sorted(_SECTIONS))
    if _FAST.get("key") != key:
        import fastjsonschema

        try:
            _FAST["validate"] = fastjsonschema.compile(fixture_schema())
        except Exception:  # a schema construct it does not support: jsonschema only
            _FAST["validate"] = None
        _FAST["key"] = key
    return _FAST["validate"]  # type: ignore[no-any-return]


def validate_doc(doc: Any, source: str) -> None:
    """Validate fast; only a rejected fixture pays for jsonschema, which explains the error."""
    fast = _fast_validator()
    if fast is not None:
        import fastjsonschema

        try:
            fast(doc)
            return
        except fastjsonschema.JsonSchemaException:
            pass
    import jsonschema

    validator = jsonschema.Draft202012Validator(fixture_schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors) or errors[0]
        raise FixtureError(source, _yaml_path(list(best.absolute_path)), best.message)


def load_yaml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(str(p), "", f"cannot read: {exc.strerror}") from None
    if text.lstrip().startswith("{"):
        # JSON is YAML too; the json parser reads a large fixture ~50x faster than PyYAML.
        try:
            doc = json.loads(text)
        except ValueError:
            pass
        else:
            if isinstance(doc, dict):
                return doc
    cached = _cache_get(text)
    if cached is not None:
        return cached
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FixtureError(str(p), where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise FixtureError(str(p), "", "a fixture must be a mapping (one corp)")
    _cache_put(text, doc)
    return doc


# Parsed and validated fixture files by (path, mtime, size): tests build many emulators
# from the same (demo) file, and parsing + validating it dominated Emulator() start-up.
_DOC_CACHE: dict[tuple[str, int, int], bytes] = {}
_DOC_CACHE_MAX = 32


def _load_validated(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        st = p.stat()
        key: tuple[str, int, int] | None = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key is not None and key in _DOC_CACHE:
        return pickle.loads(_DOC_CACHE[key])  # a private copy for the caller
    doc = load_yaml(p)
    validate_doc(doc, str(p))
    if key is not None:
        if len(_DOC_CACHE) >= _DOC_CACHE_MAX:
            _DOC_CACHE.clear()
        _DOC_CACHE[key] = pickle.dumps(doc)
    return doc


# PyYAML builds ~10,000 nodes per 0.1 s: a 10,000-user block-YAML fixture takes seconds.
# Large fixtures are cached as JSON by content hash, so every later start reads them in
# milliseconds. WECOM_MOCK_CACHE=0 turns this off; an unwritable cache is simply skipped.
CACHE_MIN_BYTES = 256 * 1024


def _cache_file(text: str) -> Path | None:
    if len(text) < CACHE_MIN_BYTES or os.environ.get("WECOM_MOCK_CACHE", "1") == "0":
        return None
    import hashlib

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wecom-mock"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return base / f"fixture-{digest[:32]}.json"


def _cache_get(text: str) -> dict[str, Any] | None:
    path = _cache_file(text)
    if path is None:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _cache_put(text: str, doc: dict[str, Any]) -> None:
    path = _cache_file(text)
    if path is None:
        return
    try:
        data = json.dumps(doc, ensure_ascii=False)
        if json.loads(data) != doc:  # dates, non-string keys...: not representable, skip
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(data, encoding="utf-8")
        tmp.replace(path)
    except (OSError, TypeError, ValueError):
        return


def load_fixture_docs(
    sources: Sequence[str | Path | dict[str, Any]] | None,
) -> list[dict[str, Any]]:
    """Parse and validate fixtures; with none given, the embedded demo company."""
    if not sources:
        sources = [demo_fixture()]
    from mock_server import progress

    docs = []
    seen: set[str] = set()
    for src in sources:
        if not isinstance(src, dict):
            progress.note(f"reading and validating {src}")
        if isinstance(src, dict):
            doc, name = copy.deepcopy(src), "<dict fixture>"
            validate_doc(doc, name)
        else:
            from mock_server.resources import resolve_fixture

            doc, name = _load_validated(resolve_fixture(src)), str(src)
        if doc["corpid"] in seen:
            raise FixtureError(name, "corpid", f"corp {doc['corpid']} is loaded twice")
        seen.add(doc["corpid"])
        doc["__source__"] = name
        docs.append(doc)
    return docs


def build_corp(emu: Emulator, doc: dict[str, Any]) -> Corp:
    """A fresh Corp from a validated fixture document (used at start and on every reset)."""
    corp = Corp(doc["corpid"], doc.get("name", ""), clock=emu.clock, ids=emu.ids)
    corp.secrets = dict(doc.get("secrets", {}))
    corp.settings = copy.deepcopy(doc.get("settings", {}))
    corp.settings["callbacks"] = copy.deepcopy(doc.get("callbacks", {}))
    for a in doc.get("agents", []):
        extra = {k: copy.deepcopy(a[k]) for k in ("callback", "trusted_ips") if k in a}
        corp.agents[a["agentid"]] = Agent(
            agentid=a["agentid"],
            name=a["name"],
            secret=a["secret"],
            allow_party=list(a.get("allow_party", [])),
            allow_user=list(a.get("allow_user", [])),
            allow_tag=list(a.get("allow_tag", [])),
            permissions=list(a.get("permissions", [])),
            description=a.get("description", ""),
            restricted_fields=bool(a.get("restricted_fields", False)),
            extra=extra,
        )
    from mock_server import progress

    source = doc.get("__source__", "<fixture>")
    sections = [s for s in sorted(_SECTIONS.values(), key=lambda s: s.order) if s.loader]
    with progress.bar(len(sections), f"loading {corp.corpid}", unit="section") as shown:
        for section in sections:
            shown.set_description_str(f"loading {corp.corpid}: {section.key}")
            _load_section(emu, corp, doc, section, source)
            shown.update()
    corp.pending_events.clear()  # loading a fixture is not a change anyone is told about
    return corp


def _load_section(
    emu: Emulator, corp: Corp, doc: dict[str, Any], section: Any, source: str
) -> None:
    if section.loader is not None:
        try:
            section.loader(emu, corp, doc.get(section.key))
        except FixtureError as exc:
            if exc.source == "<fixture>":
                raise FixtureError(source, exc.path, exc.reason) from None
            raise
        except ValueError as exc:
            raise FixtureError(source, section.key, str(exc)) from None
