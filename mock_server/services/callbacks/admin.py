"""``/__admin/callbacks/*``: configure receivers, verify URLs, sandbox actions, deliveries."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest, call_checked
from mock_server.services.callbacks.api import CallbacksAPI
from mock_server.services.callbacks.delivery import CallbackError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> CallbacksAPI:
    return emu.api("callbacks", CallbacksAPI)


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call_checked(fn, *args, **kwargs)
    except CallbackError as exc:
        extra = {"verification": exc.result} if exc.result is not None else None
        raise AdminError(str(exc), extra=extra) from None
    except (KeyError, ValueError) as exc:
        raise AdminError(str(exc.args[0] if exc.args else exc)) from None


@admin.action("GET", "/callbacks/config")
def config_get(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """One receiver's config (``?app=``) or every configured receiver."""
    app = req.text("app")
    corpid = req.corpid(emu)
    if app:
        config = _call(_api(emu).callback_config, app, corpid)
        if config is None:
            raise AdminError(f"no callback configured for {app}", 404)
        return config
    return _call(_api(emu).callback_config, None, corpid)


@admin.action("PUT", "/callbacks/config")
def config_put(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Save a receiver (verified first unless ``"verify": false``)."""
    data = req.body
    if "app" not in data:
        raise AdminError("app is required (an agentid, contacts, external or approval)")
    verify = data.get("verify", True)
    if not isinstance(verify, bool):
        raise AdminError("verify must be a boolean")
    return _call(
        _api(emu).set_callback,
        data["app"],
        data.get("url"),
        data.get("token"),
        data.get("encoding_aes_key"),
        verify=verify,
        corpid=req.corpid(emu),
    )


@admin.action("POST", "/callbacks/verify")
def verify(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """The console's URL verification against a saved or a candidate config."""
    data = req.body
    return _call(
        _api(emu).verify_callback,
        data.get("app"),
        url=data.get("url"),
        token=data.get("token"),
        encoding_aes_key=data.get("encoding_aes_key"),
        corpid=req.corpid(emu),
    )


@admin.action("GET", "/callbacks/deliveries")
def deliveries(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """The delivery log (``?app=``, ``event``, ``outcome``, ``limit``)."""
    api = _api(emu)
    rows = api.callback_deliveries(
        req.text("app"),
        event=req.text("event"),
        outcome=req.text("outcome"),
        corpid=req.corpid(emu),
        limit=req.integer("limit"),
    )
    d = api.dispatcher
    return {
        "deliveries": rows,
        "size": d.settings.log_size,
        "queued": d.queued,
        "dropped": d.dropped,
    }


@admin.action("DELETE", "/callbacks/deliveries")
def deliveries_clear(emu: Host, req: AdminRequest) -> dict[str, Any]:
    _api(emu).dispatcher.clear()
    return {"status": "cleared"}


@admin.action("PUT", "/callbacks/settings")
def settings(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Delivery settings: timeout, verify_timeout, retries, retry_interval, log_size."""
    return _call(_api(emu).configure_callbacks, **req.body)


def _deliveries(emu: Host, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"deliveries": rows, "queued": emu.mode == "server"}


@admin.action("POST", "/callbacks/sandbox/message")
def sandbox_message(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A member sends the app a message."""
    data = req.body
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise AdminError("fields must be an object of XML elements")
    rows = _call(
        _api(emu).sandbox_user_message,
        _int(data.get("agentid"), "agentid"),
        _str(data.get("userid"), "userid"),
        _str(data.get("content", ""), "content"),
        msgtype=_str(data.get("msgtype", "text"), "msgtype"),
        corpid=req.corpid(emu),
        **fields,
    )
    return _deliveries(emu, rows)


@admin.action("POST", "/callbacks/sandbox/event")
def sandbox_event(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A member opens the app or taps a menu item."""
    data = req.body
    rows = _call(
        _api(emu).sandbox_app_event,
        _int(data.get("agentid"), "agentid"),
        _str(data.get("userid"), "userid"),
        _str(data.get("event", "enter_agent"), "event"),
        _str(data.get("event_key", ""), "event_key"),
        corpid=req.corpid(emu),
    )
    return _deliveries(emu, rows)


@admin.action("POST", "/callbacks/sandbox/emit")
def sandbox_emit(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Publish any event as WeCom would."""
    data = req.body
    payload = data.get("data")
    if not isinstance(payload, dict):
        raise AdminError("data must be an object of XML elements")
    rows = _call(
        _api(emu).emit_callback_event,
        _str(data.get("kind"), "kind"),
        payload,
        target=data.get("target"),
        from_user=_str(data.get("from_user", "sys"), "from_user"),
        msgtype=data.get("msgtype"),
        corpid=req.corpid(emu),
    )
    return _deliveries(emu, rows)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{name} must be an integer")
    return value


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str) or (name in ("userid", "kind") and not value):
        raise AdminError(f"{name} must be a string")
    return value
