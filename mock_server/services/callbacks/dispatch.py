"""Who is called back for an event (callbacks.md §8-§10), keyed by event kind.

Each rule returns receiver keys (an agentid as a string, or a system app name); only
receivers with a configured callback get a delivery. ``DomainEvent.target`` overrides the
rule when a family knows the one app an event is addressed to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mock_server.events import SOURCE_API, DomainEvent
from mock_server.registry import APP, CONTACTS
from mock_server.state import Corp

Rule = Callable[[Corp, DomainEvent], list[str]]
_RULES: dict[str, Rule] = {}


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
    if submitter is None and event.actor_scope == APP:
        submitter = event.actor_agentid
    if submitter is not None:
        out.append(str(submitter))
    return out


def recipients(corp: Corp, event: DomainEvent) -> list[Recipient]:
    """Receiver keys for an event, deduplicated, in a stable order."""
    explicit = _targets(event)
    fn = _RULES.get(event.kind)
    keys = fn(corp, event) if fn is not None else []
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
