"""Privacy rules that sit in front of other families' endpoints (pipeline hooks, no HTTP).

* Contacts-sync reads of member/department details from a "new" IP -> 48009 (doc 96079).
* System-app (basic app) secrets of a corp created from 2023-12-01 -> 40001 at gettoken.

The sensitive-field redaction for modern apps and basic apps lives in the contacts family
(``Agent.restricted_fields``, set from the ``apps`` fixture section).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from mock_server.core.errors import WeComError
from mock_server.core.registry import APPROVAL, CONTACTS, EXTERNAL
from mock_server.services.apps import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import ApiResponse, Context, Host

# Detail reads the contacts-sync secret may no longer make from a new IP; user/list_id and
# department/simplelist (the id-only replacements) and every write stay allowed.
DETAIL_READS = frozenset(
    {
        "user/get",
        "user/simplelist",
        "user/list",
        "department/list",
        "department/get",
        "export/simple_user",
        "export/user",
        "export/department",
    }
)


def ip_in(ip: str, allowed: list[str]) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip in allowed
    for entry in allowed:
        try:
            if addr in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            if entry == ip:
                return True
    return False


def contacts_sync_ip_rule(ctx: Context) -> ApiResponse | None:
    ep = ctx.endpoint
    if ep is None or ctx.scope != CONTACTS or ep.name not in DETAIL_READS:
        return None
    corp = ctx.resolved_corp
    if corp is None:
        return None
    allowed = m.apps(corp).contacts_sync_ips
    if allowed is not None and not ip_in(ctx.request.client_ip, allowed):
        raise WeComError(48009)
    return None


def system_secret_rule(ctx: Context) -> ApiResponse | None:
    if ctx.request.path != "/cgi-bin/gettoken":
        return None
    corp = ctx.emulator.corps.get(ctx.request.query.get("corpid", ""))
    secret = ctx.request.query.get("corpsecret", "")
    if corp is None or not secret:
        return None
    found = corp.secret_scope(secret)
    if found is None or found[0] not in (EXTERNAL, APPROVAL):
        return None
    if m.apps(corp).corp_created_at >= m.SYSTEM_SECRET_CUTOFF:
        # The console no longer shows such a secret to new corps; no errcode is documented
        # for using one anyway, 40001 (invalid credential) is the plausible answer.
        raise WeComError(40001)
    return None


def install(emu: Host) -> None:
    emu.hooks.on_request.append(system_secret_rule)
    emu.hooks.after_auth.append(contacts_sync_ip_rule)
