"""``/__admin/apps/...``: a member taps a menu button; switch an app's privacy mode."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from mock_server.admin import AdminError, admin_extension, body_json
from mock_server.emulator import Emulator
from mock_server.services.apps.models import MenuError


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{key} must be an integer")
    return value


@admin_extension
def routes(bp: Blueprint, emu: Emulator) -> None:
    @bp.post("/apps/menu/click")
    def menu_click() -> Any:
        """{agentid, userid, key, scan_result?, location?: [x, y], label?, pic_md5?: [...]}"""
        body = body_json()
        agentid = _int(body, "agentid")
        userid, key = body.get("userid"), body.get("key")
        if not isinstance(userid, str) or not isinstance(key, str):
            raise AdminError("userid and key must be strings")
        loc = body.get("location")
        if loc is not None and (
            not isinstance(loc, list)
            or len(loc) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in loc)
        ):
            raise AdminError("location must be [latitude, longitude]")
        pics = body.get("pic_md5")
        if pics is not None and (
            not isinstance(pics, list) or not all(isinstance(p, str) for p in pics)
        ):
            raise AdminError("pic_md5 must be a list of strings")
        try:
            out = emu.menu_click(
                agentid,
                userid,
                key,
                scan_result=str(body.get("scan_result", "")),
                location=(float(loc[0]), float(loc[1])) if loc else None,
                label=str(body.get("label", "")),
                pic_md5=pics,
                corpid=body.get("corpid"),
            )
        except (MenuError, KeyError) as exc:
            raise AdminError(str(exc).strip("'\"")) from None
        return jsonify(out)

    @bp.post("/apps/<int:agentid>/privacy")
    def privacy(agentid: int) -> Any:
        """{mode: modern|legacy}"""
        mode = body_json().get("mode")
        try:
            emu.set_app_privacy(agentid, str(mode), corpid=None)
        except (ValueError, KeyError) as exc:
            raise AdminError(str(exc).strip("'\"")) from None
        return jsonify({"agentid": agentid, "privacy": mode})
