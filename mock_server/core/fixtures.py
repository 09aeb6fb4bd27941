"""YAML corp fixtures: one JSON Schema (assembled from each family's section), clear errors.

A fixture is one corp. Core keys: corpid, name, secrets, agents, settings. Each plugin
declares its own top-level sections (``Plugin.fixture``: contacts owns departments/users/tags,
messaging owns robots, ...), each a schema fragment and a loader run against the fresh Corp.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_server.core.resources import demo_fixture
from mock_server.core.state import Agent, Corp, StoreFactory

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.core.plugin import FixtureSection


def _yaml_loader() -> Any:
    """PyYAML's fastest safe loader; imported on first parse (a cached or JSON fixture, the
    usual start, never needs it)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FixtureError(ValueError):
    """A bad fixture: names the file, the YAML path and the reason."""

    def __init__(self, source: str, path: str, reason: str) -> None:
        self.source, self.path, self.reason = source, path, reason
        super().__init__(f"{source}: at {path or '<root>'}: {reason}")


Sections = Sequence["FixtureSection"]


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
            # The console's "apps allowed to call the API" lists: 客户联系, 审批, 打卡, 会议室,
            # 汇报, 公费电话, 直播 (plus group chats and read-only contacts).
            "items": {
                "enum": [
                    "externalcontact",
                    "approval",
                    "appchat",
                    "contacts_read",
                    "checkin",
                    "meetingroom",
                    "journal",
                    "dial",
                    "living",
                ]
            },
        },
        "restricted_fields": {"type": "boolean"},
        "callback": {"type": "object"},
        "trusted_ips": {"type": "array", "items": {"type": "string"}},
    },
}


def fixture_schema(sections: Sections = ()) -> dict[str, Any]:
    """The JSON Schema of a corp fixture (core keys plus the given plugins' sections)."""
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
    }
    for section in sections:
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


# Compiled validators by the set of section keys (one per plugin set, usually one).
_FAST: dict[str, Callable[[Any], Any] | None] = {}


def _sections_key(sections: Sections) -> str:
    return ",".join(sorted(s.key for s in sections))


def _fast_validator(sections: Sections) -> Callable[[Any], Any] | None:
    """The fixture schema compiled by fastjsonschema (about 20x faster than jsonschema on a
    10,000-user fixture), compiled once per set of sections."""
    key = _sections_key(sections)
    if key not in _FAST:
        import fastjsonschema

        try:
            _FAST[key] = fastjsonschema.compile(fixture_schema(sections))
        except Exception:  # a schema construct it does not support: jsonschema only
            _FAST[key] = None
    return _FAST[key]


def validate_doc(doc: Any, source: str, sections: Sections = ()) -> None:
    """Validate fast; only a rejected fixture pays for jsonschema, which explains the error."""
    fast = _fast_validator(sections)
    if fast is not None:
        import fastjsonschema

        try:
            fast(doc)
            return
        except fastjsonschema.JsonSchemaException:
            pass
    import jsonschema

    validator = jsonschema.Draft202012Validator(fixture_schema(sections))
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
    import yaml

    try:
        doc = yaml.load(text, Loader=_yaml_loader())
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
_DOC_CACHE: dict[tuple[str, int, int, str], bytes] = {}
_DOC_CACHE_MAX = 32


def _load_validated(path: str | Path, sections: Sections) -> dict[str, Any]:
    p = Path(path)
    try:
        st = p.stat()
        key: tuple[str, int, int, str] | None = (
            str(p.resolve()),
            st.st_mtime_ns,
            st.st_size,
            _sections_key(sections),
        )
    except OSError:
        key = None
    if key is not None and key in _DOC_CACHE:
        cached: dict[str, Any] = pickle.loads(_DOC_CACHE[key])  # a private copy for the caller
        return cached
    doc = _validated_get(p, sections)
    if doc is None:
        doc = load_yaml(p)
        validate_doc(doc, str(p), sections)
        _validated_put(p, sections, doc)
    if key is not None:
        if len(_DOC_CACHE) >= _DOC_CACHE_MAX:
            _DOC_CACHE.clear()
        _DOC_CACHE[key] = pickle.dumps(doc)
    return doc


