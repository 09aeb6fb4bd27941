"""Approval form controls: template definitions (from the fixture) and value validation.

Every failure of ``apply_data`` against the template is 301025 (parameter error), with a
detail naming the control; file ids that are not live media are 40007.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.messaging.media.models import require_media

CONTROL_TYPES = (
    "Text",
    "Textarea",
    "Number",
    "Money",
    "Date",
    "Selector",
    "Contact",
    "Tips",
    "File",
    "Table",
    "Attendance",
    "Vacation",
    "Location",
    "RelatedApproval",
    "Formula",
    "DateRange",
)
MAX_FILES = 6
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")
# The detail response repeats these empty containers in every value (doc 91983 example).
EMPTY_VALUE: dict[str, Any] = {
    "tips": [],
    "members": [],
    "departments": [],
    "files": [],
    "children": [],
    "stat_field": [],
}


def texts(value: Any) -> list[dict[str, str]]:
    """A fixture string (or list) as the API's multi-language array."""
    if isinstance(value, list):
        return value
    return [{"text": str(value), "lang": "zh_CN"}]


def build_control(spec: dict[str, Any]) -> dict[str, Any]:
    """A fixture control (short form) as gettemplatedetail returns it."""
    kind = spec["control"]
    prop = {
        "control": kind,
        "id": spec["id"],
        "title": texts(spec.get("title", kind)),
        "placeholder": texts(spec.get("placeholder", "")),
        "require": int(spec.get("require", 0)),
        "un_print": int(spec.get("un_print", 0)),
    }
    config: dict[str, Any] = {}
    if kind == "Date":
        config = {"date": {"type": spec.get("type", "day")}}
    elif kind == "Selector":
        config = {
            "selector": {
                "type": spec.get("type", "single"),
                "exp_type": 0,
                "options": [
                    {"key": o["key"], "value": texts(o["text"])} for o in spec.get("options", [])
                ],
            }
        }
    elif kind == "Contact":
        config = {"contact": {"type": spec.get("type", "single"), "mode": spec.get("mode", "user")}}
    elif kind == "Table":
        config = {
            "table": {
                "children": [build_control(c) for c in spec.get("children", [])],
                "stat_field": [],
            }
        }
    elif kind == "Attendance":
        config = {
            "attendance": {
                "date_range": {"type": spec.get("range_type", "hour")},
                "type": spec.get("type", 1),
            }
        }
    elif kind == "Vacation":
        config = {
            "vacation_list": {
                "item": [{"id": v["id"], "name": texts(v["name"])} for v in spec.get("items", [])]
            }
        }
    elif kind == "Tips":
        config = {
            "tips": {
                "tips_content": [
                    {
                        "text": {
                            "sub_text": [
                                {
                                    "type": 1,
                                    "content": {"plain_text": {"content": spec.get("text", "")}},
                                }
                            ]
                        },
                        "lang": "zh_CN",
                    }
                ]
            }
        }
    out: dict[str, Any] = {"property": prop}
    if config:
        out["config"] = config
    return out


def _bad(cid: str, why: str) -> WeComError:
    return WeComError(301025, f"apply_data {cid} {why}.")


def _obj(value: Any, key: str, cid: str) -> dict[str, Any]:
    inner = value.get(key) if isinstance(value, dict) else None
    if not isinstance(inner, dict):
        raise _bad(cid, f"value.{key} must be an object")
    return inner


