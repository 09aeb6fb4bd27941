"""The one error path: every failure is a ``WeComError`` rendered into the real envelope."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from mock_server.core.resources import package_data

MORE_INFO = "https://open.work.weixin.qq.com/devtool/query?e={code}"
JSON_WARNING = "Warning: wrong json format. "


@lru_cache(maxsize=1)
def errcode_table() -> dict[int, dict[str, Any]]:
    """The errcode table (code -> meaning, observed English errmsg, Chinese title).

    ``errcodes.json`` is generated from the errcode reference (``tools/gen_errcodes.py``);
    ``errcodes_extra.json`` holds what is maintained by hand, each row with its source:
    codes the reference lacks and fields (observed texts) that replace a generated row's.
    """
    raw = json.loads((package_data() / "errcodes.json").read_text(encoding="utf-8"))
    table = {int(k): dict(v) for k, v in raw["errcodes"].items()}
    extra = json.loads((package_data() / "errcodes_extra.json").read_text(encoding="utf-8"))
    for k, v in extra["errcodes"].items():
        table.setdefault(int(k), v)
    for k, fields in extra["overrides"].items():
        table[int(k)].update({f: x for f, x in fields.items() if f != "source"})
    return table


# Texts SDKs and logs commonly show where the table has no capture (unconfirmed): the
# documented meaning of -1 ("System busy / temporarily unavailable; retry ...") would read oddly.
_TEXT_OVERRIDES = {-1: "system busy"}
# Observed approval texts: 301055 is exactly "no approval auth"; 301025 starts with
# "get approval param error" and the reason follows a colon
# ("get approval param error:has no require control value").
_TEXT_OVERRIDES.update({301025: "get approval param error", 301055: "no approval auth"})
_DETAIL_AFTER_COLON = frozenset({301025})


def english_text(errcode: int) -> str:
    """The English errmsg prefix the real API uses, or our best rendering of the meaning.

    Only ~30 codes have an observed English text; for the rest we lower-case the
    documented meaning (the real text is unknown, documented in the README).
    """
    if errcode in _TEXT_OVERRIDES:
        return _TEXT_OVERRIDES[errcode]
    row = errcode_table().get(errcode)
    if row is None:
        return "unknown error"
    observed = row.get("errmsg_observed")
    if observed and errcode != 0:
        return str(observed).split(" / ")[0]
    meaning = str(row["meaning_en"]).split(";")[0].split(" (")[0].strip().rstrip(".")
    if meaning[1:2].islower():
        meaning = meaning[:1].lower() + meaning[1:]
    return meaning


class WeComError(Exception):
    """Raised anywhere in a handler; turned into ``{"errcode", "errmsg"}`` in one place.

    ``detail`` is a field-specific prefix such as ``"name exceed min utf8 words 1."``
    (40058 style) or a full replacement text when ``replace=True`` (``mobile existed:lisi``).
    ``extra`` carries success-shape fields the real API keeps on errors (e.g. ``invaliduser``).
    """

    def __init__(
        self,
        errcode: int,
        detail: str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        replace: bool = False,
        json_warning: bool = False,
    ) -> None:
        self.errcode = errcode
        self.detail = detail
        self.extra = extra or {}
        self.replace = replace
        self.json_warning = json_warning
        super().__init__(f"{errcode}: {self.text()}")

    def text(self) -> str:
        base = english_text(self.errcode)
        if self.detail is None:
            text = base
        elif self.replace:
            text = self.detail
        elif self.errcode in _DETAIL_AFTER_COLON:
            text = f"{base}:{self.detail}"
        else:
            text = f"{self.detail} {base}"
        return (JSON_WARNING + text) if self.json_warning else text


def render_errmsg(text: str, errcode: int, hint: str, client_ip: str) -> str:
    return f"{text}, hint: [{hint}], from ip: {client_ip}, more info at {MORE_INFO.format(code=errcode)}"


def param_error(field: str, problem: str) -> WeComError:
    """A 40058 with the real field-specific prefix, e.g. ``name exceed max length 64.``."""
    return WeComError(40058, f"{field} {problem}.")


def json_type_error(errcode: int = 40058, detail: str | None = None) -> WeComError:
    """A wrong JSON type: the real API prefixes ``Warning: wrong json format.``."""
    return WeComError(errcode, detail, json_warning=True)
