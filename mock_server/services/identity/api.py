"""Python API of Identity: get a login code without a browser, check JS-SDK signatures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.core.state import Corp


class IdentityAPI:
    def __init__(self, engine: Host) -> None:
        self._emu = engine

    def _identity_corp(self, corpid: str | None) -> Corp:
        return self._emu.corp(corpid)

    def authorize_url(
        self,
        agentid: int,
        redirect_uri: str,
        *,
        scope: str = "snsapi_base",
        state: str = "",
        base_url: str = "",
        corpid: str | None = None,
    ) -> str:
        """The authorize link an H5 app builds, pointing at this emulator's page."""
        corp = self._identity_corp(corpid)
        query = {
            "appid": corp.corpid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
            "agentid": str(agentid),
        }
        return f"{base_url}/connect/oauth2/authorize?{urlencode(query)}#wechat_redirect"

    def oauth_login(
        self,
        userid: str | None = None,
        *,
        openid: str | None = None,
        agentid: int | None = None,
        scope: str = "snsapi_base",
        redirect_uri: str | None = None,
        state: str = "",
        sso: bool = False,
        corpid: str | None = None,
    ) -> dict[str, str]:
        """Log somebody in as the authorize page would; returns ``{"code", "location"}``.

        ``redirect_uri`` defaults to the app's trusted domain. ``sso=True`` is a QR-code
        (web) login: members only, never a user_ticket. Raises ``AuthorizeError`` where the
        real page shows an error (untrusted domain, privateinfo outside the visibility...).
        """
        from mock_server.services.identity import models as m

        corp = self._identity_corp(corpid)
        if agentid is None:
            agentid = next(iter(corp.agents))
        if agentid not in corp.agents:  # as parse_login answers it, before anything is read
            raise m.AuthorizeError("agentid参数错误 (no such app)")
        if redirect_uri is None:
            domain = m.trusted_domain(corp, agentid)
            if not domain:
                raise m.AuthorizeError(f"app {agentid} has no trusted domain (apps fixture)")
            redirect_uri = f"https://{domain}/"
        params = {
            "appid": corp.corpid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
            "agentid": str(agentid),
            "login_type": "CorpApp",
        }
        kind = m.KIND_SSO if sso else m.KIND_OAUTH
        with self._emu.transaction(corp):
            req = m.parse_login(self._emu.corps, params, kind)
            code, location = m.issue_code(corp, req, userid=userid, openid=openid)
        return {"code": code, "location": location}

    def oauth_code(self, userid: str | None = None, **kwargs: Any) -> str:
        """Just the code of :meth:`oauth_login`."""
        return self.oauth_login(userid, **kwargs)["code"]

    def wechat_users(self, *, corpid: str | None = None) -> list[dict[str, str]]:
        """Non-members the login page offers (fixture ``identity.wechat_users``)."""
        from mock_server.services.identity import models as m

        corp = self._identity_corp(corpid)
        return [
            {"openid": w.openid, "nickname": w.nickname, "external_userid": w.external_userid}
            for w in m.identity(corp).wechat_users.values()
        ]

    @staticmethod
    def jsapi_signature(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
        """Sign a page for wx.config / wx.agentConfig the documented way (fragment dropped)."""
        from mock_server.services.identity import models as m

        return m.jsapi_signature(ticket, noncestr, timestamp, url)

    def check_jsapi_signature(
        self,
        *,
        url: str,
        noncestr: str,
        timestamp: int | str,
        signature: str,
        agent_config: bool = False,
        agentid: int | None = None,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """Check a page's wx.config (corp ticket) or wx.agentConfig (app ticket) as the
        client would: ``{"ok": True, ...}`` or ``{"ok": False, "errcode": 40093, ...}``."""
        from mock_server.services.identity import models as m

        corp = self._identity_corp(corpid)
        with corp.lock:
            return m.check_signature(
                corp,
                kind="agentConfig" if agent_config else "config",
                url=url,
                noncestr=noncestr,
                timestamp=timestamp,
                signature=signature,
                agentid=agentid,
            )

    def jssdk_upload_voice(
        self, data: bytes, *, filename: str = "voice.speex", corpid: str | None = None
    ) -> str:
        """A page records a voice with JS-SDK uploadVoice: returns its media_id."""
        from mock_server.services.messaging.media.models import add_media

        corp = self._identity_corp(corpid)
        with corp.lock:
            item = add_media(
                corp, type="voice", data=data, filename=filename, content_type="voice/speex"
            )
        return item.media_id
