"""The ``identity`` part of a corp fixture: WeChat users (non-members) and code error style."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.identity import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

SECTION = {
    "type": "object",
    "additionalProperties": False,
    "description": "Web login: who besides members can open the app's links.",
    "properties": {
        "wechat_users": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["nickname"],
                "additionalProperties": False,
                "properties": {
                    "nickname": {"type": "string", "minLength": 1},
                    "openid": {"type": "string", "pattern": "^o[0-9A-Za-z_\\-]{6,63}$"},
                    "external_userid": {
                        "type": "string",
                        "description": "set when this WeChat user is a customer of the corp",
                    },
                },
            },
        },
        "code_errors": {
            "enum": ["single", "split"],
            "description": "single: 40029 for bad, used and expired codes (captures); "
            "split: 42022 used, 42003 expired (published table)",
        },
    },
}


def load_identity(emu: Host, corp: Corp, section: dict[str, Any] | None) -> None:
    section = section or {}
    store = m.identity(corp)
    store.code_errors = section.get("code_errors", "single")
    for i, w in enumerate(section.get("wechat_users", [])):
        openid = w.get("openid") or m.openid_for(corp, w["nickname"])
        if openid in store.wechat_users:
            raise ValueError(f"wechat_users[{i}]: duplicate openid {openid}")
        store.wechat_users[openid] = m.WeChatUser(
            openid, w["nickname"], w.get("external_userid", "")
        )


section = FixtureSection("identity", SECTION, load_identity, order=40)
