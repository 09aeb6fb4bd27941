"""Python API of Callbacks, ``emu.callbacks``: receivers, URL verification, delivery, sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.events import SOURCE_SANDBOX, DomainEvent
from mock_server.services.callbacks import models as m
from mock_server.services.callbacks.delivery import CallbackError, Dispatcher
from mock_server.services.callbacks.render import MESSAGE

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.core.state import Corp

APP_EVENTS = ("enter_agent", "click", "view", "subscribe", "unsubscribe")


class CallbacksAPI:
    """Configure callback receivers, verify URLs, act as a user, read the delivery log."""

    def __init__(self, engine: Host) -> None:
        self._emu = engine
        self.dispatcher = Dispatcher(engine)
        engine.events.subscribe(self.dispatcher.on_event)
        engine.hooks.on_reset.append(self.dispatcher.reset)
        engine.hooks.on_close.append(self.dispatcher.stop)
        if engine.mode == "server":
            self.dispatcher.start_workers()

    def _cb_corp(self, corpid: str | None) -> Corp:
        return self._emu.corp(corpid)

    # -- configuration -------------------------------------------------------------------
    def set_callback(
        self,
        app: int | str,
        url: str | None,
        token: str | None = None,
        encoding_aes_key: str | None = None,
        *,
        verify: bool = True,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """Save a receiver's callback (agentid or contacts/external/approval).

        Like the admin console, the URL is verified first (``verify=False`` skips it) and a
        failed verification saves nothing. ``url=None`` removes the configuration.
        """
        corp = self._cb_corp(corpid)
        try:
            key = m.app_key(corp, app)
            if url is None:
                m.set_config(corp, key, None)
                return {"app": key, "removed": True}
            config = m.parse_config(
                {"url": url, "token": token, "encoding_aes_key": encoding_aes_key}
            )
        except ValueError as exc:
            raise CallbackError(str(exc)) from None
        result = None
        if verify:
            result = self.dispatcher.verify(corp, config)
            if not result["ok"]:
                raise CallbackError(f"URL verification failed: {result['error']}", result)
        with corp.lock:
            m.set_config(corp, key, config)
        out = {"app": key, "agentid": m.agentid_of(key), **config.to_dict()}
        if result is not None:
            out["verification"] = result
        return out

    def callback_config(
        self, app: int | str | None = None, corpid: str | None = None
    ) -> dict[str, Any] | None:
        """One receiver's config, or every configured receiver (``{"apps": [...]}``)."""
        corp = self._cb_corp(corpid)
        if app is not None:
            key = m.app_key(corp, app)
            config = m.get_config(corp, key)
            return None if config is None else {"app": key, **config.to_dict()}
        return {
            "corpid": corp.corpid,
            "apps": [
                {"app": k, "agentid": m.agentid_of(k), **c.to_dict()}
                for k, c in m.callbacks(corp).configs.items()
            ],
        }

    def verify_callback(
        self,
        app: int | str | None = None,
        *,
        url: str | None = None,
        token: str | None = None,
        encoding_aes_key: str | None = None,
        corpid: str | None = None,
    ) -> dict[str, Any]:
        """Run the console's URL verification against a saved or a candidate config."""
        corp = self._cb_corp(corpid)
        try:
            if url is None:
                if app is None:
                    raise ValueError("give app (a saved config) or url, token, encoding_aes_key")
                config = m.get_config(corp, m.app_key(corp, app))
                if config is None:
                    raise ValueError(f"no callback configured for {app}")
            else:
                config = m.parse_config(
                    {"url": url, "token": token, "encoding_aes_key": encoding_aes_key}
                )
        except ValueError as exc:
            raise CallbackError(str(exc)) from None
        return self.dispatcher.verify(corp, config)

    def configure_callbacks(self, **settings: Any) -> dict[str, Any]:
        """Tune delivery: ``timeout`` (5 s), ``verify_timeout`` (1 s), ``retries`` (3),
        ``retry_interval`` (0), ``log_size`` (1000)."""
        from dataclasses import asdict

        try:
            return asdict(self.dispatcher.configure(**settings))
        except ValueError as exc:
            raise CallbackError(str(exc)) from None

    # -- the log -------------------------------------------------------------------------
    def callback_deliveries(
        self,
        app: int | str | None = None,
        *,
        event: str | None = None,
        outcome: str | None = None,
        corpid: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Logged deliveries (oldest first): every attempt's time, status, latency, error."""
        key = None if app is None else str(app)
        return self.dispatcher.deliveries(
            corpid=corpid, app=key, event=event, outcome=outcome, limit=limit
        )

    def flush_callbacks(self, timeout: float = 30.0) -> bool:
        """Server mode: wait until queued deliveries are done (True if they are)."""
        return self.dispatcher.flush(timeout)

    # -- sandbox: a person acting in the WeCom app ----------------------------------------
    def emit_callback_event(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        target: Any = None,
        from_user: str = "sys",
        msgtype: str | None = None,
        source: str = SOURCE_SANDBOX,
        corpid: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Publish any event (as WeCom would) and return its deliveries (in-process mode)."""
        corp = self._cb_corp(corpid)
        info = dict(meta or {})
        info["from_user"] = from_user
        info["callback"] = True  # deliver even a kind the dispatcher does not know
        if kind == MESSAGE:
            info["msgtype"] = msgtype or "text"
        event = DomainEvent(
            corpid=corp.corpid,
            kind=kind,
            data=dict(data),
            time=corp.clock.time(),
            source=source,
            target=target,
            meta=info,
        )
        return self._publish(corp, event)

    def _publish(self, corp: Corp, event: DomainEvent) -> list[dict[str, Any]]:
        with self._emu.transaction(corp):
            corp.emit(event)
        event_id = event.meta.get("event_id")
        return [r for r in self.dispatcher.deliveries() if r["event_id"] == event_id]

    def _sandbox_user(self, corp: Corp, agentid: int, userid: str) -> str:
        from mock_server.services.contacts import models as cm

        if agentid not in corp.agents:
            raise CallbackError(f"no agent {agentid}")
        user = cm.contacts(corp).find_user(userid)
        if user is None:
            raise CallbackError(f"no member {userid}")
        if not cm.is_user_visible(corp, corp.agents[agentid], user):
            raise CallbackError(f"app {agentid} is not visible to {userid}")
        return user.userid

    def sandbox_user_message(
        self,
        agentid: int,
        userid: str,
        content: str = "",
        *,
        msgtype: str = "text",
        corpid: str | None = None,
        **fields: Any,
    ) -> list[dict[str, Any]]:
        """A member sends the app a message (text by default); returns the deliveries.

        Other msgtypes take their XML elements as keywords (``PicUrl=..., MediaId=...``).
        """
        corp = self._cb_corp(corpid)
        uid = self._sandbox_user(corp, agentid, userid)
        data: dict[str, Any] = {"Content": content} if msgtype == "text" else dict(fields)
        data["MsgId"] = self.dispatcher.ids.randint(10**18, 2**63 - 1)
        data["AgentID"] = agentid
        return self.emit_callback_event(
            MESSAGE, data, target=agentid, from_user=uid, msgtype=msgtype, corpid=corp.corpid
        )

    def sandbox_app_event(
        self,
        agentid: int,
        userid: str,
        event: str = "enter_agent",
        event_key: str = "",
        *,
        corpid: str | None = None,
    ) -> list[dict[str, Any]]:
        """A member opens the app (``enter_agent``) or taps a menu item (``click``/``view``)."""
        corp = self._cb_corp(corpid)
        if event not in APP_EVENTS:
            raise CallbackError(f"event must be one of {', '.join(APP_EVENTS)}")
        uid = self._sandbox_user(corp, agentid, userid)
        data: dict[str, Any] = {"EventKey": event_key, "AgentID": agentid}
        if event in ("subscribe", "unsubscribe"):
            data = {"AgentID": agentid}
        return self.emit_callback_event(
            event, data, target=agentid, from_user=uid, corpid=corp.corpid
        )
