"""Loading and compiling the endpoint schemas (``schemas/<family>/<name>.{request,response}.json``).

The hot path uses ``fastjsonschema`` (compiled lazily per endpoint, cached: ~10x faster than
``jsonschema``); ``jsonschema`` is imported only to *explain* a rejection (field path, keyword)
and by the tests, so it costs nothing at start-up.

Every ``$ref`` that is not local (``#/...``) is rewritten to an absolute URL under
``https://wecom-mock.invalid/schemas/`` resolved against the referring file, so
``../common.json#/$defs/userid``, ``common.json#/$defs/userid`` and the full URL all work.
"""

from __future__ import annotations

import copy
import json
import posixpath
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_server.core.resources import schemas_dir

if TYPE_CHECKING:
    from mock_server.core.registry import Endpoint

BASE_URL = "https://wecom-mock.invalid/schemas/"
COMMON = "common.json"
KINDS = ("request", "response")

# Keywords of draft 2020-12 that fastjsonschema (draft-07 semantics) would silently ignore:
# a schema using them would validate differently on the hot path and in explanations.
UNSUPPORTED_KEYWORDS = frozenset(
    {
        "prefixItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "dependentRequired",
        "dependentSchemas",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
    }
)

# Errcodes any token-authenticated endpoint may answer whatever it declares: token checks,
# secret scope, rate limits, trusted IPs, system busy (injected by faults or a crash), and
# 40058 (a wrong JSON type: 'Warning: wrong json format.' on any endpoint taking a body).
DEFAULT_GLOBAL_ERRCODES = (-1, 40014, 40058, 41001, 42001, 48001, 48002, 45009, 45033, 60020)


@dataclass(frozen=True)
class Violation:
    """One way an instance breaks its schema, in words a client developer can act on."""

    location: str  # "body.department[0]", "query.userid", "response.userlist[2].name"
    field: str  # top-level field ("department"), "" for the whole document
    keyword: str  # the failing JSON Schema keyword (type, required, pattern, ...)
    message: str
    errcode: int | None = None  # the schema's x-errcode for this field, if declared

    def text(self) -> str:
        return f"{self.location}: {self.message}"


