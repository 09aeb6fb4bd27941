"""Python API of the contacts family: ``emu.contacts``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.events import SOURCE_SANDBOX
from mock_server.services.contacts import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host


class ContactsAPI:
    """Read and change a corp's contacts directly (sandbox actions, test setup)."""

    def __init__(self, engine: Host) -> None:
        self._emu = engine

    def user(self, userid: str, corpid: str | None = None) -> dict[str, Any] | None:
        """A member as ``user/get`` would return it to the contacts secret, or None."""
        corp = self._emu.corp(corpid)
        u = m.contacts(corp).find_user(userid)
        return None if u is None else m.user_dict(corp, u, None)

    def add_user(self, corpid: str | None = None, **fields: Any) -> dict[str, Any]:
        """Add a member as an admin would in the console (emits ``change_contact``)."""
        corp = self._emu.corp(corpid)
        with self._emu.transaction(corp):
            status = fields.pop("status", 1)
            user, _ = m.create_user(corp, fields, status=status, source=SOURCE_SANDBOX)
            return m.user_dict(corp, user, None)
