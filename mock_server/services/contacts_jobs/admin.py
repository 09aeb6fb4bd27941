"""``/__admin/contacts_jobs``: job progress, the import rate and member activation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest
from mock_server.services.contacts_jobs.api import ContactsJobsAPI

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> ContactsJobsAPI:
    return emu.api("contacts_jobs", ContactsJobsAPI)


@admin.action("GET", "/contacts_jobs/jobs")
def jobs_list(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Import jobs (status, percentage) and export jobs of a corp."""
    corpid = req.corpid(emu)
    return {"imports": _api(emu).import_jobs(corpid), "exports": _api(emu).export_jobs(corpid)}


@admin.action("POST", "/contacts_jobs/rate")
def jobs_rate(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Rows an import applies per second of emulator time."""
    rate: Any = req.get("rows_per_second")
    try:
        _api(emu).set_import_rate(rate, req.corpid(emu))
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    return {"rows_per_second": rate}


@admin.action("POST", "/contacts_jobs/activate")
def activate(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Sandbox: a member accepts the invitation and joins WeCom."""
    userid: Any = req.get("userid")
    try:
        return _api(emu).activate_user(userid, req.corpid(emu))
    except ValueError as exc:
        raise AdminError(str(exc)) from None