def _ts(value: Any, cid: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdecimal():
        raise _bad(cid, f"{name} must be a unix timestamp")
    return int(value)


def _date_range(dr: Any, cid: str) -> tuple[dict[str, Any], tuple[int, int]]:
    if not isinstance(dr, dict):
        raise _bad(cid, "date_range must be an object")
    if dr.get("type") not in ("halfday", "hour"):
        raise _bad(cid, "date_range.type must be halfday or hour")
    begin = _ts(dr.get("new_begin"), cid, "new_begin")
    end = _ts(dr.get("new_end"), cid, "new_end")
    if end <= begin:
        raise _bad(cid, "new_end must be after new_begin")
    duration = dr.get("new_duration", end - begin)
    duration = _ts(duration, cid, "new_duration")
    return (
        {"type": dr["type"], "new_begin": begin, "new_end": end, "new_duration": duration},
        (begin, end),
    )


class Checked:
    """Result of validating one form: values by control id and leave spans."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}
        self.spans: list[tuple[int, int]] = []


def validate_value(
    corp: Corp, control: dict[str, Any], value: Any, out: Checked, related: Collection[str]
) -> dict[str, Any]:
    """Check one submitted value against its control; returns the value the detail shows."""
    prop = control["property"]
    kind, cid = prop["control"], prop["id"]
    config = control.get("config", {})
    if kind in ("Tips", "Formula"):
        return {}
    if not isinstance(value, dict):
        raise _bad(cid, "value must be an object")
    if kind in ("Text", "Textarea"):
        text = value.get("text")
        if not isinstance(text, str):
            raise _bad(cid, "value.text must be a string")
        if kind == "Text" and "\n" in text:
            raise _bad(cid, "Text must be a single line")
        return {"text": text}
    if kind in ("Number", "Money"):
        key = "new_number" if kind == "Number" else "new_money"
        raw = value.get(key)
        pattern = _NUMBER if kind == "Number" else _MONEY
        # Documented as a string; a JSON number is treated as a wrong shape (unconfirmed).
        if not isinstance(raw, str) or not pattern.match(raw):
            raise _bad(cid, f"value.{key} must be a numeric string")
        return {key: raw}
    if kind == "Date":
        date = _obj(value, "date", cid)
        want = config.get("date", {}).get("type", "day")
        if date.get("type", want) != want:
            raise _bad(cid, f"date.type must be {want}")
        ts = date.get("s_timestamp")
        _ts(ts, cid, "s_timestamp")
        return {"date": {"type": want, "s_timestamp": str(ts)}}
    if kind == "Selector":
        return {"selector": _selector(value, config.get("selector", {}), cid)}
    if kind == "Contact":
        return _contact(corp, value, config.get("contact", {}), cid)
    if kind == "File":
        files = value.get("files")
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            raise _bad(cid, "value.files must be an array of {file_id}")
        if len(files) > MAX_FILES:
            raise _bad(cid, f"at most {MAX_FILES} files")
        for f in files:
            require_media(corp, f.get("file_id"))
        return {"files": [{"file_id": f["file_id"]} for f in files]}
    if kind == "Table":
        return _table(corp, value, config.get("table", {}), cid, out, related)
    if kind == "Vacation":
        vac = _obj(value, "vacation", cid)
        items = config.get("vacation_list", {}).get("item", [])
        sel_cfg = {
            "type": "single",
            "options": [{"key": str(i["id"]), "value": i["name"]} for i in items],
        }
        selector = _selector(vac, sel_cfg, cid)
        att = vac.get("attendance")
        if not isinstance(att, dict):
            raise _bad(cid, "vacation.attendance must be an object")
        dr, span = _date_range(att.get("date_range"), cid)
        out.spans.append(span)
        return {"vacation": {"selector": selector, "attendance": {"date_range": dr, "type": 1}}}
    if kind == "Attendance":
        att = _obj(value, "attendance", cid)
        dr, span = _date_range(att.get("date_range"), cid)
        atype = config.get("attendance", {}).get("type", att.get("type", 1))
        if atype == 5 and span[1] - span[0] > 7 * 86400:
            raise _bad(cid, "overtime span over 7 days")
        out.spans.append(span)
        return {"attendance": {"date_range": dr, "type": atype}}
    if kind == "DateRange":
        dr, _ = _date_range(value.get("date_range"), cid)
        return {"date_range": dr}
    if kind == "Location":
        loc = _obj(value, "location", cid)
        for k in ("latitude", "longitude"):
            if not isinstance(loc.get(k), str):
                raise _bad(cid, f"location.{k} must be a string")
        return {
            "location": {
                k: loc.get(k, "") for k in ("latitude", "longitude", "title", "address", "time")
            }
        }
    if kind == "RelatedApproval":
        rel = value.get("related_approval")
        if not isinstance(rel, list) or not all(isinstance(r, dict) for r in rel):
            raise _bad(cid, "value.related_approval must be an array of {sp_no}")
        for r in rel:
            if str(r.get("sp_no")) not in related:
                raise _bad(cid, f"unknown sp_no {r.get('sp_no')}")
        return {"related_approval": [{"sp_no": str(r["sp_no"])} for r in rel]}
    raise _bad(cid, f"control {kind} cannot be submitted")


def _selector(value: dict[str, Any], cfg: dict[str, Any], cid: str) -> dict[str, Any]:
    sel = _obj(value, "selector", cid)
    stype = cfg.get("type", "single")
    options = sel.get("options")
    if (
        not isinstance(options, list)
        or not options
        or not all(isinstance(o, dict) for o in options)
    ):
        raise _bad(cid, "selector.options must be a non-empty array of {key}")
    if stype == "single" and len(options) != 1:
        raise _bad(cid, "single selector takes exactly one option")
    known = {str(o["key"]): o.get("value", []) for o in cfg.get("options", [])}
    chosen = []
    for o in options:
        key = str(o.get("key"))
        if key not in known:
            raise _bad(cid, f"unknown option key {key}")
        chosen.append({"key": key, "value": known[key]})
    return {"type": stype, "options": chosen, "exp_type": 0}


def _contact(corp: Corp, value: dict[str, Any], cfg: dict[str, Any], cid: str) -> dict[str, Any]:
    store = cm.contacts(corp)
    single = cfg.get("type", "single") == "single"
    if cfg.get("mode", "user") == "department":
        depts = value.get("departments")
        if not isinstance(depts, list) or not all(isinstance(d, dict) for d in depts) or not depts:
            raise _bad(cid, "value.departments must be a non-empty array")
        if single and len(depts) != 1:
            raise _bad(cid, "single contact takes exactly one department")
        shown = []
        for d in depts:
            did = str(d.get("openapi_id", ""))
            if not did.isdecimal() or int(did) not in store.departments:
                raise _bad(cid, f"unknown department {did}")
            shown.append({"openapi_id": did, "name": store.departments[int(did)].name})
        return {"departments": shown}
    members = value.get("members")
    if (
        not isinstance(members, list)
        or not all(isinstance(m, dict) for m in members)
        or not members
    ):
        raise _bad(cid, "value.members must be a non-empty array")
    if single and len(members) != 1:
        raise _bad(cid, "single contact takes exactly one member")
    shown = []
    for mem in members:
        user = store.find_user(mem.get("userid", ""))
        if user is None:
            raise _bad(cid, f"unknown userid {mem.get('userid')}")
        shown.append({"userid": user.userid, "name": user.name})
    return {"members": shown}


def _table(
    corp: Corp,
    value: dict[str, Any],
    cfg: dict[str, Any],
    cid: str,
    out: Checked,
    related: Collection[str],
) -> dict[str, Any]:
    rows = value.get("children")
    if not isinstance(rows, list) or not rows:
        raise _bad(cid, "table needs at least one row")
    subs = cfg.get("children", [])
    shown_rows = []
    for row in rows:
        items = row.get("list") if isinstance(row, dict) else None
        if not isinstance(items, list):
            raise _bad(cid, "each row must be {list: [...]}")
        given = _by_id(items, cid)
        shown = []
        for sub in subs:
            sid = sub["property"]["id"]
            if sid not in given and sub["property"]["control"] not in ("Tips", "Formula"):
                raise _bad(cid, f"row misses {sid}")
            val = validate_value(corp, sub, given.get(sid, {}).get("value"), out, related)
            shown.append(detail_item(sub, val))
        unknown = set(given) - {s["property"]["id"] for s in subs}
        if unknown:
            raise _bad(cid, f"unknown control id {sorted(unknown)[0]}")
        shown_rows.append({"list": shown})
    return {"children": shown_rows}


def _by_id(items: list[Any], where: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _bad(where, "each content must be {control, id, value}")
        out[item["id"]] = item
    return out


def detail_item(control: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    prop = control["property"]
    return {
        "control": prop["control"],
        "id": prop["id"],
        "title": prop["title"],
        "value": {**EMPTY_VALUE, **value},
        "hidden": 0,
    }


def validate_contents(
    corp: Corp, controls: list[dict[str, Any]], contents: Any, related: Collection[str]
) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """Validate ``apply_data.contents``; returns the detail's contents and leave spans."""
    if not isinstance(contents, list):
        raise WeComError(301025, "apply_data.contents must be an array.")
    given = _by_id(contents, "contents")
    known = {c["property"]["id"]: c for c in controls}
    for cid, item in given.items():
        if cid not in known:
            raise _bad(cid, "unknown control id")
        ctype = item.get("control")
        if ctype is not None and ctype != known[cid]["property"]["control"]:
            raise _bad(cid, f"control must be {known[cid]['property']['control']}")
    out = Checked()
    shown = []
    for control in controls:
        prop = control["property"]
        if prop["id"] not in given:
            if prop["require"] and prop["control"] not in ("Tips", "Formula"):
                raise _bad(prop["id"], "is required")
            shown.append(detail_item(control, {}))
            continue
        value = validate_value(corp, control, given[prop["id"]].get("value"), out, related)
        shown.append(detail_item(control, value))
    return shown, out.spans
