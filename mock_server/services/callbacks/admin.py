"""``/__admin/callbacks/*``: configure receivers, verify URLs, sandbox actions, deliveries."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator
from mock_server.services.callbacks.delivery import CallbackError


def _corpid(data: dict[str, Any]) -> str | None:
    corpid = data.get("corpid") or request.args.get("corpid") or None
    if corpid is not None and not isinstance(corpid, str):
        raise AdminError("corpid must be a string")
    return corpid


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except CallbackError as exc:
        raise AdminError(str(exc)) from None
    except (KeyError, ValueError) as exc:
        raise AdminError(str(exc.args[0] if exc.args else exc)) from None


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.get("/callbacks/config")
    def callbacks_config() -> Any:
        app = request.args.get("app")
        corpid = _corpid({})
        if app:
            config = _call(emu.callback_config, app, corpid)
            if config is None:
                raise AdminError(f"no callback configured for {app}", 404)
            return jsonify(config)
        return jsonify(_call(emu.callback_config, None, corpid))

    @bp.put("/callbacks/config")
    def callbacks_config_put() -> Any:
        data = body_json()
        if "app" not in data:
            raise AdminError("app is required (an agentid, contacts, external or approval)")
        verify = data.get("verify", True)
        if not isinstance(verify, bool):
            raise AdminError("verify must be a boolean")
        try:
            saved = emu.set_callback(
                data["app"],
                data.get("url"),
                data.get("token"),
                data.get("encoding_aes_key"),
                verify=verify,
                corpid=_corpid(data),
            )
        except CallbackError as exc:
            body: dict[str, Any] = {"error": str(exc)}
            if exc.result is not None:
                body["verification"] = exc.result
            return jsonify(body), 400
        except (KeyError, ValueError) as exc:
            raise AdminError(str(exc.args[0] if exc.args else exc)) from None
        return jsonify(saved)

    @bp.post("/callbacks/verify")
    def callbacks_verify() -> Any:
        data = body_json()
        result = _call(
            emu.verify_callback,
            data.get("app"),
            url=data.get("url"),
            token=data.get("token"),
            encoding_aes_key=data.get("encoding_aes_key"),
            corpid=_corpid(data),
        )
        return jsonify(result)

    @bp.get("/callbacks/deliveries")
    def callbacks_deliveries() -> Any:
        limit = request.args.get("limit")
        try:
            n = int(limit) if limit not in (None, "") else None
        except ValueError:
            raise AdminError("limit must be an integer") from None
        rows = emu.callback_deliveries(
            request.args.get("app") or None,
            event=request.args.get("event") or None,
            outcome=request.args.get("outcome") or None,
            corpid=_corpid({}),
            limit=n,
        )
        d = emu._callbacks
        return jsonify(
            {
                "deliveries": rows,
                "size": d.settings.log_size,
                "queued": d.queued,
                "dropped": d.dropped,
            }
        )

    @bp.delete("/callbacks/deliveries")
    def callbacks_deliveries_clear() -> Any:
        emu._callbacks.clear()
        return jsonify({"status": "cleared"})

    @bp.put("/callbacks/settings")
    def callbacks_settings() -> Any:
        return jsonify(_call(emu.configure_callbacks, **body_json()))

    def _deliveries(rows: list[dict[str, Any]]) -> Any:
        return jsonify({"deliveries": rows, "queued": emu.mode == "server"})

    @bp.post("/callbacks/sandbox/message")
    def sandbox_message() -> Any:
        data = body_json()
        fields = data.get("fields", {})
        if not isinstance(fields, dict):
            raise AdminError("fields must be an object of XML elements")
        rows = _call(
            emu.sandbox_user_message,
            _int(data.get("agentid"), "agentid"),
            _str(data.get("userid"), "userid"),
            _str(data.get("content", ""), "content"),
            msgtype=_str(data.get("msgtype", "text"), "msgtype"),
            corpid=_corpid(data),
            **fields,
        )
        return _deliveries(rows)

    @bp.post("/callbacks/sandbox/event")
    def sandbox_event() -> Any:
        data = body_json()
        rows = _call(
            emu.sandbox_app_event,
            _int(data.get("agentid"), "agentid"),
            _str(data.get("userid"), "userid"),
            _str(data.get("event", "enter_agent"), "event"),
            _str(data.get("event_key", ""), "event_key"),
            corpid=_corpid(data),
        )
        return _deliveries(rows)

    @bp.post("/callbacks/sandbox/emit")
    def sandbox_emit() -> Any:
        data = body_json()
        payload = data.get("data")
        if not isinstance(payload, dict):
            raise AdminError("data must be an object of XML elements")
        rows = _call(
            emu.emit_callback_event,
            _str(data.get("kind"), "kind"),
            payload,
            target=data.get("target"),
            from_user=_str(data.get("from_user", "sys"), "from_user"),
            msgtype=data.get("msgtype"),
            corpid=_corpid(data),
        )
        return _deliveries(rows)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{name} must be an integer")
    return value


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str) or (name in ("userid", "kind") and not value):
        raise AdminError(f"{name} must be a string")
    return value
