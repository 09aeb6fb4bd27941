"""Python API of the bulk jobs, ``emu.contacts_jobs``: job progress, the job clock, member
activation, and the ``batch_job_result`` deliveries to a job's own callback."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from mock_server.core.events import DomainEvent
from mock_server.services.contacts import models as cm
from mock_server.services.contacts_jobs import exports, imports, sandbox, web
from mock_server.services.contacts_jobs.store import RATE_SETTING, contacts_jobs

if TYPE_CHECKING:
    from mock_server.core.pipeline import ApiResponse, Context, Host
    from mock_server.core.state import Corp

TICK_SECONDS = 0.2  # how often a live server moves jobs on without being asked


class ContactsJobsAPI:
    """Bulk import/export jobs and member activation, for tests and the admin API."""

    def __init__(self, engine: Host) -> None:
        self._emu = engine
        engine.hooks.on_request.append(self._jobs_serve_file)
        engine.hooks.after_auth.append(self._jobs_after_auth)
        engine.events.subscribe(self._jobs_deliver)
        self._jobs_stop = threading.Event()
        if engine.mode == "server":
            t = threading.Thread(target=self._jobs_tick, name="wecom-jobs", daemon=True)
            t.start()
            engine.hooks.on_close.append(self._jobs_stop.set)

    # -- pipeline hooks --------------------------------------------------------------------
    def _jobs_serve_file(self, ctx: Context) -> ApiResponse | None:
        return web.serve(self._emu, ctx)

    def _jobs_after_auth(self, ctx: Context) -> None:
        corp = ctx.resolved_corp
        if corp is not None and contacts_jobs(corp).busy():
            self.run_jobs(corp.corpid)

    def _jobs_tick(self) -> None:
        while not self._jobs_stop.wait(TICK_SECONDS):
            for corpid in list(self._emu.corps):
                try:
                    self.run_jobs(corpid)
                except Exception:  # a reset may drop the corp between two ticks
                    continue

    def _jobs_deliver(self, event: DomainEvent) -> None:
        """Send ``batch_job_result`` to the job's callback, else to the submitter's receiver."""
        if event.kind != "batch_job_result":
            return
        from mock_server.services.callbacks import models as cbm
        from mock_server.services.callbacks.api import CallbacksAPI
        from mock_server.services.callbacks.delivery import Job
        from mock_server.services.callbacks.dispatch import Recipient

        try:
            dispatcher = self._emu.api("callbacks", CallbacksAPI).dispatcher
        except LookupError:  # an engine built without the callbacks plugin
            return
        corp = self._emu.corps.get(event.corpid)
        if corp is None:
            return
        receiver = str(event.meta.get("job_receiver") or "contacts")
        own = event.meta.get("job_callback")
        config: cbm.CallbackConfig | None
        if own:
            config = cbm.CallbackConfig(own["url"], own["token"], own["encodingaeskey"])
        else:
            config = cbm.get_config(corp, receiver)
        if config is None:
            return
        dispatcher.submit(
            Job(dispatcher.generation, corp.corpid, event, Recipient(receiver), config)
        )

    # -- Python API --------------------------------------------------------------------------
    def _jobs_corp(self, corpid: str | None) -> Corp:
        return self._emu.corp(corpid)

    def run_jobs(self, corpid: str | None = None) -> None:
        """Move import and export jobs on to the emulator clock's current time."""
        corp = self._jobs_corp(corpid)
        with self._emu.transaction(corp):
            imports.settle(corp)
            exports.settle(corp)

    def import_jobs(self, corpid: str | None = None) -> list[dict[str, Any]]:
        """The kept import jobs (newest last) with status and percentage."""
        corp = self._jobs_corp(corpid)
        self.run_jobs(corp.corpid)
        with corp.lock:
            return [
                {
                    "jobid": j.jobid,
                    "type": j.type,
                    "status": j.status,
                    "percentage": j.percentage,
                    "total": j.total,
                    "done": j.done,
                    "submitted_at": j.submitted_at,
                    "finished_at": j.finished_at,
                    "errcode": j.errcode,
                }
                for j in contacts_jobs(corp).imports
            ]

    def export_jobs(self, corpid: str | None = None) -> list[dict[str, Any]]:
        """The kept export jobs with status, record count and file sizes."""
        corp = self._jobs_corp(corpid)
        self.run_jobs(corp.corpid)
        with corp.lock:
            return [
                {
                    "jobid": j.jobid,
                    "type": j.type,
                    "status": j.status,
                    "records": j.records,
                    "files": [f.size for f in j.files],
                    "expires_at": j.expires_at,
                }
                for j in contacts_jobs(corp).exports.values()
            ]

    def invited_users(self, corpid: str | None = None) -> dict[str, int]:
        """Members invited and not yet activated: userid -> time of the last invitation."""
        corp = self._jobs_corp(corpid)
        with corp.lock:
            users = cm.contacts(corp).users
            return {
                users[k].userid: t for k, t in contacts_jobs(corp).invited.items() if k in users
            }

    def set_import_rate(self, rows_per_second: int, corpid: str | None = None) -> None:
        """How many rows an import applies per second of emulator time (default 1000)."""
        if isinstance(rows_per_second, bool) or not isinstance(rows_per_second, int):
            raise ValueError("rows_per_second must be a positive integer")
        if rows_per_second < 1:
            raise ValueError("rows_per_second must be a positive integer")
        corp = self._jobs_corp(corpid)
        with corp.lock:
            corp.settings[RATE_SETTING] = rows_per_second

    def activate_user(self, userid: str, corpid: str | None = None) -> dict[str, Any]:
        """A member accepts the invitation and logs in to WeCom (status 4 -> 1)."""
        corp = self._jobs_corp(corpid)
        return sandbox.activate_member(self._emu, corp, {"userid": userid})
