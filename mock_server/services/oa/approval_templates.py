"""Approval template management (doc 97437/97438): create and update templates by API.

Templates created here show in ``oa/gettemplatedetail`` in its shape: the request's
``template_name`` becomes ``template_names`` and a Selector option's single ``value`` object
becomes an array. Only the creating app may update a template. Every body error is 301086
(invalid control parameter); a name already used is 301086 too (the real code is unstated).
"""

from __future__ import annotations

import re
from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import APPROVAL
from mock_server.services.oa.approval_handlers import api
from mock_server.services.oa.store import Template, oa

CONTROLS = (
    "Text", "Textarea", "Number", "Money", "Date", "Selector", "Contact", "Tips", "File",
    "Table", "Location", "RelatedApproval", "DateRange", "PhoneNumber", "Vacation",
    "Attendance", "BankAccount",
)  # fmt: skip
ATTENDANCE_KINDS = ("Vacation", "Attendance")
MAX_TEMPLATES = 300  # per corp (301087); the real figure is not published
ID = re.compile(r"^[A-Za-z]+-\d+$")


def _bad(why: str) -> WeComError:
    return WeComError(301086, why)


def _texts(raw: Any, what: str, limit: int, required: bool = True) -> list[dict[str, str]]:
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or not raw:
        raise _bad(f"{what} must be a non-empty array of {{text, lang}}.")
    for t in raw:
        if not isinstance(t, dict) or not isinstance(t.get("text"), str) or not t["text"]:
            raise _bad(f"{what}[].text required.")
        if t.get("lang", "zh_CN") not in ("zh_CN", "en"):
            raise _bad(f"{what}[].lang must be zh_CN or en.")
        if len(t["text"]) > limit:
            raise _bad(f"{what} exceeds {limit} characters.")
    return [{"text": t["text"], "lang": t.get("lang", "zh_CN")} for t in raw]


def _sub(cfg: dict[str, Any], key: str) -> dict[str, Any]:
    value = cfg.get(key)
    return value if isinstance(value, dict) else {}


def _config(kind: str, raw: Any, cid: str, nested: bool) -> dict[str, Any]:
    cfg: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if kind == "Date":
        dtype = (
            cfg.get("date", {}).get("type", "day") if isinstance(cfg.get("date"), dict) else None
        )
        if dtype not in ("day", "hour"):
            raise _bad(f"{cid}: date.type must be day or hour.")
        return {"date": {"type": dtype}}
    if kind == "Selector":
        sel = cfg.get("selector")
        if not isinstance(sel, dict) or sel.get("type") not in ("single", "multi"):
            raise _bad(f"{cid}: selector.type must be single or multi.")
        options = sel.get("options")
        if not isinstance(options, list) or not options:
            raise _bad(f"{cid}: selector.options required.")
        out = []
        for o in options:
            value = o.get("value") if isinstance(o, dict) else None
            if (
                not isinstance(o, dict)
                or not isinstance(o.get("key"), str)
                or not isinstance(value, dict)
            ):
                raise _bad(f"{cid}: each option is {{key, value: {{text, lang}}}}.")
            out.append({"key": o["key"], "value": _texts([value], f"{cid} option", 40)})
        if len({o["key"] for o in out}) != len(out):
            raise _bad(f"{cid}: option keys must be unique.")
        return {"selector": {"type": sel["type"], "exp_type": 0, "options": out}}
    if kind == "Contact":
        con = _sub(cfg, "contact")
        if con.get("type") not in ("single", "multi") or con.get("mode") not in (
            "user",
            "department",
        ):
            raise _bad(f"{cid}: contact needs type single|multi and mode user|department.")
        return {"contact": {"type": con["type"], "mode": con["mode"]}}
    if kind == "Table":
        if nested:
            raise _bad(f"{cid}: a Table cannot hold a Table.")
        tbl = _sub(cfg, "table")
        children = tbl.get("children")
        if not isinstance(children, list) or not children:
            raise _bad(f"{cid}: table.children required.")
        return {"table": {"children": _controls(children, nested=True), "stat_field": []}}
    if kind == "Attendance":
        att = _sub(cfg, "attendance")
        dr = _sub(att, "date_range")
        if att.get("type") not in (3, 4, 5) or dr.get("type") not in ("halfday", "hour"):
            raise _bad(f"{cid}: attendance needs type 3|4|5 and date_range.type halfday|hour.")
        return {"attendance": {"date_range": {"type": dr["type"]}, "type": att["type"]}}
    if kind == "Location":
        loc = _sub(cfg, "location") if "location" in cfg else {"distance": 300}
        if loc.get("distance") not in (100, 200, 300):
            raise _bad(f"{cid}: location.distance must be 100, 200 or 300.")
        return {"location": {"distance": loc["distance"]}}
    if kind == "File":
        f = _sub(cfg, "file")
        return {"file": {"is_only_photo": 1 if f.get("is_only_photo") else 0}}
    if kind == "DateRange":
        d = _sub(cfg, "date_range")
        if d.get("type", "halfday") not in ("halfday", "hour"):
            raise _bad(f"{cid}: date_range.type must be halfday or hour.")
        return {"date_range": {"type": d.get("type", "halfday")}}
    if kind == "Tips":
        if not isinstance(cfg.get("tips"), dict):
            raise _bad(f"{cid}: tips.tips_content required.")
        return {"tips": cfg["tips"]}
    if kind == "RelatedApproval":
        rel = _sub(cfg, "related_approval")
        return {"related_approval": {"template_id": list(rel.get("template_id", []))}}
    return {}


