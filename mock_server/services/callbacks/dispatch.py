"""Who is called back for an event (callbacks.md §8-§10), keyed by event kind.

Each rule returns receiver keys (an agentid as a string, or a system app name); only
receivers with a configured callback get a delivery. ``DomainEvent.target`` overrides the
rule when a family knows the one app an event is addressed to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mock_server.core.events import SOURCE_API, DomainEvent
from mock_server.core.registry import APP, CONTACTS
from mock_server.core.state import Corp

Rule = Callable[[Corp, DomainEvent], list[str]]
_RULES: dict[str, Rule] = {}

# Event values documented for callbacks (callbacks.md §6-§12) plus ``message``; other kinds
# on the event bus are internal to a family and are only delivered when marked
# ``meta["callback"] = True`` (as the sandbox's emit does).
CALLBACK_KINDS = frozenset(
    [
        "message",
        "change_contact",
        "change_external_contact",
        "change_external_chat",
        "change_external_tag",
        "sys_approval_change",
        "open_approval_change",
        "subscribe",
        "unsubscribe",
        "enter_agent",
        "LOCATION",
        "batch_job_result",
        "click",
        "view",
        "view_miniprogram",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
        "template_card_event",
        "template_card_menu_event",
        "share_agent_change",
        "share_chain_change",
        "inactive_alert",
        "low_active_alert",
        "close_inactive_agent",
        "reopen_inactive_agent",
        "low_active",
        "active_restored",
        "kf_msg_or_event",
        "living_status_change",
        "add_calendar",
        "modify_calendar",
        "delete_calendar",
        "add_schedule",
        "modify_schedule",
        "delete_schedule",
        "book_meeting_room",
        "cancel_meeting_room",
    ]
)
# Kinds whose rule reads ``target`` itself (the submitting app), instead of being replaced.
_TARGET_IN_RULE = frozenset({"sys_approval_change"})


@dataclass(frozen=True)
class Recipient:
    key: str
    # Elements this receiver does not get (e.g. StrategyId outside the 客户联系 app).
    drop: tuple[str, ...] = ()


def rule(*kinds: str) -> Callable[[Rule], Rule]:
    def deco(fn: Rule) -> Rule:
        for kind in kinds:
            _RULES[kind] = fn
        return fn

    return deco


def _targets(event: DomainEvent) -> list[str] | None:
    target = event.target
    if target is None:
        return None
    items = target if isinstance(target, list | tuple | set) else [target]
    return [str(t) for t in items]


def _agents_with(corp: Corp, permission: str) -> list[str]:
    return [str(a.agentid) for a in corp.agents.values() if permission in a.permissions]


@rule("change_contact")
def _contacts(corp: Corp, event: DomainEvent) -> list[str]:
    # The contacts-sync assistant is not told of changes its own secret made (doc 90970).
    # Self-built apps are not called back with contact changes here: only reported, not
    # documented (callbacks.md §8, unconfirmed).
    if event.actor_scope == CONTACTS:
        return []
    return ["contacts"]


@rule("change_external_contact", "change_external_chat", "change_external_tag")
def _external(corp: Corp, event: DomainEvent) -> list[str]:
    # Only changes made in the WeCom client or admin console are called back (doc 92130).
    if event.source == SOURCE_API:
        return []
    return ["external", *_agents_with(corp, "externalcontact")]


@rule("sys_approval_change")
def _approval(corp: Corp, event: DomainEvent) -> list[str]:
    # The 审批 app, and the self-built app that submitted the request (doc 91815).
    out = ["approval"]
    submitter = event.meta.get("agentid")
    if submitter is None and isinstance(event.target, int | str) and event.target != "approval":
        submitter = event.target
    if submitter is None and event.actor_scope == APP:
        submitter = event.actor_agentid
    if submitter is not None:
        out.append(str(submitter))
    return out


def recipients(corp: Corp, event: DomainEvent) -> list[Recipient]:
    """Receiver keys for an event, deduplicated, in a stable order."""
    if event.kind not in CALLBACK_KINDS and not event.meta.get("callback"):
        return []
    explicit = None if event.kind in _TARGET_IN_RULE else _targets(event)
    fn = _RULES.get(event.kind)
    keys = fn(corp, event) if fn is not None else []
    if fn is None and explicit is None:
        # App events and messages name their app in AgentID.
        agentid = event.data.get("AgentID")
        if isinstance(agentid, int) and agentid in corp.agents:
            keys = [str(agentid)]
    if explicit is not None:
        # A family may address one app; the rule still vetoes (API-made customer-contact
        # changes, the contacts-sync secret's own writes).
        vetoed = fn is not None and not keys
        keys = [] if vetoed else [k for k in explicit if k != "contacts" or "contacts" in keys]
    out: list[Recipient] = []
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        drop = ("StrategyId",) if event.kind == "change_external_tag" and key != "external" else ()
        out.append(Recipient(key, drop))
    return out
