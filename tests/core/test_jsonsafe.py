"""Untrusted JSON: the orjson fast path reads exactly what the standard parser reads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.core import jsonsafe

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # past 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def outcome(parse: Any, raw: bytes) -> tuple[str, str]:
    try:
        return "ok", repr(parse(raw))  # repr: 1 and 1.0, -0.0 and 0.0 differ
    except ValueError:
        return "refused", ""


@settings(max_examples=300, deadline=None)
@given(VALUES, st.booleans())
def test_fast_path_agrees_with_the_standard_parser(value: Any, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert outcome(jsonsafe.loads, raw) == outcome(jsonsafe.standard_loads, raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_fast_path_agrees_on_arbitrary_bytes(raw: bytes) -> None:
    assert outcome(jsonsafe.loads, raw) == outcome(jsonsafe.standard_loads, raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a":"\\ud800"}',  # lone surrogate escape
        b'{"a":"\xed\xa0\x80"}',  # encoded surrogate (invalid UTF-8)
        b'{"a":NaN}',
        b'{"a":1e400}',
        b"[" * 65 + b"]" * 65,  # deeper than MAX_DEPTH
        b"\xef\xbb\xbf{}",  # a byte-order mark
    ],
)
def test_unsafe_bodies_are_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        jsonsafe.loads(raw)


def test_integers_past_64_bits_stay_integers() -> None:
    assert jsonsafe.loads(b'{"id":123456789012345678901234567890}') == {
        "id": 123456789012345678901234567890
    }