def _controls(raw: Any, nested: bool = False) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise _bad("template_content.controls must be a non-empty array.")
    out: list[dict[str, Any]] = []
    ids: set[str] = set()
    titles: set[str] = set()
    for c in raw:
        prop = c.get("property") if isinstance(c, dict) else None
        if not isinstance(prop, dict) or prop.get("control") not in CONTROLS:
            raise _bad("property.control invalid.")
        kind, cid = prop["control"], prop.get("id")
        if not isinstance(cid, str) or not ID.match(cid) or cid in ids:
            raise _bad(f"property.id {cid} invalid or repeated.")
        ids.add(cid)
        if nested and kind in ATTENDANCE_KINDS:
            raise _bad(f"{cid}: {kind} cannot sit in a Table.")
        title = _texts(prop.get("title"), f"{cid} title", 40)
        if title[0]["text"] in titles:
            raise _bad(f"{cid}: control titles must be unique.")
        titles.add(title[0]["text"])
        require, un_print = prop.get("require", 0), prop.get("un_print", 0)
        if require not in (0, 1) or un_print not in (0, 1):
            raise _bad(f"{cid}: require and un_print are 0 or 1.")
        if kind in ATTENDANCE_KINDS and (require != 1 or un_print != 0):
            raise _bad(f"{cid}: {kind} must be required and printed.")
        control: dict[str, Any] = {
            "property": {
                "control": kind, "id": cid, "title": title,
                "placeholder": _texts(prop.get("placeholder"), f"{cid} placeholder", 80, required=False),
                "require": require, "un_print": un_print,
            }
        }  # fmt: skip
        config = _config(kind, c.get("config"), cid, nested)
        if config:
            control["config"] = config
        out.append(control)
    if not nested and sum(c["property"]["control"] in ATTENDANCE_KINDS for c in out) > 1:
        raise _bad("at most one Vacation or Attendance control per template.")
    return out


def _read(ctx: Context, body: dict[str, Any], tid: str | None) -> tuple[str, list[dict[str, Any]]]:
    names = _texts(body.get("template_name"), "template_name", 40)
    content = body.get("template_content")
    controls = _controls(content.get("controls") if isinstance(content, dict) else None)
    name = names[0]["text"]
    for other in oa(ctx.corp).templates.values():
        if other.name == name and other.template_id != tid:
            raise _bad(f"template_name {name} already used.")
    return name, controls


@api.endpoint(
    "POST", "oa/approval/create_template", scopes=(APPROVAL,), app_permission="approval",
    doc="97437", errcodes=(301086, 301087, 48002),
)  # fmt: skip
def create_template(ctx: Context) -> dict[str, Any]:
    """Create an approval template (controls; the default flow); visible in gettemplatedetail."""
    body = ctx.json()
    name, controls = _read(ctx, body, None)
    store = oa(ctx.corp)
    if len(store.templates) >= MAX_TEMPLATES:
        raise WeComError(301087)
    tid = ctx.corp.ids.alnum(40)
    # 0 stands for the 审批 secret itself (fixture templates have no creator: console-made).
    store.templates[tid] = Template(tid, name, controls, creator_agentid=ctx.agentid or 0)
    return {"template_id": tid}


@api.endpoint(
    "POST", "oa/approval/update_template", scopes=(APPROVAL,), app_permission="approval",
    doc="97438", errcodes=(301025, 301086, 301088, 301115, 48002),
)  # fmt: skip
def update_template(ctx: Context) -> None:
    """Replace a template's name and controls (only templates this app created)."""
    body = ctx.json()
    tid = body.get("template_id")
    tpl = oa(ctx.corp).templates.get(tid) if isinstance(tid, str) else None
    if tpl is None:
        raise WeComError(301025, "template_id invalid.")
    if tpl.custom_print:
        raise WeComError(301115)
    if tpl.creator_agentid is None or tpl.creator_agentid != (ctx.agentid or 0):
        raise WeComError(301088)
    name, controls = _read(ctx, body, tpl.template_id)
    tpl.name, tpl.controls = name, controls
