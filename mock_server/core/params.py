"""Reading request fields the way the real API does: wrong JSON types get the
``Warning: wrong json format.`` prefix, missing required fields their own errcode."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, json_type_error

_MISSING = object()


def get_str(
    data: dict[str, Any],
    key: str,
    *,
    missing: int | None = None,
    type_errcode: int = 40058,
    allow_int: bool = False,
) -> str | None:
    """A string field; ``missing`` is the errcode when absent or empty (None = optional)."""
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None or value == "":
        if missing is not None:
            raise WeComError(missing)
        return None
    if isinstance(value, bool):
        raise json_type_error(type_errcode, f"{key} expect string.")
    if allow_int and isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise json_type_error(type_errcode, f"{key} expect string.")
    return value


def get_int(
    data: dict[str, Any],
    key: str,
    *,
    missing: int | None = None,
    type_errcode: int = 40058,
    allow_str: bool = True,
) -> int | None:
    """An integer field; numeric strings are accepted as the real API tolerates them."""
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None or value == "":
        if missing is not None:
            raise WeComError(missing)
        return None
    if isinstance(value, bool):
        raise json_type_error(type_errcode, f"{key} expect int.")
    if isinstance(value, int):
        return value
    if allow_str and isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        return int(value.strip())
    raise json_type_error(type_errcode, f"{key} expect int.")


def get_list(
    data: dict[str, Any],
    key: str,
    *,
    missing: int | None = None,
    type_errcode: int = 40058,
    item: type | tuple[type, ...] | None = None,
) -> list[Any] | None:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if missing is not None:
            raise WeComError(missing)
        return None
    if not isinstance(value, list):
        raise json_type_error(type_errcode, f"{key} expect array.")
    if item is not None:
        for v in value:
            if isinstance(v, bool) or not isinstance(v, item):
                raise json_type_error(type_errcode, f"{key} expect array of {_name(item)}.")
    return value


def get_obj(data: dict[str, Any], key: str, *, missing: int | None = None) -> dict[str, Any] | None:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if missing is not None:
            raise WeComError(missing)
        return None
    if not isinstance(value, dict):
        raise json_type_error(40058, f"{key} expect object.")
    return value


def query_int(
    query: dict[str, str], key: str, *, missing: int | None = None, bad: int = 40058
) -> int | None:
    raw = query.get(key)
    if raw is None or raw == "":
        if missing is not None:
            raise WeComError(missing)
        return None
    try:
        return int(raw)
    except ValueError:
        raise WeComError(bad) from None


def utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))


def _name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return "|".join(x.__name__ for x in t)
    return {"str": "string", "int": "int"}.get(t.__name__, t.__name__)
