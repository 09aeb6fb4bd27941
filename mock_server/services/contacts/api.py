"""Python API of the contacts family, mixed into ``Emulator``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.events import SOURCE_SANDBOX
from mock_server.services.contacts import models as m

if TYPE_CHECKING:
    from mock_server.state import Corp


class ContactsAPI:
    """Read and change a corp's contacts directly (sandbox actions, test setup)."""

    def user(self, userid: str, corpid: str | None = None) -> dict[str, Any] | None:
        """A member as ``user/get`` would return it to the contacts secret, or None."""
        corp: Corp = self.corp(corpid)  # type: ignore[attr-defined]
        u = m.contacts(corp).find_user(userid)
        return None if u is None else m.user_dict(corp, u, None)

    def add_user(self, corpid: str | None = None, **fields: Any) -> dict[str, Any]:
        """Add a member as an admin would in the console (emits ``change_contact``)."""
        corp: Corp = self.corp(corpid)  # type: ignore[attr-defined]
        with self.transaction(corp):  # type: ignore[attr-defined]
            status = fields.pop("status", 1)
            user, _ = m.create_user(corp, fields, status=status, source=SOURCE_SANDBOX)
            return m.user_dict(corp, user, None)
