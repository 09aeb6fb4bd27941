"""State of the bulk jobs and directory helpers of one corp (plain data, fingerprinted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.core.events import DomainEvent
from mock_server.core.state import Corp

JOB_START_DELAY = 1  # virtual seconds between submit and the first rows being applied
DEFAULT_ROWS_PER_SECOND = 1000  # virtual rows per second; corp setting below overrides it
RATE_SETTING = "contacts_jobs.rows_per_second"
KEPT_IMPORT_JOBS = 5  # "only the last 5 jobs' results are kept" (40089 for older ones)
KEPT_PURGED_IDS = 1000


@dataclass
class ImportJob:
    jobid: str
    type: str  # sync_user | replace_user | replace_party
    submitted_at: int
    rows: list[dict[str, Any]]  # parsed file rows; dropped once the job is done
    fields: list[str] = field(default_factory=list)
    to_invite: bool = True
    callback: dict[str, str] | None = None
    actor_scope: str | None = None
    actor_agentid: int | None = None
    status: int = 1  # 1 started, 2 running, 3 done (batch/getresult's enum)
    started_at: int | None = None
    finished_at: int | None = None
    total: int = 0
    done: int = 0
    deletions: list[str] = field(default_factory=list)
    result: list[dict[str, Any]] = field(default_factory=list)
    errcode: int = 0
    errmsg: str = "ok"

    @property
    def percentage(self) -> int:
        if self.status == 3:
            return 100
        work = len(self.rows) + len(self.deletions)
        return min(99, self.done * 100 // work) if work else 0

    @property
    def active(self) -> bool:
        return self.status != 3


@dataclass
class ExportFile:
    data: bytes  # the ciphertext; emptied when the link expires
    size: int
    md5: str
    token: str


@dataclass
class ExportJob:
    jobid: str
    type: str  # export_simple_user | export_user | export_department | export_tag
    submitted_at: int
    ready_at: int
    expires_at: int
    actor_scope: str | None
    actor_agentid: int | None
    files: list[ExportFile] = field(default_factory=list)
    records: int = 0
    status: int = 0  # 0 queued, 1 processing, 2 done, 3 failed (export/get_result's enum)
    notified: bool = False

    @property
    def size(self) -> int:
        return sum(len(f.data) for f in self.files)

    @property
    def live(self) -> bool:
        """Still moving on the clock (expired files are dropped lazily on the next read)."""
        return self.status < 2 or not self.notified


@dataclass
class JobsStore:
    imports: list[ImportJob] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    exports: dict[str, ExportJob] = field(default_factory=dict)
    # Departments a replaceparty left in place because they still had members.
    doomed_departments: list[int] = field(default_factory=list)
    invited: dict[str, int] = field(default_factory=dict)  # user key -> last invitation time
    active_days: dict[str, list[str]] = field(default_factory=dict)  # "YYYY-MM-DD" -> user keys

    def active_import(self) -> ImportJob | None:
        for job in self.imports:
            if job.active:
                return job
        return None

    def busy(self) -> bool:
        """Anything the clock still has to move on (cheap check for every API call)."""
        return self.active_import() is not None or any(e.live for e in self.exports.values())


def contacts_jobs(corp: Corp) -> JobsStore:
    return corp.store("contacts_jobs")


def rows_per_second(corp: Corp) -> int:
    value = corp.settings.get(RATE_SETTING, DEFAULT_ROWS_PER_SECOND)
    return max(1, int(value))


def job_event(
    corp: Corp,
    jobid: str,
    jobtype: str,
    errcode: int,
    errmsg: str,
    *,
    callback: dict[str, str] | None,
    receiver: str,
) -> DomainEvent:
    """``batch_job_result``: to the job's own callback if it gave one, else ``receiver``'s."""
    return DomainEvent(
        corpid=corp.corpid,
        kind="batch_job_result",
        data={
            "BatchJob": {"JobId": jobid, "JobType": jobtype, "ErrCode": errcode, "ErrMsg": errmsg}
        },
        time=corp.clock.time(),
        source="api",
        meta={"job_callback": callback, "job_receiver": receiver},
    )
