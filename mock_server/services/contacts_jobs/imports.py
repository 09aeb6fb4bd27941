"""Asynchronous import jobs (batch/syncuser, batch/replaceuser, batch/replaceparty).

A job is submitted in status 1, starts ``JOB_START_DELAY`` virtual seconds later and applies
``rows_per_second`` rows per virtual second of the emulator clock (status 2), row by row with
the same rules and errcodes as the single-object endpoints, then reports status 3 and emits
``batch_job_result``. ``settle`` moves jobs on; the pipeline calls it before each request of
the corp, the server's ticker calls it in the background.
"""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError
from mock_server.core.events import DomainEvent
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.contacts_jobs import csvfile
from mock_server.services.contacts_jobs.store import (
    JOB_START_DELAY,
    KEPT_IMPORT_JOBS,
    KEPT_PURGED_IDS,
    ImportJob,
    contacts_jobs,
    job_event,
    rows_per_second,
)

MEMBER_JOBS = ("sync_user", "replace_user")
# Texts seen in real results where they differ from the generic errcode text.
ROW_ERRMSG = {301005: "not allow del corp creator"}
MAX_DEPT_NAME = 64


def _row_error(err: WeComError | csvfile.RowError) -> tuple[int, str]:
    if isinstance(err, csvfile.RowError):
        return err.errcode, err.errmsg
    return err.errcode, ROW_ERRMSG.get(err.errcode, err.text())


def submit(
    corp: Corp,
    jobtype: str,
    data: bytes,
    *,
    to_invite: bool,
    callback: dict[str, str] | None,
    actor_scope: str | None,
    actor_agentid: int | None,
) -> ImportJob:
    """Queue an import; 302008 while another runs, 40092 for a file that cannot be read."""
    store = contacts_jobs(corp)
    settle(corp)
    if store.active_import() is not None:
        raise WeComError(302008)
    fields: list[str] = []
    if jobtype == "replace_party":
        rows: list[dict[str, Any]] = list(csvfile.parse_department_file(data))
    else:
        fields, member_rows = csvfile.parse_member_file(data)
        rows = [_member_row(rec) for rec in member_rows]
    job = ImportJob(
        jobid=corp.ids.choice_string(_JOBID_ALPHABET, 43),
        type=jobtype,
        submitted_at=corp.clock.time(),
        rows=rows,
        fields=fields,
        to_invite=to_invite,
        callback=callback,
        actor_scope=actor_scope,
        actor_agentid=actor_agentid,
        total=len(rows),
    )
    store.imports.append(job)
    while len(store.imports) > KEPT_IMPORT_JOBS:
        old = store.imports.pop(0)
        store.purged.append(old.jobid)
    del store.purged[:-KEPT_PURGED_IDS]
    return job


_JOBID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


def find(corp: Corp, jobid: str) -> ImportJob:
    store = contacts_jobs(corp)
    for job in store.imports:
        if job.jobid == jobid:
            return job
    if jobid in store.purged:
        raise WeComError(40089)
    raise WeComError(40088)


def result_body(job: ImportJob) -> dict[str, Any]:
    """The batch/getresult fields; ``result`` stays empty until the job is done."""
    return {
        "status": job.status,
        "type": job.type,
        "total": job.total,
        "percentage": job.percentage,
        "result": list(job.result) if job.status == 3 else [],
    }


