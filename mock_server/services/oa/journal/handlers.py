"""Journal endpoints (汇报): record list, record detail, statistics per cycle.

Callers: a self-built app listed under 汇报 -> 可调用接口的应用 (fixture permission
``journal``). Bad parameters are 301066; an unknown record id is 301084.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.pipeline import Context
from mock_server.core.registry import Family
from mock_server.services.contacts import models as cm
from mock_server.services.oa.journal import models as jm

api = Family("oa")
PERM = "journal"
MONTH = 31 * 86400
YEAR = 366 * 86400


def _uint(body: dict[str, Any], key: str, default: int | None = None) -> int:
    raw = body.get(key, default)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 0xFFFFFFFF:
        raise WeComError(301066, f"{key} invalid.")
    return raw


def _window(body: dict[str, Any], span: int) -> tuple[int, int]:
    start, end = _uint(body, "starttime"), _uint(body, "endtime")
    if end <= start or end - start > span:
        raise WeComError(301066, "starttime/endtime invalid.")
    return start, end


@api.endpoint(
    "POST", "oa/journal/get_record_list", app_permission=PERM, doc="93393", errcodes=(301066, 48002)
)
def get_record_list(ctx: Context) -> dict[str, Any]:
    """Report ids submitted in a window (<= one month), paged by an integer cursor."""
    body = ctx.json()
    start, end = _window(body, MONTH)
    cursor = _uint(body, "cursor", 0)
    limit = _uint(body, "limit", 100)
    if not 1 <= limit <= 100:
        raise WeComError(301066, "limit must be 1..100.")
    raw = body.get("filters") or []
    if not isinstance(raw, list):
        raise WeComError(301066, "filters must be an array.")
    wanted: dict[str, set[str]] = {}
    for f in raw:
        key = f.get("key") if isinstance(f, dict) else None
        value = f.get("value") if isinstance(f, dict) else None
        if key not in ("creator", "department", "template_id") or not isinstance(value, str):
            raise WeComError(
                301066, "filters[] must be {key: creator|department|template_id, value}."
            )
        if len(value.encode()) > 256:
            raise WeComError(301066, "filter value exceeds 256 bytes.")
        wanted.setdefault(key, set()).add(value)
    corp = ctx.corp
    store = cm.contacts(corp)
    visible = cm.visible_user_keys(corp, ctx.agent) if ctx.agent is not None else None

    def keep(r: dict[str, Any]) -> bool:
        who = r["submitter"]["userid"]
        if not start <= r["report_time"] <= end or (
            visible is not None and who.lower() not in visible
        ):
            return False
        if "creator" in wanted and who.lower() not in {c.lower() for c in wanted["creator"]}:
            return False
        if "template_id" in wanted and r["template_id"] not in wanted["template_id"]:
            return False
        if "department" in wanted:
            ids = {int(d) for d in wanted["department"] if d.isdecimal()}
            if not any(store.is_descendant(p, d) for p in r["partyids"] for d in ids):
                return False
        return True

    records = sorted(
        jm.journal(corp).records.values(), key=lambda r: (r["report_time"], r["journal_uuid"])
    )
    ids = [r["journal_uuid"] for r in records if keep(r)]
    page = ids[cursor : cursor + limit]
    done = cursor + limit >= len(ids)
    return {
        "journaluuid_list": page,
        "next_cursor": cursor + len(page),
        "endflag": 1 if done else 0,
    }


@api.endpoint(
    "POST", "oa/journal/get_record_detail", app_permission=PERM, doc="93394",
    errcodes=(301066, 301084, 48002),
)  # fmt: skip
def get_record_detail(ctx: Context) -> dict[str, Any]:
    """One report: template, submitter, receivers (and who read it), contents, comments."""
    uuid = ctx.json().get("journaluuid")
    if not isinstance(uuid, str) or not uuid or len(uuid.encode()) > 256:
        raise WeComError(301066, "journaluuid invalid.")
    record = jm.journal(ctx.corp).records.get(uuid)
    if record is None:
        raise WeComError(301084)
    return {"info": jm.detail(record)}


def _range_members(ctx: Context, tpl: dict[str, Any]) -> list[str]:
    store = cm.contacts(ctx.corp)
    rng = tpl.get("report_range", {})
    out = [u.userid for u in (store.find_user(x) for x in rng.get("user_list", [])) if u]
    for p in rng.get("party_list", []):
        if p in store.departments:
            out.extend(u.userid for u in store.users_in(p, recursive=True))
    skip = {w.lower() for w in tpl.get("white_list", [])}
    members = []
    for u in out:
        if u.lower() not in skip:
            skip.add(u.lower())
            members.append(u)
    return members


@api.endpoint(
    "POST", "oa/journal/get_stat_list", app_permission=PERM, doc="93395", errcodes=(301066, 48002)
)
def get_stat_list(ctx: Context) -> dict[str, Any]:
    """Who reported and who did not, per completed cycle of a template (<= one year)."""
    body = ctx.json()
    tid = body.get("template_id")
    tpl = jm.journal(ctx.corp).templates.get(tid) if isinstance(tid, str) else None
    if tpl is None:
        raise WeComError(301066, "template_id invalid.")
    start, end = _window(body, YEAR)
    members = _range_members(ctx, tpl)
    records = list(jm.journal(ctx.corp).records.values())
    rng = tpl.get("report_range", {})
    out = []
    for begin, finish in jm.cycles(tpl["report_type"], start, end):
        if finish > ctx.now:  # only completed cycles
            continue
        done: dict[str, list[dict[str, Any]]] = {}
        for r in records:
            if r["template_id"] == tpl["template_id"] and begin <= r["report_time"] < finish:
                done.setdefault(r["submitter"]["userid"], []).append(
                    {"journaluuid": r["journal_uuid"], "reporttime": r["report_time"], "flag": 0}
                )
        out.append(
            {
                "template_id": tpl["template_id"],
                "template_name": tpl["template_name"],
                "report_range": {
                    "user_list": [{"userid": u} for u in rng.get("user_list", [])],
                    "party_list": [{"open_partyid": str(p)} for p in rng.get("party_list", [])],
                    "tag_list": [],
                },
                "white_range": {"user_list": [{"userid": u} for u in tpl.get("white_list", [])], "party_list": [], "tag_list": []},
                "receivers": {"user_list": [{"userid": u} for u in tpl.get("receivers", [])], "tag_list": [], "leader_list": []},
                "cycle_begin_time": begin,
                "cycle_end_time": finish,
                "stat_begin_time": begin,
                "stat_end_time": finish,
                "report_list": [{"user": {"userid": u}, "itemlist": done[u]} for u in members if u in done],
                "unreport_list": [
                    {"user": {"userid": u}, "itemlist": [{"journaluuid": "", "reporttime": begin, "flag": 0}]}
                    for u in members if u not in done
                ],
                "report_type": tpl["report_type"],
            }
        )  # fmt: skip
    return {"stat_list": out}
