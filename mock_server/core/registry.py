"""Endpoint declarations: routing, auth, journal, docs and OpenAPI derive from them.

A family declares its endpoints on a ``Family`` object (``@api.endpoint(...)``); the object
only collects them. An engine builds its ``Registry`` from the families its plugins list, so
importing a module never fills a global table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# A handler takes the pipeline's ``Context`` (not named here: the pipeline imports this
# module, and the import graph has no cycle).
Handler = Callable[[Any], Any]

# Secret scopes. "app" is a self-built app's own secret (one per agentid).
CONTACTS = "contacts"  # 通讯录同步 secret
APP = "app"
EXTERNAL = "external"  # 客户联系 system secret
APPROVAL = "approval"  # 审批 system secret
SCOPES = (CONTACTS, APP, EXTERNAL, APPROVAL)

# How the caller authenticates.
AUTH_TOKEN = "token"  # ?access_token=
AUTH_NONE = "none"  # gettoken
AUTH_WEBHOOK = "webhook"  # ?key= of a group robot


@dataclass(frozen=True)
class Endpoint:
    family: str
    method: str
    name: str  # path below /cgi-bin/, e.g. "user/create"
    handler: Handler
    scopes: frozenset[str] = frozenset()
    auth: str = AUTH_TOKEN
    # An app secret may call this only if its agent lists this permission in the fixture
    # (the admin console's "可调用接口的应用" lists for customer contact and approval).
    app_permission: str | None = None
    success_errmsg: str = "ok"
    summary: str = ""
    doc: str | None = None  # developer.work.weixin.qq.com/document/path/<doc>
    errcodes: tuple[int, ...] = ()
    multipart: bool = False
    binary_response: bool = False

    @property
    def path(self) -> str:
        return "/cgi-bin/" + self.name

    @property
    def schema_stem(self) -> str:
        """Schema files: schemas/<family>/<name with / as .>.{request,response}.json."""
        return f"{self.family}/{self.name.replace('/', '.')}"

    def allows_scope(self, scope: str, permissions: Iterable[str] = ()) -> bool:
        if scope in self.scopes:
            return True
        return (
            scope == APP and self.app_permission is not None and self.app_permission in permissions
        )


class Registry:
    """The endpoints of one engine, by path (built from its plugins' families)."""

    def __init__(self, families: Iterable[Family] = ()) -> None:
        self._by_path: dict[str, Endpoint] = {}
        for family in families:
            for ep in family.endpoints:
                self.add(ep)

    def add(self, ep: Endpoint) -> None:
        if ep.path in self._by_path and self._by_path[ep.path].handler is not ep.handler:
            raise ValueError(f"endpoint {ep.path} declared twice")
        self._by_path[ep.path] = ep

    def resolve(self, path: str) -> Endpoint | None:
        return self._by_path.get(path)

    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, sorted by family then path."""
        return sorted(self._by_path.values(), key=lambda e: (e.family, e.name))

    def __len__(self) -> int:
        return len(self._by_path)


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""


class Family:
    """Declares the endpoints of one API family (contacts, messaging, ...)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.endpoints: list[Endpoint] = []

    def endpoint(
        self,
        method: str,
        name: str,
        *,
        scopes: Iterable[str] = (),
        auth: str = AUTH_TOKEN,
        app_permission: str | None = None,
        success_errmsg: str = "ok",
        summary: str = "",
        doc: str | None = None,
        errcodes: Iterable[int] = (),
        multipart: bool = False,
        binary_response: bool = False,
    ) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    family=self.name,
                    method=method.upper(),
                    name=name,
                    handler=fn,
                    scopes=frozenset(scopes),
                    auth=auth,
                    app_permission=app_permission,
                    success_errmsg=success_errmsg,
                    summary=summary or _first_line(fn.__doc__),
                    doc=doc,
                    errcodes=tuple(errcodes),
                    multipart=multipart,
                    binary_response=binary_response,
                )
            )
            return fn

        return deco


def markdown_table(registry: Registry) -> str:
    """The README endpoint table, generated so it can never drift from the code."""
    rows = [
        "| Family | Method | Path | Secret scopes | Summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for ep in registry.endpoints():
        if ep.auth == AUTH_NONE:
            scopes = "none (corpid + secret)"
        elif ep.auth == AUTH_WEBHOOK:
            scopes = "robot `key`"
        else:
            scopes = ", ".join(s for s in SCOPES if s in ep.scopes)
            if ep.app_permission:
                scopes += f" (app with `{ep.app_permission}` permission)"
        rows.append(f"| {ep.family} | {ep.method} | `{ep.path}` | {scopes} | {ep.summary} |")
    return "\n".join(rows) + "\n"
