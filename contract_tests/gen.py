"""Hypothesis strategies from (inlined) request schemas.

hypothesis-jsonschema 0.23.1 (its latest release) draws objects through a Hypothesis
internal that current Hypothesis no longer has (``many.more``), so it crashes on any object
schema. This covers the keyword subset the endpoint schemas use; every drawn value is
filtered through the compiled schema, so an unknown keyword can only make generation
slower, never produce an invalid "valid" request.
"""

from __future__ import annotations

from typing import Any

import fastjsonschema
from hypothesis import strategies as st

TEXT = st.text(max_size=20)


def _string(s: dict[str, Any]) -> st.SearchStrategy[str]:
    lo = s.get("minLength", 0)
    if "pattern" in s:
        # The pattern fixes the length (an AES key is 43 characters): only explicit bounds
        # filter, never the default cap on free text.
        hi = s.get("maxLength", float("inf"))
        return st.from_regex(s["pattern"], fullmatch=True).filter(lambda v: lo <= len(v) <= hi)
    hi = s.get("maxLength", max(lo, 24))
    return st.text(min_size=lo, max_size=min(hi, lo + 24))


def _integer(s: dict[str, Any]) -> st.SearchStrategy[int]:
    lo = s.get("minimum", -(2**31))
    hi = s.get("maximum", 2**31 - 1)
    # Small values hit real ids (departments 1..7, tags 1..4) as often as random ones.
    return st.one_of(st.integers(min_value=lo, max_value=min(hi, lo + 10)), st.integers(lo, hi))


CONDITIONAL = ("if", "then", "else")


def strategy(s: Any) -> st.SearchStrategy[Any]:
    if s is True or s == {}:
        return st.one_of(st.none(), st.booleans(), st.integers(), TEXT)
    if not isinstance(s, dict):
        return st.nothing()
    if "const" in s:
        return st.just(s["const"])
    if "enum" in s:
        return st.sampled_from(s["enum"])
    conditionals = _conditionals(s)
    if conditionals:
        return _with_conditionals(_unconditional(s), conditionals)
    for key in ("anyOf", "oneOf"):
        if key in s:
            return st.one_of([strategy(_merge(_rest(s, key), b)) for b in s[key]])
    if "allOf" in s:
        merged = _rest(s, "allOf")
        for part in s["allOf"]:
            merged = _merge(merged, part)
        return strategy(merged)
    t = s.get("type")
    if isinstance(t, list):
        return st.one_of([strategy({**s, "type": x}) for x in t])
    if t == "string":
        return _string(s)
    if t == "integer":
        return _integer(s)
    if t == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if t == "boolean":
        return st.booleans()
    if t == "null":
        return st.none()
    if t == "array":
        lo = s.get("minItems", 0)
        hi = min(s.get("maxItems", lo + 4), lo + 4)
        return st.lists(strategy(s.get("items", {})), min_size=lo, max_size=hi)
    if t == "object" or "properties" in s:
        return _object(s)
    return st.one_of(st.none(), st.booleans(), st.integers(), TEXT)


def _conditionals(s: dict[str, Any]) -> list[dict[str, Any]]:
    """The if/then/else blocks of ``s``: its own and those of its allOf parts."""
    out = [s] if "if" in s else []
    out += [p for p in s.get("allOf", ()) if isinstance(p, dict) and "if" in p]
    return out


def _unconditional(s: dict[str, Any]) -> dict[str, Any]:
    """``s`` without its if/then/else blocks (allOf parts without one are kept)."""
    out = {k: v for k, v in s.items() if k not in CONDITIONAL}
    if "allOf" in s:
        rest = [p for p in s["allOf"] if not (isinstance(p, dict) and "if" in p)]
        out.pop("allOf")
        for part in rest:
            out = _merge(out, part)
    return out


def _with_conditionals(
    base: dict[str, Any], conditionals: list[dict[str, Any]]
) -> st.SearchStrategy[Any]:
    """Draw from ``base``, then, for each if/then/else, the fields of the branch the drawn
    value takes (``msgtype: text`` → a ``text`` object), so conditional schemas are
    satisfiable instead of filtered away."""
    checks = [(_checker(c["if"]), c.get("then"), c.get("else")) for c in conditionals]

    @st.composite
    def build(draw: Any) -> Any:
        value = draw(strategy(base))
        if not isinstance(value, dict):
            return value
        for matches, then, other in checks:
            branch = then if matches(value) else other
            if not isinstance(branch, dict):
                continue
            props = branch.get("properties") or {}
            for key in branch.get("required", ()):
                sub = props.get(key, (base.get("properties") or {}).get(key, {}))
                value[key] = draw(strategy(sub))
            for key, sub in props.items():
                if key in value and key not in branch.get("required", ()):
                    value[key] = draw(strategy(_merge(base["properties"].get(key, {}), sub)))
        return value

    return build()


def _checker(schema: Any) -> Any:
    check = fastjsonschema.compile(schema if isinstance(schema, dict) else {})

    def matches(value: Any) -> bool:
        try:
            check(value)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return matches


def property_names(s: Any) -> set[str]:
    """Every property name ``s`` defines at its top level, in its branches too."""
    if not isinstance(s, dict):
        return set()
    out = set(s.get("properties") or {})
    for key in ("allOf", "anyOf", "oneOf"):
        for part in s.get(key, ()):
            out |= property_names(part)
    for key in CONDITIONAL:
        out |= property_names(s.get(key))
    return out


def _merge(a: Any, b: Any) -> Any:
    """A rough allOf: properties and required unioned, other keywords from the later part
    (the filter on the whole schema rejects whatever this gets wrong)."""
    if not isinstance(b, dict):
        return a
    if not isinstance(a, dict):
        return b
    out = {**a, **b}
    if "properties" in a or "properties" in b:
        out["properties"] = {**a.get("properties", {}), **b.get("properties", {})}
    if "required" in a or "required" in b:
        out["required"] = sorted({*a.get("required", ()), *b.get("required", ())})
    return out


def _rest(s: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in s.items() if k != key}


def _object(s: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    props = s.get("properties") or {}
    required = [k for k in s.get("required", ()) if k in props]
    optional = [k for k in props if k not in required]

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        out = {k: draw(strategy(props[k])) for k in required}
        for k in optional:
            if draw(st.booleans()):
                out[k] = draw(strategy(props[k]))
        return out

    return build()


def valid_instances(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of ``schema`` (inlined, no remote refs), each checked by the schema itself."""
    ok = _checker({k: v for k, v in schema.items() if k != "$schema"})
    return strategy(schema).filter(ok)
