"""Customer moments 客户朋友圈 published as tasks (docs 95094, 93333, 97612). No HTTP here.

``add_moment_task`` creates an async job; the emulator finishes it at once (status 3), creating
a corp moment with one task row per resolved sender. Members publish it in the client (the
sandbox action ``publish``); only then do its customers see it.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, json_type_error, param_error
from mock_server.core.params import get_int, get_list, get_obj, get_str
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.attachments import parse_attachments
from mock_server.services.external_contact.sandbox import SandboxError
from mock_server.services.external_contact.scrm_store import (
    DAY,
    external_scrm,
    limit_or_default,
    next_cursor,
    page_cursor,
)

TEXT_MAX = 2000  # characters
IMAGES_MAX = 9
PER_MONTH_MAX = 100_000
LIST_SPAN = 30 * DAY
LIST_DEFAULT = LIST_MAX = 20
TASK_DEFAULT, TASK_MAX = 500, 1000
SEND_DEFAULT, SEND_MAX = 3000, 5000


def _attachments(corp: Corp, body: dict[str, Any]) -> list[dict[str, Any]]:
    raw = body.get("attachments")
    if isinstance(raw, list):
        if not all(isinstance(a, dict) for a in raw):
            raise json_type_error(40058, "attachments expect array of object.")
        if not all(isinstance(a.get("msgtype"), str) for a in raw):
            raise WeComError(41065, "invalid attachments msgtype", replace=True)
        kinds = {a["msgtype"] for a in raw}
        if kinds - {"image", "video", "link"} or len(kinds) > 1:
            raise WeComError(41065, "invalid attachments msgtype", replace=True)
        limit = IMAGES_MAX if kinds == {"image"} else 1
        if len(raw) > limit:
            raise WeComError(41064, "invalid attachments size", replace=True)
        for a in raw:
            link = a.get("link")
            if a["msgtype"] == "link" and not (isinstance(link, dict) and link.get("media_id")):
                raise param_error("attachments.link.media_id", "missing")
    parsed = parse_attachments(corp, body)
    for a, original in zip(parsed, raw or [], strict=True):
        if a["msgtype"] == "link":
            a["link"]["media_id"] = original["link"]["media_id"]
    return parsed


def add_moment_task(corp: Corp, agent: Agent | None, body: dict[str, Any]) -> dict[str, Any]:
    text = body.get("text")
    content = text.get("content") if isinstance(text, dict) else None
    if content is not None and (not isinstance(content, str) or len(content) > TEXT_MAX):
        raise WeComError(40058, "invalid text size", replace=True)
    attachments = _attachments(corp, body)
    if not content and not attachments:
        raise WeComError(41089)
    visible = get_obj(body, "visible_range") or {}
    senders = get_obj(visible, "sender_list") or {}
    user_list = get_list(senders, "user_list", item=str) or []
    depts = get_list(senders, "department_list", item=int) or []
    tags = get_list(get_obj(visible, "external_contact_list") or {}, "tag_list", item=str) or []
    st = external_scrm(corp)
    now = corp.clock.time()
    month = (now // DAY) // 30
    if (
        sum(1 for mo in st.moments.values() if (mo["create_time"] // DAY) // 30 == month)
        >= PER_MONTH_MAX
    ):
        raise WeComError(41210)
    keys = m.visible_keys(corp, agent)
    contacts = cm.contacts(corp)
    resolved: dict[str, str] = {}
    bad_users, bad_depts = [], []
    for uid in user_list:
        user = contacts.find_user(uid)
        if user is None or (keys is not None and user.key not in keys):
            bad_users.append(uid)
        else:
            resolved[user.key] = user.userid
    for dept in depts:
        if dept not in contacts.departments:
            bad_depts.append(dept)
            continue
        for user in contacts.users_in(dept, recursive=True):
            if keys is None or user.key in keys:
                resolved.setdefault(user.key, user.userid)
    ext = m.external_contact(corp)
    bad_tags = [t for t in tags if t not in ext.tags or ext.tags[t].deleted]
    good_tags = [t for t in tags if t not in bad_tags]
    if not user_list and not depts:
        resolved = {
            k: contacts.users[k].userid
            for k in ext.follow_users
            if k in contacts.users and (keys is None or k in keys)
        }
    # mutate
    st.counter += 1
    moment_id = "mom" + m.make_id(corp, "moment", st.counter, "", 28)
    jobid = m.make_id(corp, "moment_job", st.counter, "job", 40)
    st.moments[moment_id] = {
        "create_time": now,
        "visible_type": 0 if tags else 1,
        "text": {"content": content} if content else None,
        "attachments": attachments,
        "tag_list": good_tags,
        "cancelled": False,
        "tasks": {uid: {"publish_status": 0, "customers": []} for uid in resolved.values()},
    }
    result: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "moment_id": moment_id}
    if bad_users or bad_depts:
        result["invalid_sender_list"] = {"user_list": bad_users, "department_list": bad_depts}
    if bad_tags:
        result["invalid_external_contact_list"] = {"tag_list": bad_tags}
    st.moment_jobs[jobid] = {"time": now, "result": result}
    return {"jobid": jobid}


def task_result(corp: Corp, query: dict[str, str]) -> dict[str, Any]:
    jobid = query.get("jobid") or ""
    job = external_scrm(corp).moment_jobs.get(jobid)
    if job is None or corp.clock.time() - job["time"] > DAY:  # jobs are kept 24 h
        raise WeComError(40088)  # unknown or expired jobid (code unconfirmed for moments)
    return {"status": 3, "type": "add_moment_task", "result": dict(job["result"])}


def _moment(corp: Corp, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    moment_id = get_str(body, "moment_id", missing=41059)
    mo = external_scrm(corp).moments.get(moment_id or "")
    if mo is None:
        raise WeComError(41060)
    return moment_id or "", mo


def _publisher(corp: Corp, mo: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    user = cm.contacts(corp).find_user(get_str(body, "userid") or "")
    task = mo["tasks"].get(user.userid) if user is not None else None
    if task is None:
        raise WeComError(41061)
    if task["publish_status"] != 1:
        raise WeComError(41062)
    return task


def moment_list(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    start, end = get_int(body, "start_time"), get_int(body, "end_time")
    if start is None or end is None:
        raise param_error("start_time" if start is None else "end_time", "missing")
    if end < start or end - start > LIST_SPAN:
        raise param_error("end_time", "time range exceed 30 days")
    filter_type = get_int(body, "filter_type")
    filter_type = 2 if filter_type is None else filter_type
    if filter_type not in (0, 1, 2):
        raise param_error("filter_type", "exceed range [0, 2]")
    creator = get_str(body, "creator")
    limit = limit_or_default(get_int(body, "limit"), LIST_DEFAULT, LIST_MAX)
    rows = [
        (mid, mo)
        for mid, mo in external_scrm(corp).moments.items()
        if start < mo["create_time"] < end and filter_type in (0, 2) and creator is None
    ]
    filters = f"{start}:{end}:{filter_type}:{creator}"
    offset = page_cursor(corp, "moment_list", filters, body.get("cursor"), len(rows))
    page = rows[offset : offset + limit]
    out = []
    for mid, mo in page:
        item: dict[str, Any] = {
            "moment_id": mid,
            "create_time": mo["create_time"],
            "create_type": 0,
            "visible_type": mo["visible_type"],
        }
        if mo["text"]:
            item["text"] = dict(mo["text"])
        images = [a["image"] for a in mo["attachments"] if a["msgtype"] == "image"]
        if images:
            item["image"] = [{"media_id": i.get("media_id", "")} for i in images]
        for a in mo["attachments"]:
            if a["msgtype"] == "video":
                item["video"] = {
                    "media_id": a["video"]["media_id"],
                    "thumb_media_id": a["video"]["media_id"],
                }
            elif a["msgtype"] == "link":
                item["link"] = {"title": a["link"]["title"], "url": a["link"]["url"]}
        out.append(item)
    end_at = offset + len(page)
    return {
        "next_cursor": next_cursor(corp, "moment_list", filters, end_at, len(rows)),
        "moment_list": out,
    }


def moment_task(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    moment_id, mo = _moment(corp, body)
    limit = limit_or_default(get_int(body, "limit"), TASK_DEFAULT, TASK_MAX)
    rows = list(mo["tasks"].items())
    offset = page_cursor(corp, "moment_task", moment_id, body.get("cursor"), len(rows))
    page = rows[offset : offset + limit]
    end_at = offset + len(page)
    return {
        "next_cursor": next_cursor(corp, "moment_task", moment_id, end_at, len(rows)),
        "task_list": [{"userid": u, "publish_status": t["publish_status"]} for u, t in page],
    }


def _customers(
    corp: Corp, body: dict[str, Any], kind: str, default: int, maximum: int
) -> dict[str, Any]:
    moment_id, mo = _moment(corp, body)
    task = _publisher(corp, mo, body)
    limit = limit_or_default(get_int(body, "limit"), default, maximum)
    rows = task["customers"]
    filters = f"{moment_id}:{body.get('userid')}"
    offset = page_cursor(corp, kind, filters, body.get("cursor"), len(rows))
    page = rows[offset : offset + limit]
    userid = next(u for u, t in mo["tasks"].items() if t is task)
    items = (
        [{"userid": userid, "external_userid": e} for e in page]
        if kind == "moment_customer"
        else [{"external_userid": e} for e in page]
    )
    end_at = offset + len(page)
    return {
        "next_cursor": next_cursor(corp, kind, filters, end_at, len(rows)),
        "customer_list": items,
    }


def customer_list(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    return _customers(corp, body, "moment_customer", TASK_DEFAULT, TASK_MAX)


def send_result(corp: Corp, body: dict[str, Any]) -> dict[str, Any]:
    return _customers(corp, body, "moment_send", SEND_DEFAULT, SEND_MAX)


def cancel(corp: Corp, body: dict[str, Any]) -> None:
    _, mo = _moment(corp, body)
    mo["cancelled"] = True


def publish(corp: Corp, payload: dict[str, Any]) -> dict[str, Any]:
    """Sandbox: the member publishes the corp moment; their (tagged) customers see it."""
    mo = external_scrm(corp).moments.get(payload.get("moment_id") or "")
    if mo is None:
        raise SandboxError(f"unknown moment_id {payload.get('moment_id')!r}")
    user = cm.contacts(corp).find_user(payload.get("userid") or "")
    task = mo["tasks"].get(user.userid) if user is not None else None
    if user is None or task is None:
        raise SandboxError("this member has no task in this moment")
    if mo["cancelled"]:
        raise SandboxError("the moment task was cancelled")
    if task["publish_status"] == 1:
        raise SandboxError("already published")
    tags = set(mo["tag_list"])
    task["customers"] = [
        f.external_userid
        for f in m.external_contact(corp).by_user.get(user.key, [])
        if not f.deleted_by_customer and (not tags or tags.intersection(f.tag_ids))
    ]
    task["publish_status"] = 1
    return {
        "moment_id": payload["moment_id"],
        "userid": user.userid,
        "customers": len(task["customers"]),
    }
