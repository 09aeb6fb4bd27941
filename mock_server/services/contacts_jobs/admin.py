"""``/__admin/contacts_jobs``: job progress, the job clock and member activation over HTTP."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator


def _corpid(emu: Emulator, raw: Any) -> str | None:
    if raw in (None, ""):
        return None
    if raw not in emu.corps:
        raise AdminError(f"no corp {raw!r}")
    return str(raw)


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.get("/contacts_jobs/jobs")
    def jobs_list() -> Any:
        """Import jobs (status, percentage) and export jobs of a corp."""
        corpid = _corpid(emu, request.args.get("corpid"))
        return jsonify({"imports": emu.import_jobs(corpid), "exports": emu.export_jobs(corpid)})

    @bp.post("/contacts_jobs/rate")
    def jobs_rate() -> Any:
        """Rows an import applies per second of emulator time."""
        body = body_json()
        try:
            rate: Any = body.get("rows_per_second")
            emu.set_import_rate(rate, _corpid(emu, body.get("corpid")))
        except ValueError as exc:
            raise AdminError(str(exc)) from None
        return jsonify({"rows_per_second": body["rows_per_second"]})

    @bp.post("/contacts_jobs/activate")
    def activate() -> Any:
        """Sandbox: a member accepts the invitation and joins WeCom."""
        body = body_json()
        try:
            userid: Any = body.get("userid")
            return jsonify(emu.activate_user(userid, _corpid(emu, body.get("corpid"))))
        except ValueError as exc:
            raise AdminError(str(exc)) from None
