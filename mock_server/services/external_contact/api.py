"""Python API of customer contact (客户联系), ``emu.external_contact``: sandbox actions and reads.

Each sandbox action is what a person does in the WeCom client; it emits the domain event the
real server would call back about (``change_external_contact`` / ``change_external_chat``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.services.external_contact import customers as cu
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact import sandbox as sb
from mock_server.services.external_contact.scrm_api import ScrmAPI

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.core.state import Corp


class ExternalContactAPI(ScrmAPI):
    """Customers, follow relations and customer groups, driven directly (tests, sandbox)."""

    def __init__(self, engine: Host) -> None:
        self._emu = engine
        self._init_scrm(engine)

    def __call__(self, external_userid: str, corpid: str | None = None) -> dict[str, Any] | None:
        """``emu.external_contact(external_userid)``: the same as ``.get``."""
        return self.get(external_userid, corpid)

    def _ext_corp(self, corpid: str | None) -> Corp:
        return self._emu.corp(corpid)

    # -- reads -------------------------------------------------------------------------------
    def external_contacts(self, userid: str | None = None, corpid: str | None = None) -> list[str]:
        """external_userids of every customer (or of one member's customers), in order."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            st = m.external_contact(corp)
            if userid is None:
                return [eid for eid, rel in st.follows.items() if rel]
            return [f.external_userid for f in st.by_user.get(userid.lower(), [])]

    def get(self, external_userid: str, corpid: str | None = None) -> dict[str, Any] | None:
        """A customer as ``externalcontact/get`` shows it to the system secret, or None."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            st = m.external_contact(corp)
            customer = st.customers.get(external_userid)
            if customer is None:
                return None
            rels = sorted(st.follows[external_userid].values(), key=lambda f: f.seq)
            return {
                "external_contact": cu.contact_dict(customer),
                "follow_user": [cu.follow_user_dict(corp, st, f) for f in rels],
            }

    def load_external_contact(self, section: dict[str, Any], corpid: str | None = None) -> None:
        """Add an ``external_contact`` fixture section to a live corp (until the next reset).

        For big generated corps in tests: skips YAML and the whole-fixture JSON Schema pass
        (the section is checked with a compiled validator), e.g. 50,000 customers in ~1 s.
        """
        from mock_server.services.external_contact.fixture import (
            load_external_contact,
            validate_section,
        )

        corp = self._ext_corp(corpid)
        validate_section(section)
        with self._emu.transaction(corp):
            load_external_contact(self._emu, corp, section)
            corp.pending_events.clear()  # like a fixture: not a change anyone is told about

    # -- sandbox actions ---------------------------------------------------------------------
    def customer_add_follow(
        self,
        userid: str,
        *,
        external_userid: str | None = None,
        customer: dict[str, Any] | None = None,
        state: str = "",
        add_way: int = 1,
        welcome_code: bool = True,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """A customer adds member ``userid`` (an existing customer, or a new one from
        ``customer={"name":..., "type": 1|2, ...}``): ``add_external_contact``."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            return sb.customer_adds_member(
                corp,
                userid,
                external_userid=external_userid,
                customer=customer,
                state=state,
                add_way=add_way,
                welcome_code=welcome_code,
            )

    def customer_delete_follow(
        self, userid: str, external_userid: str, corpid: str | None = None
    ) -> None:
        """The customer deletes member ``userid``: ``del_follow_user``."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            sb.customer_deletes_member(corp, userid, external_userid)

    def follow_delete_customer(
        self, userid: str, external_userid: str, corpid: str | None = None
    ) -> None:
        """Member ``userid`` deletes the customer: ``del_external_contact``."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            sb.member_deletes_customer(corp, userid, external_userid)

    def create_customer_group(
        self,
        owner: str,
        *,
        name: str = "",
        notice: str = "",
        members: list[str] | None = None,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """Member ``owner`` creates a customer group: ``change_external_chat``/``create``."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            return sb.create_group(corp, owner, name=name, notice=notice, members=members)

    def customer_join_group(
        self,
        chat_id: str,
        members: list[str],
        *,
        join_scene: int = 1,
        invitor: str | None = None,
        group_nickname: str = "",
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """Customers (or members) join a group: ``update``/``add_member``."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            return sb.join_group(
                corp,
                chat_id,
                members,
                join_scene=join_scene,
                invitor=invitor,
                group_nickname=group_nickname,
            )

    def customer_leave_group(
        self,
        chat_id: str,
        members: list[str],
        *,
        quit_scene: int = 0,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """Customers (or members) leave (0) or are removed (1): ``update``/``del_member``."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            return sb.leave_group(corp, chat_id, members, quit_scene=quit_scene)

    def dismiss_customer_group(self, chat_id: str, corpid: str | None = None) -> None:
        """The owner dismisses a customer group: ``dismiss``."""
        corp = self._ext_corp(corpid)
        with self._emu.transaction(corp):
            sb.dismiss_group(corp, chat_id)
