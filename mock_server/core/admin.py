"""Admin (sandbox) actions, declared without any web framework.

An action is a plain function ``(engine, AdminRequest) -> data``: it returns what the admin
API answers (JSON-serialisable) or raises ``AdminError``. ``mock_server.web`` mounts every
action under ``/__admin``; tests can run the same functions in-process with ``Engine.admin``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host


class AdminError(Exception):
    """A bad admin request: answered with ``status`` (400 by default) and ``{"error": ...}``.

    ``extra`` fields are added to the error body (e.g. a failed URL verification's result).
    """

    def __init__(self, message: str, status: int = 400, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.message, **self.extra}


class NoSuchCorp(AdminError, KeyError):
    """An unknown ``corpid`` (``Engine.corp`` raises it): 404 in any admin action.

    Also a ``KeyError``, as a missing key of ``engine.corps`` always was.
    """

    def __init__(self, corpid: Any, loaded: list[str] | None = None) -> None:
        more = f"; loaded: {loaded}" if loaded is not None else ""
        super().__init__(f"no corp {corpid!r}{more}", 404)
        self.corpid = corpid

    def __str__(self) -> str:  # the message, not KeyError's repr of it
        return self.message


@dataclass(frozen=True)
class AdminRequest:
    """What an admin action gets: path + query parameters and the JSON body (an object)."""

    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """A value from the body, else the query/path parameters, else ``default``."""
        if name in self.body:
            return self.body[name]
        return self.params.get(name, default)

    def text(self, name: str) -> str | None:
        """A query/path parameter; an empty string reads as absent."""
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def number(self, name: str) -> float | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return float(raw)
        except ValueError:
            raise AdminError(f"{name} must be a number") from None

    def integer(self, name: str) -> int | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            raise AdminError(f"{name} must be an integer") from None

    def corpid(self, engine: Host) -> str | None:
        """The ``corpid`` of the body or query, checked to exist (404 otherwise)."""
        corpid = self.get("corpid") or None
        if corpid is None:
            return None
        if not isinstance(corpid, str):
            raise AdminError("corpid must be a string")
        if corpid not in engine.corps:
            raise NoSuchCorp(corpid)
        return corpid


def call_checked(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` once the arguments are known to bind to ``fn``'s signature.

    Actions that pass body fields on as keywords use it: a field the function does not
    take, or one that collides with a named argument, is a 400 decided before anything
    runs, so a ``TypeError`` from inside ``fn`` stays what it is (a bug: a 500).
    """
    # A bound method's signature hides ``self``; bind to the function so that a body
    # field named ``self`` is refused too.
    target, bound = getattr(fn, "__func__", fn), getattr(fn, "__self__", None)
    try:
        if bound is not None and target is not fn:
            inspect.signature(target).bind(bound, *args, **kwargs)
        else:
            inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as exc:
        raise AdminError(f"bad arguments: {exc}") from None
    return fn(*args, **kwargs)


AdminFn = Callable[["Host", AdminRequest], Any]


@dataclass(frozen=True)
class AdminAction:
    method: str
    path: str  # below /__admin, with <name> segments, e.g. "/oa/approvals/<sp_no>"
    run: AdminFn
    status: int = 200  # the success status (201 for a created fault rule)
    summary: str = ""


class AdminActions:
    """Collects one plugin's admin actions (``@admin.action("GET", "/messages")``)."""

    def __init__(self) -> None:
        self.actions: list[AdminAction] = []

    def action(self, method: str, path: str, *, status: int = 200) -> Callable[[AdminFn], AdminFn]:
        def deco(fn: AdminFn) -> AdminFn:
            doc = (fn.__doc__ or "").strip().splitlines()
            self.actions.append(
                AdminAction(method.upper(), path, fn, status, doc[0] if doc else "")
            )
            return fn

        return deco


# -- the engine's own actions ------------------------------------------------------------
admin = AdminActions()


@admin.action("GET", "/health")
def health(emu: Host, req: AdminRequest) -> dict[str, Any]:
    return {"status": "ok", "corps": sorted(emu.corps)}


@admin.action("GET", "/corps")
def corps(emu: Host, req: AdminRequest) -> dict[str, Any]:
    out = []
    for c in emu.corps.values():
        desc = c.describe()
        robots = getattr(emu, "robots", None)  # the messaging family's group robots
        if callable(robots):
            desc["robots"] = [
                {"key": r["key"], "name": r["name"], "chatid": r["chatid"]}
                for r in robots(c.corpid)
            ]
        out.append(desc)
    return {"corps": out}


@admin.action("POST", "/reset")
def reset(emu: Host, req: AdminRequest) -> dict[str, Any]:
    emu.reset()
    return {"status": "reset"}


@admin.action("GET", "/clock")
def clock(emu: Host, req: AdminRequest) -> dict[str, Any]:
    return emu.clock.snapshot()


@admin.action("POST", "/clock/advance")
def clock_advance(emu: Host, req: AdminRequest) -> dict[str, Any]:
    seconds = req.body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise AdminError("seconds must be a non-negative number")
    return {"now": emu.advance(seconds)}


@admin.action("GET", "/journal")
def journal(emu: Host, req: AdminRequest) -> dict[str, Any]:
    try:
        entries = emu.journal.entries(
            path=req.text("path"),
            endpoint=req.text("endpoint"),
            corpid=req.text("corpid"),
            scope=req.text("scope"),
            errcode=int(req.params["errcode"]) if req.text("errcode") else None,
            method=req.text("method"),
            since=req.number("since"),
            limit=int(req.params["limit"]) if req.text("limit") else None,
        )
    except ValueError:
        raise AdminError("errcode and limit must be integers") from None
    return {"entries": entries, "size": emu.journal.size, "dropped": emu.journal.dropped}


@admin.action("DELETE", "/journal")
def journal_clear(emu: Host, req: AdminRequest) -> dict[str, Any]:
    emu.journal.clear()
    return {"status": "cleared"}


@admin.action("GET", "/endpoints")
def endpoints(emu: Host, req: AdminRequest) -> dict[str, Any]:
    return {
        "endpoints": [
            {
                "family": e.family,
                "method": e.method,
                "path": e.path,
                "scopes": sorted(e.scopes),
                "auth": e.auth,
                "summary": e.summary,
                "errcodes": list(e.errcodes),
            }
            for e in emu.registry.endpoints()
        ]
    }


def match_path(pattern: str, path: str) -> dict[str, str] | None:
    """Path parameters of ``path`` against ``/a/<name>/b`` (one segment per ``<name>``)."""
    want = pattern.strip("/").split("/")
    got = path.split("?", 1)[0].strip("/").split("/")
    if len(want) != len(got):
        return None
    out: dict[str, str] = {}
    for w, g in zip(want, got, strict=True):
        if w.startswith("<") and w.endswith(">"):
            out[w[1:-1].split(":")[-1]] = g
        elif w != g:
            return None
    return out


def find_action(
    actions: Iterable[AdminAction], method: str, path: str
) -> tuple[AdminAction, dict[str, str]] | None:
    """The action answering ``method path`` (under ``/__admin``) and its path parameters."""
    method = method.upper()
    for action in actions:
        if action.method == method:
            found = match_path(action.path, path)
            if found is not None:
                return action, found
    return None
