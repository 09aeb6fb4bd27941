"""Python API of OA: ``emu.oa`` (approvals acted on as people in the WeCom app would)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.services.oa import approval_open
from mock_server.services.oa import approval_views as views
from mock_server.services.oa import approvals as ap
from mock_server.services.oa.checkin import sandbox as checkin_sandbox
from mock_server.services.oa.dial import handlers as dial
from mock_server.services.oa.journal import models as journal
from mock_server.services.oa.living import models as living
from mock_server.services.oa.store import oa
from mock_server.services.oa.vacation import models as vacation

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host


class OAAPI:
    """Sandbox actions on approvals: what approvers and applicants do in the WeCom app.

    Each returns the application as ``oa/getapprovaldetail`` shows it and emits a
    ``sys_approval_change`` event; an impossible action raises ``ApprovalActionError``.
    """

    def __init__(self, engine: Host) -> None:
        self._emu = engine

    def _oa_act(self, corpid: str | None, fn: Any, *args: Any) -> dict[str, Any]:
        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            return views.detail(fn(corp, *args))

    def approve(
        self, sp_no: str, userid: str, speech: str = "", corpid: str | None = None
    ) -> dict[str, Any]:
        """``userid`` agrees at the current level (或签: one is enough; 会签: all must)."""
        return self._oa_act(corpid, ap.act, sp_no, userid, "approve", speech)

    def reject(
        self, sp_no: str, userid: str, speech: str = "", corpid: str | None = None
    ) -> dict[str, Any]:
        """``userid`` rejects at the current level; the application becomes 3 (rejected)."""
        return self._oa_act(corpid, ap.act, sp_no, userid, "reject", speech)

    def revoke_approval(
        self, sp_no: str, userid: str | None = None, corpid: str | None = None
    ) -> dict[str, Any]:
        """The applicant withdraws (4 revoked; 6 when it was already approved)."""
        return self._oa_act(corpid, ap.revoke, sp_no, userid)

    def comment_approval(
        self, sp_no: str, userid: str, content: str, corpid: str | None = None
    ) -> dict[str, Any]:
        """Add a comment as ``userid``."""
        return self._oa_act(corpid, ap.comment, sp_no, userid, content)

    def approval(self, sp_no: str, corpid: str | None = None) -> dict[str, Any] | None:
        """An application's detail (``getapprovaldetail``'s ``info``), or None."""
        app = oa(self._emu.corp(corpid)).applications.get(str(sp_no))
        return None if app is None else views.detail(app)

    def approvals(self, corpid: str | None = None, **where: Any) -> list[dict[str, Any]]:
        """All applications (details), optionally filtered by detail fields (sp_status=1...)."""
        apps = oa(self._emu.corp(corpid)).applications.values()
        out = [views.detail(a) for a in apps]
        return [d for d in out if all(d.get(k) == v for k, v in where.items())]

    # -- check-in and vacation (sandbox) -------------------------------------------------
    def _oa_sandbox(self, corpid: str | None, fn: Any, payload: dict[str, Any]) -> dict[str, Any]:
        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            return fn(corp, payload)

    def punch(self, userid: str, corpid: str | None = None, **place: Any) -> dict[str, Any]:
        """``userid`` punches in the app (``checkin_time`` default now; ``wifimac``,
        ``lat``/``lng``, ``field=True`` for 外出); returns the getcheckindata record."""
        return self._oa_sandbox(corpid, checkin_sandbox.punch, {"userid": userid, **place})

    def generate_checkin_month(
        self, year: int, month: int, seed: int = 0, corpid: str | None = None, **opts: Any
    ) -> dict[str, Any]:
        """A month of realistic, seeded punches for every member under a check-in rule."""
        payload = {"year": year, "month": month, "seed": seed, **opts}
        return self._oa_sandbox(corpid, checkin_sandbox.generate_month, payload)

    def vacation_quota(self, userid: str, corpid: str | None = None) -> list[dict[str, Any]]:
        """A member's balances as ``oa/vacation/getuservacationquota`` lists them."""
        corp = self._emu.corp(corpid)
        return vacation.quota_list(corp, userid.lower())

    def submit_journal(
        self,
        userid: str,
        template_id: str,
        contents: list[dict[str, Any]],
        corpid: str | None = None,
        **opts: Any,
    ) -> dict[str, Any]:
        """``userid`` submits a report (``contents``: ``[{"title", "text"}]``); returns its detail."""
        payload = {"userid": userid, "template_id": template_id, "contents": contents, **opts}
        return self._oa_sandbox(corpid, journal.submit, payload)

    def comment_journal(
        self, journal_uuid: str, userid: str, content: str, corpid: str | None = None
    ) -> dict[str, Any]:
        """``userid`` comments on a report (a receiver commenting has read it)."""
        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            return journal.comment(corp, journal_uuid, userid, content)

    def start_open_approval(self, corpid: str | None = None, **payload: Any) -> dict[str, Any]:
        """A member submits an approval-flow-engine request on an app's page (``third_no``,
        ``userid``, ``agentid``, ``template_id``, ``sp_name``, ``approvers``, ``notify``)."""
        return self._oa_sandbox(corpid, approval_open.start, payload)

    def act_open_approval(
        self, third_no: str, userid: str, action: str, speech: str = "", corpid: str | None = None
    ) -> dict[str, Any]:
        """approve / reject (an approver of the current node) or cancel (the applicant)."""
        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            return approval_open.act(corp, third_no, userid, action, speech)

    def add_dial_record(self, corpid: str | None = None, **record: Any) -> dict[str, Any]:
        """A connected public-phone call (``call_time``, ``total_duration``, ``call_type``,
        ``caller``, ``callee``), as ``dial/get_dial_record`` will list it."""
        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            return dial.add_record(corp, record)

    def living_action(
        self, livingid: str, action: str, corpid: str | None = None, **viewer: Any
    ) -> dict[str, Any]:
        """The anchor ``start``s or ``end``s a live, or a viewer ``watch``es it (``userid`` or
        ``external_userid``, ``watch_time``, ``is_comment``, ``is_mic``)."""
        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            if action == "start":
                live = living.start(corp, livingid)
            elif action == "end":
                live = living.end(corp, livingid)
            elif action == "watch":
                live = living.watch(corp, livingid, viewer)
            else:
                raise living.LivingActionError(f"unknown action {action!r}")
            return {"livingid": livingid, "status": living.status(live, corp.clock.time())}
