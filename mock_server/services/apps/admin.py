"""``/__admin/apps/...``: a member taps a menu button; switch an app's privacy mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mock_server.core.admin import AdminActions, AdminError, AdminRequest
from mock_server.services.apps.api import AppsAPI
from mock_server.services.apps.models import MenuError

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

admin = AdminActions()


def _api(emu: Host) -> AppsAPI:
    return emu.api("apps", AppsAPI)


def _int(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{key} must be an integer")
    return value


@admin.action("POST", "/apps/menu/click")
def menu_click(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """A member taps a menu button: {agentid, userid, key, scan_result?, location?, label?, pic_md5?}."""
    body = req.body
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
        return _api(emu).menu_click(
            agentid,
            userid,
            key,
            scan_result=str(body.get("scan_result", "")),
            location=(float(loc[0]), float(loc[1])) if loc else None,
            label=str(body.get("label", "")),
            pic_md5=pics,
            corpid=req.corpid(emu),
        )
    except (MenuError, KeyError) as exc:
        raise AdminError(str(exc).strip("'\"")) from None


@admin.action("POST", "/apps/<agentid>/privacy")
def privacy(emu: Host, req: AdminRequest) -> dict[str, Any]:
    """Switch an app's privacy rules: {mode: modern|legacy}."""
    raw = req.params["agentid"]
    if not raw.isdecimal():
        raise AdminError("agentid must be an integer", status=404)
    mode = req.body.get("mode")
    try:
        _api(emu).set_app_privacy(int(raw), str(mode), corpid=req.corpid(emu))
    except (ValueError, KeyError) as exc:
        raise AdminError(str(exc).strip("'\"")) from None
    return {"agentid": int(raw), "privacy": mode}
