"""Asynchronous export jobs (export/simple_user, user, department, taguser; doc 94850).

The data visible to the caller is snapshotted at submit time, serialised as one JSON object
per ``block_size`` records, encrypted with the caller's ``encoding_aeskey`` (AES-256-CBC,
IV = first 16 key bytes, PKCS#7 padded to 32 bytes) and served from the emulator at the URLs
``export/get_result`` lists, for 2 hours on the emulator clock.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from mock_server.core import crypto
from mock_server.core.errors import WeComError, param_error
from mock_server.core.state import Agent, Corp
from mock_server.services.contacts import models as cm
from mock_server.services.contacts_jobs.store import ExportFile, ExportJob, contacts_jobs, job_event

KEY_RE = re.compile(r"^[A-Za-z0-9]{43}$")
MIN_BLOCK, MAX_BLOCK = 10_000, 1_000_000
PROCESSING_AFTER = 1  # status 0 -> 1 after this many virtual seconds
READY_AFTER = 2  # status 2 (done) after this many
URL_TTL = 2 * 3600  # download links are valid 2 hours
KEPT_EXPORTS = 20  # per corp; older jobs (and their files) are dropped
MAX_EXPORT_BYTES = 256 * 1024 * 1024  # per corp, all kept files together
FILE_PATH = "/__files/export/"
# The self-built doc names the tag export's event ``export_tag``; SDKs parse ``export_taguser``.
TAG_JOBTYPE_SETTING = "contacts_jobs.export_tag_jobtype"
JOBTYPES = {
    "simple_user": "export_simple_user",
    "user": "export_user",
    "department": "export_department",
    "taguser": "export_tag",
}


def check_params(body: dict[str, Any]) -> tuple[str, int]:
    key = body.get("encoding_aeskey")
    if key is None or key == "":
        raise param_error("encoding_aeskey", "missing")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise param_error("encoding_aeskey", "invalid")
    block = body.get("block_size")
    if block is None:
        block = MAX_BLOCK
    if isinstance(block, str) and block.isdecimal():
        block = int(block)
    if isinstance(block, bool) or not isinstance(block, int):
        raise WeComError(40058, "block_size expect int.", json_warning=True)
    if not MIN_BLOCK <= block <= MAX_BLOCK:
        raise param_error("block_size", f"exceed range [{MIN_BLOCK}, {MAX_BLOCK}]")
    return key, block


def encrypt_block(plain: bytes, encoding_aeskey: str) -> bytes:
    return crypto.aes_encrypt(crypto.aes_key(encoding_aeskey), plain)


def _visible_users(corp: Corp, agent: Agent | None) -> list[cm.User]:
    store = cm.contacts(corp)
    keys = cm.visible_user_keys(corp, agent)
    return sorted((u for k, u in store.users.items() if k in keys), key=lambda u: u.seq)


def _records(
    corp: Corp, kind: str, agent: Agent | None, tag: cm.Tag | None
) -> tuple[str, list[Any]]:
    store = cm.contacts(corp)
    if kind == "simple_user":
        out = []
        for u in _visible_users(corp, agent):
            d = cm.user_dict(corp, u, agent)
            out.append({"userid": u.userid, "name": u.name, "department": d["department"]})
        return "userlist", out
    if kind == "user":
        users = _visible_users(corp, agent)
        return "userlist", [cm.user_dict(corp, u, agent, for_list=True) for u in users]
    if kind == "department":
        visible = cm.visible_departments(corp, agent)
        ids = [d for d in store.subtree(cm.ROOT) if d in visible]
        return "department", [cm.department_dict(store, store.departments[d]) for d in ids]
    assert tag is not None
    keys = cm.visible_user_keys(corp, agent)
    depts = cm.visible_departments(corp, agent)
    users = [store.users[k] for k in tag.users if k in store.users and k in keys]
    items: list[Any] = [("u", {"userid": u.userid, "name": u.name}) for u in users]
    items.extend(("p", p) for p in tag.parties if p in depts)
    return "tag", items


def _blocks(key: str, records: list[Any], size: int, tag: cm.Tag | None) -> list[Any]:
    chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
    out = []
    for chunk in chunks:
        if key == "tag":
            assert tag is not None
            out.append(
                {
                    "tagname": tag.tagname,
                    "userlist": [x for t, x in chunk if t == "u"],
                    "partylist": [x for t, x in chunk if t == "p"],
                }
            )
        else:
            out.append({key: chunk})
    return out


def submit(
    corp: Corp,
    kind: str,
    body: dict[str, Any],
    *,
    agent: Agent | None,
    actor_scope: str | None,
    actor_agentid: int | None,
) -> ExportJob:
    encoding_aeskey, block_size = check_params(body)
    settle(corp)  # drops expired files before new ones are added
    tag = None
    if kind == "taguser":
        tagid = body.get("tagid")
        if tagid is None or tagid == "":
            raise param_error("tagid", "missing")
        tag = cm.get_tag(corp, tagid)
        if agent is not None and tag.owner not in (None, agent.agentid):
            if tag.tagid not in agent.allow_tag:
                raise WeComError(60011)
    key, records = _records(corp, kind, agent, tag)
    now = corp.clock.time()
    job = ExportJob(
        jobid="jobid_" + corp.ids.hex(32),
        type=JOBTYPES[kind],
        submitted_at=now,
        ready_at=now + READY_AFTER,
        expires_at=now + READY_AFTER + URL_TTL,
        actor_scope=actor_scope,
        actor_agentid=actor_agentid,
        records=len(records),
    )
    if kind == "taguser":
        job.type = str(corp.settings.get(TAG_JOBTYPE_SETTING, "export_tag"))
    for block in _blocks(key, records, block_size, tag):
        plain = json.dumps(block, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        data = encrypt_block(plain, encoding_aeskey)
        md5 = hashlib.md5(data).hexdigest()
        job.files.append(ExportFile(data, len(data), md5, corp.ids.alnum(24)))
    store = contacts_jobs(corp)
    store.exports[job.jobid] = job
    _bound(corp)
    return job


def _bound(corp: Corp) -> None:
    """Keep the newest exports within the count and byte limits."""
    exports = contacts_jobs(corp).exports
    while len(exports) > KEPT_EXPORTS or (
        len(exports) > 1 and sum(j.size for j in exports.values()) > MAX_EXPORT_BYTES
    ):
        del exports[next(iter(exports))]


def find(corp: Corp, jobid: str, actor_scope: str | None, actor_agentid: int | None) -> ExportJob:
    """Only the identity that submitted an export may read its result (40088 otherwise)."""
    job = contacts_jobs(corp).exports.get(jobid)
    if job is None or (job.actor_scope, job.actor_agentid) != (actor_scope, actor_agentid):
        raise WeComError(40088)
    return job


def result_body(job: ExportJob, base_url: str) -> dict[str, Any]:
    out: dict[str, Any] = {"status": job.status}
    if job.status == 2:
        out["data_list"] = [
            {
                "url": f"{base_url}{FILE_PATH}{job.jobid}/{i}?sig={f.token}",
                "size": f.size,
                "md5": f.md5,
            }
            for i, f in enumerate(job.files)
        ]
    return out


def settle(corp: Corp) -> None:
    now = corp.clock.time()
    for job in contacts_jobs(corp).exports.values():
        if job.status == 0 and now >= job.submitted_at + PROCESSING_AFTER:
            job.status = 1
        if job.status == 1 and now >= job.ready_at:
            job.status = 2
        if job.status == 2 and not job.notified:
            job.notified = True
            receiver = str(job.actor_agentid) if job.actor_agentid else "contacts"
            corp.emit(
                job_event(corp, job.jobid, job.type, 0, "ok", callback=None, receiver=receiver)
            )
        if now >= job.expires_at:
            for f in job.files:
                f.data = b""


def download(corp: Corp, jobid: str, index: int, sig: str) -> bytes | None:
    """A data file's ciphertext, or None when unknown, not ready, expired or mis-signed."""
    settle(corp)
    job = contacts_jobs(corp).exports.get(jobid)
    if job is None or job.status != 2 or not 0 <= index < len(job.files):
        return None
    f = job.files[index]
    if f.token != sig or not f.data:
        return None
    return f.data
