"""Reading untrusted JSON: only what can be stored and served back again.

A body is refused (reads as malformed JSON) when it is not UTF-8 text, nests deeper than
``MAX_DEPTH`` or holds a lone UTF-16 surrogate (``"\\ud800"``): such a string has no UTF-8
form, so once stored every later answer that includes it could not be encoded. The real API
is documented to take UTF-8 JSON only; its parser (RapidJSON-like, unconfirmed) rejects an
unpaired surrogate escape as a parse error, which is how the emulator answers too.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

# Real request bodies nest 4-5 levels (message/send's news articles); 64 leaves room for any
# legitimate body and keeps every recursive consumer (schemas, journal, fingerprint) safe.
MAX_DEPTH = 64
# A lone surrogate after decoding, i.e. one that was not part of a valid pair.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Only a \uD800-\uDFFF escape can produce one from UTF-8 text: walk the value only then.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
# 19 digits: maybe past 64-bit integers (orjson reads those as floats, the standard parser
# as ints).
_LONG_DIGITS = re.compile(rb"\d{19}")
# Strings (skipped whole) and brackets: what decides the nesting depth.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class UnsafeJSON(ValueError):
    """The text parsed (or not) but cannot be kept: too deep or not representable."""


def loads(raw: bytes | str) -> Any:
    """``json.loads`` for untrusted input; raises ``ValueError`` for anything unsafe.

    Never raises ``RecursionError``: a deep document is refused before or while parsing.
    """
    if isinstance(raw, bytes | bytearray):
        # Every API call parses its body: orjson first, where it reads exactly what the
        # standard parser would (it refuses invalid UTF-8, lone surrogates, NaN and
        # infinities itself; integers past 64 bits it would turn into floats, so a run of 19
        # digits takes the standard path, as does anything it refuses, for the same error).
        if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH and not _LONG_DIGITS.search(raw):
            try:
                return orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass
    return standard_loads(raw)


def standard_loads(raw: bytes | str) -> Any:
    """``loads`` by the standard parser alone (what the fast path must agree with)."""
    if isinstance(raw, bytes | bytearray):
        text = raw.decode("utf-8")  # strict: encoded surrogates are invalid UTF-8 already
    else:
        text = raw
        if _LONE_SURROGATE.search(text):
            raise UnsafeJSON("lone UTF-16 surrogate in the text")
    if _nesting_exceeds(text, MAX_DEPTH):
        raise UnsafeJSON(f"JSON nested deeper than {MAX_DEPTH}")
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:  # pragma: no cover - the pre-scan refuses these first
        raise UnsafeJSON("JSON nested too deep") from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise UnsafeJSON("lone UTF-16 surrogate in a string")
    return value


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON; Python's parser would accept them."""
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    """``1e400`` would read as Infinity and be answered back as ``Infinity`` (not JSON)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} out of range")
    return value


def _nesting_exceeds(text: str, limit: int) -> bool:
    """Bracket depth outside strings, by one regex pass (cheap next to parsing)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        ch = match.group()
        if ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            for k, v in item.items():
                if _LONE_SURROGATE.search(k):
                    return True
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def safe_text(value: str) -> str:
    """A string that encodes to UTF-8 (lone surrogates replaced), for echoing untrusted text."""
    if _LONE_SURROGATE.search(value):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value
