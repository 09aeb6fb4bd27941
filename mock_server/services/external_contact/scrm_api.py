"""Python API of the SCRM sandbox (part of ``emu.external_contact``, with shortcuts on the
emulator): thin wrappers running ``scrm_sandbox`` actions under the corp lock, so tests read
like the story they tell: ``wecom.scan_contact_way(config_id, customer={...})``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.services.external_contact import scrm_sandbox
from mock_server.services.external_contact.transfers import settle

if TYPE_CHECKING:
    from mock_server.core.events import DomainEvent
    from mock_server.core.pipeline import Context, Host
    from mock_server.core.state import Corp


class ScrmAPI:
    """Customers scanning contact ways, members confirming mass messages, transfers."""

    _emu: Host

    def _init_scrm(self, engine: Host) -> None:
        # Members deleted through the contacts API resign: their customers become unassigned.
        engine.events.subscribe(self._scrm_on_event)
        # Every customer-contact call first applies what the clock decided (a transfer due
        # for automatic acceptance is done before externalcontact/get or list reads).
        engine.hooks.after_auth.append(self._scrm_settle)

    def _scrm_settle(self, ctx: Context) -> None:
        if (
            ctx.endpoint is None
            or ctx.endpoint.family != "external_contact"
            or ctx.resolved_corp is None
        ):
            return
        with self._emu.transaction(ctx.corp):
            settle(ctx.corp)

    def _scrm_on_event(self, event: DomainEvent) -> None:
        change = event.data.get("ChangeType")
        corp = self._emu.corps.get(event.corpid)
        if corp is None:
            return
        if event.kind == "change_contact" and change == "delete_user":
            from mock_server.services.external_contact.transfers import record_resignation

            with self._emu.transaction(corp):
                record_resignation(corp, event.data["UserID"], event.time)
        elif event.kind == "change_external_contact" and event.source != "api":
            from mock_server.services.external_contact.statistics import record

            with self._emu.transaction(corp):
                record(
                    corp,
                    str(change),
                    event.data.get("UserID", ""),
                    event.data.get("ExternalUserID", ""),
                    event.time,
                )

    def scrm_action(
        self, name: str, payload: dict[str, Any] | None = None, corpid: str | None = None
    ) -> dict[str, Any]:
        """Run a SCRM sandbox action by name (see ``scrm_sandbox.ACTIONS``)."""
        corp: Corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            return scrm_sandbox.run(corp, name, dict(payload or {}))

    def scan_contact_way(
        self,
        config_id: str,
        *,
        external_userid: str | None = None,
        customer: dict[str, Any] | None = None,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """A WeChat user scans a contact way (a new ``customer={...}`` or an existing one)."""
        payload: dict[str, Any] = {"config_id": config_id, "customer": customer}
        if external_userid is not None:
            payload["external_userid"] = external_userid
        return self.scrm_action("contact_way/scan", payload, corpid)

    def accept_contact_request(
        self, userid: str, external_userid: str, corpid: str | None = None
    ) -> dict[str, Any]:
        """The member accepts a friend request left by a way without skip_verify."""
        payload = {"userid": userid, "external_userid": external_userid}
        return self.scrm_action("contact_way/accept", payload, corpid)

    def customer_messages(
        self, external_userid: str | None = None, corpid: str | None = None
    ) -> list[dict[str, Any]]:
        """What customers received (welcome messages, mass messages, conclusions)."""
        payload = {} if external_userid is None else {"external_userid": external_userid}
        return list(self.scrm_action("outbox", payload, corpid)["messages"])

    def confirm_groupmsg(
        self,
        msgid: str,
        userid: str,
        *,
        chat_ids: list[str] | None = None,
        exclude: list[str] | None = None,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """The member confirms a mass message in the client (it is sent now)."""
        payload: dict[str, Any] = {"msgid": msgid, "userid": userid}
        if chat_ids is not None:
            payload["chat_ids"] = chat_ids
        if exclude is not None:
            payload["exclude"] = exclude
        return self.scrm_action("groupmsg/confirm", payload, corpid)

    def resolve_transfer(
        self, external_userid: str, outcome: str = "accept", corpid: str | None = None
    ) -> dict[str, Any]:
        """The customer accepts/refuses a waiting transfer now (``limit``: takeover full)."""
        payload = {"external_userid": external_userid, "outcome": outcome}
        return self.scrm_action("transfer/resolve", payload, corpid)

    def member_resigns(self, userid: str, corpid: str | None = None) -> dict[str, Any]:
        """A member leaves the corp; their customers wait in ``get_unassigned_list``."""
        return self.scrm_action("member/resign", {"userid": userid}, corpid)