def _walk_refs(node: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out[k] = fn(v)
            else:
                out[k] = _walk_refs(v, fn)
        return out
    if isinstance(node, list):
        return [_walk_refs(v, fn) for v in node]
    return node


def iter_keywords(node: Any) -> Iterator[str]:
    """Every key used anywhere in a schema (to spot unsupported keywords)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            if k not in ("properties", "$defs", "definitions", "patternProperties"):
                yield from iter_keywords(v)
            elif isinstance(v, dict):
                for sub in v.values():
                    yield from iter_keywords(sub)
    elif isinstance(node, list):
        for v in node:
            yield from iter_keywords(v)


class SchemaStore:
    """The schema folder, with per-endpoint compiled validators cached for the process."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or schemas_dir()
        self._raw: dict[str, Any] = {}
        self._normalized: dict[str, Any] = {}
        self._compiled: dict[tuple[str, str], Callable[[Any], Any] | None] = {}
        self._explainers: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    # -- files ---------------------------------------------------------------------
    def relpath(self, ep: Endpoint, kind: str) -> str:
        return f"{ep.schema_stem}.{kind}.json"

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def raw(self, rel: str) -> Any:
        if rel not in self._raw:
            self._raw[rel] = json.loads((self.root / rel).read_text(encoding="utf-8"))
        return self._raw[rel]

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.json"))

    def _absolute(self, rel: str, ref: str) -> str:
        if ref.startswith("#") or "://" in ref:
            return ref
        path, _, frag = ref.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path)).lstrip("/")
        if not self.exists(target) and self.exists(posixpath.basename(path)):
            target = posixpath.basename(path)  # "common.json" written from a family folder
        return f"{BASE_URL}{target}#{frag}" if frag else f"{BASE_URL}{target}"

    def normalized(self, rel: str) -> Any:
        """The schema with every non-local ``$ref`` made absolute (and an ``$id``)."""
        if rel not in self._normalized:
            doc = _walk_refs(copy.deepcopy(self.raw(rel)), lambda r: self._absolute(rel, r))
            if isinstance(doc, dict):
                doc["$id"] = BASE_URL + rel
            self._normalized[rel] = doc
        return self._normalized[rel]

    def fetch_url(self, uri: str) -> Any:
        uri = uri.partition("#")[0]
        if not uri.startswith(BASE_URL):
            raise ValueError(f"schema reference outside {BASE_URL}: {uri}")
        return self.normalized(uri[len(BASE_URL) :])

    def declared_errcodes(self, ep: Endpoint) -> tuple[int, ...] | None:
        """The schemas' ``x-errcodes`` (a copy checked against the registry): the response
        schema's, else the request schema's (either file may carry it)."""
        for kind in ("response", "request"):
            rel = self.relpath(ep, kind)
            if self.exists(rel):
                codes = self.raw(rel).get("x-errcodes")
                if isinstance(codes, list):
                    return tuple(codes)
        return None

    def global_errcodes(self) -> frozenset[int]:
        try:
            codes = self.raw(COMMON).get("x-global-errcodes")
        except (OSError, ValueError):
            codes = None
        return frozenset(codes if isinstance(codes, list) else DEFAULT_GLOBAL_ERRCODES)

    # -- hot path -------------------------------------------------------------------
    def check(self, ep: Endpoint, kind: str) -> Callable[[Any], Any] | None:
        """The compiled validator (raises ``fastjsonschema.JsonSchemaException``), or None."""
        key = (ep.schema_stem, kind)
        try:
            return self._compiled[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._compiled:
                self._compiled[key] = self.compile(self.relpath(ep, kind))
        return self._compiled[key]

    def compile(self, rel: str) -> Callable[[Any], Any] | None:
        if not self.exists(rel):
            return None
        import fastjsonschema

        schema = dict(self.normalized(rel))
        # fastjsonschema knows drafts 4-7; the keywords we allow mean the same in 2020-12.
        schema.pop("$schema", None)
        return fastjsonschema.compile(schema, handlers={"https": self.fetch_url})

    def query_coercions(self, ep: Endpoint) -> dict[str, str]:
        """Query fields a GET schema types as integer/number/boolean (the convention is
        strings, but a schema written with ints still validates the values clients send)."""
        key = (ep.schema_stem, "coerce")
        cached = self._explainers.get(key)
        if cached is None:
            cached = {}
            rel = self.relpath(ep, "request")
            if self.exists(rel):
                props = inline_refs(self, rel).get("properties") or {}
                for name, sub in props.items():
                    kind = sub.get("type") if isinstance(sub, dict) else None
                    if kind in ("integer", "number", "boolean"):
                        cached[name] = kind
            self._explainers[key] = cached
        return cached

    def is_valid(self, ep: Endpoint, kind: str, instance: Any) -> bool:
        check = self.check(ep, kind)
        if check is None:
            return True
        import fastjsonschema

        try:
            check(instance)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    # -- explanations (jsonschema, imported lazily) ------------------------------------
    def registry(self) -> Any:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        def retrieve(uri: str) -> Any:
            return Resource.from_contents(self.fetch_url(uri), default_specification=DRAFT202012)

        return Registry(retrieve=retrieve)  # type: ignore[call-arg]

    def validator_for_file(self, rel: str) -> Any:
        key = (rel, "file")
        if key not in self._explainers:
            import jsonschema

            self._explainers[key] = jsonschema.Draft202012Validator(
                self.normalized(rel), registry=self.registry()
            )
        return self._explainers[key]

    def explain(self, ep: Endpoint, kind: str, instance: Any, prefix: str) -> list[Violation]:
        rel = self.relpath(ep, kind)
        if not self.exists(rel):
            return []
        return explain_with(self.validator_for_file(rel), instance, prefix)


def _location(prefix: str, path: Any) -> str:
    out = prefix
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _leaf_errors(err: Any) -> list[Any]:
    """anyOf/oneOf: the errors of the branch that got furthest, not 'is not valid under any'."""
    if err.validator in ("anyOf", "oneOf") and err.context:
        branches: dict[Any, list[Any]] = {}
        for e in err.context:
            branches.setdefault(e.schema_path[0] if e.schema_path else None, []).append(e)

        def score(errs: list[Any]) -> tuple[int, int]:
            # The branch whose discriminator (errcode) matched, then the one that got deepest.
            depth = len(err.absolute_path)
            on_errcode = sum(1 for e in errs if list(e.absolute_path)[depth:][:1] == ["errcode"])
            return (-on_errcode, max(len(e.absolute_path) for e in errs))

        chosen = max(branches.values(), key=score)
        out: list[Any] = []
        for e in chosen:
            out.extend(_leaf_errors(e))
        return out or [err]
    return [err]


def explain_with(validator: Any, instance: Any, prefix: str) -> list[Violation]:
    out: list[Violation] = []
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    for top in errors:
        for err in _leaf_errors(top):
            path = list(err.absolute_path)
            field = str(path[0]) if path else ""
            errcode = None
            if err.validator == "required" and isinstance(err.schema, dict):
                missing = _missing_field(err.message)
                field = field or missing
                if missing:
                    top = not path and isinstance(validator.schema, dict)
                    codes = validator.schema.get("x-missing-errcodes", {}) if top else {}
                    path = [*path, missing]
                    sub = err.schema.get("properties", {}).get(missing, {})
                    errcode = codes.get(missing)
                    if errcode is None and isinstance(sub, dict):
                        errcode = sub.get("x-errcode")
            elif isinstance(err.schema, dict):
                errcode = err.schema.get("x-errcode")
            if errcode is None and field and isinstance(validator.schema, dict):
                top_prop = validator.schema.get("properties", {}).get(field, {})
                errcode = top_prop.get("x-errcode") if isinstance(top_prop, dict) else None
            out.append(
                Violation(
                    location=_location(prefix, path),
                    field=field,
                    keyword=str(err.validator),
                    message=err.message,
                    errcode=errcode if isinstance(errcode, int) else None,
                )
            )
    return out


def _missing_field(message: str) -> str:
    # jsonschema: "'userid' is a required property"
    if message.startswith("'") and "' is a required property" in message:
        return message[1 : message.index("' is a required property")]
    return ""


_default: SchemaStore | None = None


def default_store() -> SchemaStore:
    global _default
    if _default is None:
        _default = SchemaStore()
    return _default


def inline_refs(store: SchemaStore, rel: str) -> Any:
    """The schema with every ``$ref`` replaced by its target (for generators such as
    hypothesis-jsonschema that do not fetch remote references); no ``$schema``/``$id``."""
    root = store.normalized(rel)

    def resolve(ref: str, base: Any) -> tuple[Any, Any]:
        url, _, frag = ref.partition("#")
        doc = store.fetch_url(url) if url else base
        node = doc
        for part in [p for p in frag.split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node, doc

    def walk(node: Any, base: Any, depth: int = 0) -> Any:
        if depth > 50:
            raise ValueError(f"{rel}: recursive $ref cannot be inlined")
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                target, doc = resolve(node["$ref"], base)
                merged = dict(walk(target, doc, depth + 1))
                for k, v in node.items():
                    if k != "$ref":
                        merged.setdefault(k, v)
                return merged
            return {
                k: walk(v, base, depth + 1)
                for k, v in node.items()
                if k not in ("$schema", "$id", "$defs")
            }
        if isinstance(node, list):
            return [walk(v, base, depth + 1) for v in node]
        return node

    return walk(root, root)