# A fixture file that passed validation once is kept as JSON, by the hash of its text and of
# the fixture schema: a later process start skips both the YAML parse and compiling the
# schema validator (together most of ``wecom-mock serve``'s own start-up). Only documents
# that passed are stored; any edit of the file or of a section's schema misses the cache.
_SCHEMA_DIGESTS: dict[str, str] = {}


VALIDATED_MIN_BYTES = 16 * 1024  # smaller files parse and validate fast enough
VALIDATED_MAX_FILES = 64


def _validated_file(path: Path, sections: Sections) -> Path | None:
    if os.environ.get("WECOM_MOCK_CACHE", "1") == "0":
        return None
    try:
        if path.stat().st_size < VALIDATED_MIN_BYTES:
            return None
    except OSError:
        return None
    import hashlib

    key = _sections_key(sections)
    if key not in _SCHEMA_DIGESTS:
        schema = json.dumps(fixture_schema(sections), sort_keys=True, default=str)
        _SCHEMA_DIGESTS[key] = hashlib.sha256(schema.encode("utf-8")).hexdigest()
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data + _SCHEMA_DIGESTS[key].encode()).hexdigest()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wecom-mock"
    return base / f"validated-{digest[:40]}.json"


def _validated_get(path: Path, sections: Sections) -> dict[str, Any] | None:
    cache = _validated_file(path, sections)
    if cache is None:
        return None
    try:
        doc = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _validated_put(path: Path, sections: Sections, doc: dict[str, Any]) -> None:
    cache = _validated_file(path, sections)
    if cache is None:
        return
    try:
        data = json.dumps(doc, ensure_ascii=False)
        if json.loads(data) != doc:  # dates, non-string keys...: not representable, skip
            return
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(data, encoding="utf-8")
        tmp.replace(cache)
        kept = sorted(cache.parent.glob("validated-*.json"), key=lambda f: f.stat().st_mtime)
        for old in kept[:-VALIDATED_MAX_FILES]:  # bounded: the least recently written go
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        return


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
    sections: Sections = (),
) -> list[dict[str, Any]]:
    """Parse and validate fixtures; with none given, the embedded demo company."""
    if not sources:
        sources = [demo_fixture()]
    from mock_server.core import progress
    from mock_server.core.resources import resolve_fixture

    docs = []
    seen: set[str] = set()
    for src in sources:
        if isinstance(src, dict):
            doc, name = copy.deepcopy(src), "<dict fixture>"
            validate_doc(doc, name, sections)
        else:
            progress.note(f"reading and validating {src}")
            doc, name = _load_validated(resolve_fixture(src), sections), str(src)
        if doc["corpid"] in seen:
            raise FixtureError(name, "corpid", f"corp {doc['corpid']} is loaded twice")
        seen.add(doc["corpid"])
        doc["__source__"] = name
        docs.append(doc)
    return docs


def build_corp(
    emu: Host,
    doc: dict[str, Any],
    sections: Sections,
    stores: dict[str, StoreFactory],
) -> Corp:
    """A fresh Corp from a validated fixture document (used at start and on every reset).

    ``sections`` run in their order against the new corp, which gets one store per factory.
    """
    corp = Corp(doc["corpid"], doc.get("name", ""), clock=emu.clock, ids=emu.ids, stores=stores)
    corp.secrets = dict(doc.get("secrets", {}))
    corp.settings = copy.deepcopy(doc.get("settings", {}))
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
    from mock_server.core import progress

    source = doc.get("__source__", "<fixture>")
    loading = [s for s in sections if s.loader is not None]
    with progress.bar(len(loading), f"loading {corp.corpid}", unit="section") as shown:
        for section in loading:
            shown.set_description_str(f"loading {corp.corpid}: {section.key}")
            try:
                section.loader(emu, corp, doc.get(section.key))  # type: ignore[misc]
            except FixtureError as exc:
                if exc.source == "<fixture>":
                    raise FixtureError(source, exc.path, exc.reason) from None
                raise
            except ValueError as exc:
                raise FixtureError(source, section.key, str(exc)) from None
            shown.update()
    corp.pending_events.clear()  # loading a fixture is not a change anyone is told about
    return corp
