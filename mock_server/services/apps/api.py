"""Python API of Apps: tap a menu button as a member, switch an app's privacy mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.core.state import Corp


class AppsAPI:
    def __init__(self, engine: Host) -> None:
        from mock_server.services.apps import privacy

        self._emu = engine
        privacy.install(engine)

    def _apps_corp(self, corpid: str | None) -> Corp:
        return self._emu.corp(corpid)

    def menu_click(
        self,
        agentid: int,
        userid: str,
        key: str,
        *,
        scan_result: str = "",
        location: tuple[float, float] | None = None,
        label: str = "",
        pic_md5: list[str] | None = None,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """A member taps the menu button with this key (or URL, page path, name).

        Emits the button's event (click, view, scancode_*, pic_*, location_select,
        view_miniprogram) to the app's callback URL; returns the event's kind and elements.
        Raises ``MenuError`` when the app has no such button or the member cannot see it.
        """
        from mock_server.services.apps import models as m

        corp = self._apps_corp(corpid)
        with self._emu.transaction(corp):
            event = m.menu_event(
                corp,
                agentid,
                userid,
                key,
                scan_result=scan_result,
                location=location,
                label=label,
                pic_md5=pic_md5,
            )
            corp.emit(event)
        return {"event": event.kind, "from_user": event.meta["from_user"], "data": event.data}

    def set_app_privacy(self, agentid: int, mode: str, *, corpid: str | None = None) -> None:
        """Switch an app between ``modern`` (post-2022-06-20 field rules) and ``legacy``."""
        from mock_server.services.apps import models as m

        if mode not in m.PRIVACY_MODES:
            raise ValueError(f"mode must be one of {m.PRIVACY_MODES}")
        corp = self._apps_corp(corpid)
        with corp.lock:
            agent = corp.agents[agentid]  # KeyError for no such app, before anything changes
            s = m.settings_of(corp, agentid)
            s.privacy = mode
            m.apply_privacy(agent, s)

    def app_settings(self, agentid: int, *, corpid: str | None = None) -> dict[str, Any]:
        """What agent/get would answer for this app (without a token)."""
        from mock_server.services.apps import models as m

        corp = self._apps_corp(corpid)
        with corp.lock:
            out = m.agent_dict(corp, corp.agents[agentid])
            out["privacy"] = m.settings_of(corp, agentid).privacy
            return out
