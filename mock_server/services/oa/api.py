"""Python API of OA: ``emu.oa`` (approvals acted on as people in the WeCom app would)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.services.oa import approval_views as views
from mock_server.services.oa import approvals as ap
from mock_server.services.oa.store import oa

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