# -- running ----------------------------------------------------------------------------------
def settle(corp: Corp) -> None:
    """Apply whatever the clock says the active job has processed by now."""
    store = contacts_jobs(corp)
    job = store.active_import()
    if job is None:
        return
    now = corp.clock.time()
    if now < job.submitted_at + JOB_START_DELAY:
        return
    if job.started_at is None:
        job.started_at = job.submitted_at + JOB_START_DELAY
        job.status = 2
        _start(corp, job)
        if job.status == 3:
            return
    rate = rows_per_second(corp)
    work = len(job.rows) + len(job.deletions)
    target = min(work, (now - job.started_at + 1) * rate)
    if target > job.done:
        _apply(corp, job, job.done, target)
        job.done = target
    if job.done >= work:
        _finish(corp, job, job.started_at + -(-work // rate) - 1)


def _fail(corp: Corp, job: ImportJob, errcode: int, detail: str | None = None) -> None:
    """A job-level failure: nothing applied, status 3, the code in the event."""
    job.errcode = errcode
    job.errmsg = WeComError(errcode, detail).text()
    job.result = []
    _finish(corp, job, corp.clock.time())


def _finish(corp: Corp, job: ImportJob, at: int) -> None:
    job.status = 3
    job.finished_at = max(at, job.submitted_at)
    job.rows = []
    job.deletions = []
    if job.type in MEMBER_JOBS:
        _remove_doomed_departments(corp)
    corp.emit(
        job_event(
            corp,
            job.jobid,
            job.type,
            job.errcode,
            job.errmsg,
            callback=job.callback,
            receiver=str(job.actor_agentid) if job.actor_agentid else "contacts",
        )
    )


def _start(corp: Corp, job: ImportJob) -> None:
    """File-level checks against the directory as it is when the job starts."""
    store = cm.contacts(corp)
    if job.type == "replace_party":
        problem = _check_tree(corp, job)
        if problem is not None:
            _fail(corp, job, *problem)
        return
    seen: set[str] = set()
    for rec in job.rows:
        key = rec["userid"].lower()
        if key in seen:
            _fail(corp, job, 302003, f"userid {rec['userid']} duplicated.")
            return
        seen.add(key)
    if job.type == "replace_user":
        doomed = [u.userid for u in store.users.values() if u.key not in seen]
        headcount = len(store.users)
        n = len(doomed)
        # Deletion protection (doc 90981): >50 people and >20 %, or <50 people and >80 %.
        if headcount and ((n > 50 and n * 5 > headcount) or (n < 50 and n * 5 > headcount * 4)):
            _fail(corp, job, 45026)
            return
        job.deletions = doomed
        job.total = len(doomed) + len(job.rows)


def _apply(corp: Corp, job: ImportJob, start: int, stop: int) -> None:
    if job.type == "replace_party":
        for i in range(start, stop):
            job.result.append(_apply_department(corp, job, job.rows[i]))
        if stop >= len(job.rows):
            _delete_absent_departments(corp, job)
        return
    store = cm.contacts(corp)
    auto = store.auto_create_departments
    # Unknown department ids in a member file are created under 其他（待设置部门） (90980).
    store.auto_create_departments = True
    try:
        n_del = len(job.deletions)
        for i in range(start, stop):
            if i < n_del:
                job.result.append(_delete_member(corp, job, job.deletions[i]))
            else:
                job.result.append(_apply_member(corp, job, job.rows[i - n_del]))
    finally:
        store.auto_create_departments = auto


def _actor(job: ImportJob) -> dict[str, Any]:
    return {"actor_scope": job.actor_scope, "actor_agentid": job.actor_agentid}


def _delete_member(corp: Corp, job: ImportJob, userid: str) -> dict[str, Any]:
    try:
        cm.delete_users(corp, [userid], **_actor(job))
    except WeComError as err:
        code, msg = _row_error(err)
        return {"userid": userid, "errcode": code, "errmsg": msg}
    return {"userid": userid, "errcode": 0, "errmsg": ""}


def _member_row(rec: dict[str, str]) -> dict[str, Any]:
    """A parsed member row: the user/create body, or the error its cells already carry."""
    try:
        return {"userid": rec["userid"], "body": csvfile.member_body(rec)}
    except csvfile.RowError as err:
        return {"userid": rec["userid"], "error": [err.errcode, err.errmsg]}


def _apply_member(corp: Corp, job: ImportJob, row: dict[str, Any]) -> dict[str, Any]:
    userid = row["userid"]
    if "error" in row:
        return {"userid": userid, "errcode": row["error"][0], "errmsg": row["error"][1]}
    body = row["body"]
    try:
        if cm.contacts(corp).find_user(userid) is not None:
            cm.update_user(corp, body, **_actor(job))
        else:
            user, _ = cm.create_user(corp, body, status=4, **_actor(job))
            if job.to_invite:
                contacts_jobs(corp).invited[user.key] = corp.clock.time()
    except WeComError as err:
        code, msg = _row_error(err)
        return {"userid": userid, "errcode": code, "errmsg": msg}
    return {"userid": userid, "errcode": 0, "errmsg": ""}


# -- departments ------------------------------------------------------------------------------
def _check_tree(corp: Corp, job: ImportJob) -> tuple[int, str] | None:
    """Parse and order the department rows parents first; a file-level problem or None."""
    parsed: dict[int, dict[str, Any]] = {}
    for rec in job.rows:
        try:
            dept_id = int(rec["id"])
            parent = int(rec["parentid"]) if rec["parentid"] else (0 if dept_id == 1 else -1)
            order = int(rec["order"]) if rec.get("order") else 0
        except ValueError:
            return 302004, f"department id invalid: {rec['id']}"
        if not rec["name"] or dept_id < 1 or parent < 0 or order < 0:
            return 302004, f"department {rec['id']} invalid"
        if dept_id in parsed:
            return 302006, f"department id {dept_id} duplicated."
        parsed[dept_id] = {"id": dept_id, "name": rec["name"], "parentid": parent, "order": order}
    ordered: list[dict[str, Any]] = []
    placed = {0} if 1 in parsed else {0, 1}
    pending = dict(parsed)
    while pending:
        ready = [
            d
            for d in pending.values()
            if d["parentid"] in placed and (d["id"] == 1) == (d["parentid"] == 0)
        ]
        if not ready:
            return 302004, "departments do not form a tree"
        for d in sorted(ready, key=lambda d: d["id"]):
            ordered.append(d)
            placed.add(d["id"])
            del pending[d["id"]]
    siblings: set[tuple[int, str]] = set()
    for d in ordered:
        if (d["parentid"], d["name"]) in siblings:
            return 302007, f"department name {d['name']} duplicated."
        siblings.add((d["parentid"], d["name"]))
    job.rows = ordered
    job.total = len([d for d in ordered if d["id"] != 1])
    # The root row is applied (and reported) but not counted in ``total`` (real capture).
    return None


def _apply_department(corp: Corp, job: ImportJob, row: dict[str, Any]) -> dict[str, Any]:
    store = cm.contacts(corp)
    dept_id, name, parent, order = row["id"], row["name"], row["parentid"], row["order"]
    out: dict[str, Any] = {"action": 0, "partyid": dept_id, "errcode": 0, "errmsg": "ok"}
    try:
        if len(name) > MAX_DEPT_NAME:
            raise WeComError(60001)
        if cm.DEPT_FORBIDDEN.intersection(name):
            raise WeComError(60009)
        if dept_id != 1 and parent not in store.departments:
            raise WeComError(60004)
        if dept_id != 1 and store.depth(parent) + 1 > cm.MAX_DEPTH:
            raise WeComError(81002)
    except WeComError as err:
        out["errcode"], out["errmsg"] = _row_error(err)
        return out
    dept = store.departments.get(dept_id)
    change: dict[str, Any]
    if dept is None:
        dept = cm.Department(dept_id, name, parent, order)
        store.departments[dept_id] = dept
        out["action"] = 1
        change = {"ChangeType": "create_party", "Id": dept_id, "Name": name}
        change.update({"ParentId": str(parent), "Order": order})
    else:
        change = {"ChangeType": "update_party", "Id": dept_id}
        if name != dept.name:
            dept.name = name
            out["action"] |= 2
            change["Name"] = name
        if dept_id != 1 and parent != dept.parentid:
            dept.parentid = parent
            out["action"] |= 4
            change["ParentId"] = str(parent)
        if order and order != dept.order:
            dept.order = order
            out["action"] |= 8
    store.touch()
    if out["action"]:
        corp.emit(_party_event(corp, job, change))
    return out


def _party_event(corp: Corp, job: ImportJob, change: dict[str, Any]) -> DomainEvent:
    return DomainEvent(
        corpid=corp.corpid,
        kind="change_contact",
        data=change,
        time=corp.clock.time(),
        actor_scope=job.actor_scope,
        actor_agentid=job.actor_agentid,
    )


def _delete_absent_departments(corp: Corp, job: ImportJob) -> None:
    """Departments missing from the file go when empty; the others wait (90982)."""
    store = cm.contacts(corp)
    listed = {row["id"] for row in job.rows} | {cm.ROOT}
    doomed = [d for d in store.subtree(cm.ROOT) if d not in listed]
    contacts_jobs(corp).doomed_departments = doomed
    _remove_doomed_departments(corp, job)


def _remove_doomed_departments(corp: Corp, job: ImportJob | None = None) -> None:
    store = cm.contacts(corp)
    state = contacts_jobs(corp)
    if not state.doomed_departments:
        return
    # Deepest first, so a parent emptied by its children's removal goes too.
    for dept_id in reversed(list(state.doomed_departments)):
        if dept_id in store.departments and not store.children(dept_id):
            if not store.users_in(dept_id):
                cm.delete_department(corp, dept_id, actor_scope="contacts")
        if dept_id not in store.departments:
            state.doomed_departments.remove(dept_id)
