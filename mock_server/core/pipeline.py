"""One request's way through the engine.

on_request hooks (faults) -> resolve the caller (token, corpid, robot key) -> after_auth hooks
(trusted IPs, rate limits) -> validators (contracts) -> the handler, under the corp lock ->
on_response hooks -> journal. Both transports (Flask over HTTP and ``intercept()``
in-process) build an ``ApiRequest`` and call ``Engine.handle``; nothing here knows about
Flask or sockets. This is the only place that works out who is calling and takes the lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import parse_qs

import orjson

from mock_server.core import jsonsafe, registry
from mock_server.core.errors import WeComError, render_errmsg
from mock_server.core.journal import bounded

if TYPE_CHECKING:
    from mock_server.core.clock import Clock
    from mock_server.core.events import EventBus
    from mock_server.core.ids import IdGenerator
    from mock_server.core.journal import Journal
    from mock_server.core.services import ServiceKey
    from mock_server.core.state import Agent, Corp, TokenInfo, TokenStore

T = TypeVar("T")

log = logging.getLogger("mock_server")

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
# Faults only a socket can show (``ApiResponse.transport_fault``); each transport renders them.
SOCKET_FAULTS = ("reset", "empty", "garbage")
# Bytes a broken upstream might send: not an HTTP status line.
GARBAGE = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03lorem-ipsum\r\n\r\n"
UNPARSED = object()
# Request body limits (memory is bounded by bytes): JSON calls take at most 4 MiB (the
# largest real body, a robot's base64 image of 2 MB, is 2.7 MB); uploads a 20 MB file plus
# its multipart envelope. A larger body is not read: the call answers as for a
# malformed body (JSON) or an oversized file (uploads).
MAX_JSON_BODY = 4 * 1024 * 1024
MAX_UPLOAD_BODY = 21 * 1024 * 1024


def body_limit(ep: registry.Endpoint | None) -> int:
    return MAX_UPLOAD_BODY if ep is not None and ep.multipart else MAX_JSON_BODY


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, str]
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    client_ip: str = "127.0.0.1"
    # Bytes of a body over the limit (then ``body`` is empty); 0 when the body is whole.
    oversize: int = 0

    @classmethod
    def from_url_parts(
        cls,
        method: str,
        path: str,
        query_string: str,
        body: bytes | None,
        headers: dict[str, str] | None = None,
        client_ip: str = "127.0.0.1",
    ) -> ApiRequest:
        return cls(
            method.upper(),
            path,
            parse_query(query_string),
            body or b"",
            dict(headers or {}),
            client_ip,
        )


def parse_query(query_string: str) -> dict[str, str]:
    """The first value of each query parameter, blank values kept (``parse_qs`` semantics).

    Every API call parses one; a plain ``a=1&b=2`` (no escapes) is split directly, anything
    with ``%`` or ``+`` goes through ``urllib``.
    """
    if "%" in query_string or "+" in query_string:
        parsed = parse_qs(query_string, keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}
    out: dict[str, str] = {}
    for part in query_string.split("&"):
        if part:
            name, _, value = part.partition("=")
            if name not in out:
                out[name] = value
    return out


@dataclass
class ApiResponse:
    body: Any  # dict (JSON) or bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON_CONTENT_TYPE
    # Set by fault injection for what only a socket can do: "reset", "empty".
    transport_fault: str | None = None
    delay: float = 0.0
    # The encoded body, kept with the body object it was encoded from: the journal sizes an
    # entry by it and the transport sends it, one encoding per call.
    _encoded: tuple[Any, bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def errcode(self) -> int | None:
        if isinstance(self.body, dict):
            code = self.body.get("errcode", 0)
            return code if isinstance(code, int) else None
        return None

    def head(self) -> dict[str, Any] | None:
        """The JSON answer for reading its errcode and errmsg (None when not JSON); a
        response that builds its big lists on demand gives them without building them."""
        return self.body if isinstance(self.body, dict) else None

    def bounded(self) -> dict[str, Any]:
        """The JSON answer with its long top-level lists cut: what the journal keeps."""
        return bounded(self.body)

    def payload(self) -> bytes:
        body = self.body
        if isinstance(body, bytes | bytearray):
            return bytes(body)
        if isinstance(body, str):
            return body.encode("utf-8")
        cached = self._encoded
        if cached is not None and cached[0] is body:
            return cached[1]
        data = encode_json(body)
        self._encoded = (body, data)
        return data


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON, as the real API sends it.

    orjson writes the same text as ``json.dumps(ensure_ascii=False, separators=(",", ":"))``
    for every value an answer holds, about 10x faster; what it refuses (integer keys, lone
    surrogates, integers past 64 bits) goes to the standard encoder.
    """
    try:
        return orjson.dumps(body)
    except TypeError:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        # "replace": a last line of defence; stored text never holds lone surrogates.
        return text.encode("utf-8", "replace")


@dataclass
class Hooks:
    """Extension points of the pipeline (fault rules, rate limits, contract validation)."""

    on_request: list[Callable[[Context], ApiResponse | None]] = field(default_factory=list)
    after_auth: list[Callable[[Context], ApiResponse | None]] = field(default_factory=list)
    validators: list[Callable[[Context], None]] = field(default_factory=list)
    on_response: list[Callable[[Context, ApiResponse], ApiResponse | None]] = field(
        default_factory=list
    )
    on_reset: list[Callable[[], None]] = field(default_factory=list)
    on_close: list[Callable[[], None]] = field(default_factory=list)


class Host(Protocol):
    """What handlers, plugins and admin actions see of the engine.

    ``mock_server.core.engine.Engine`` is the implementation; everything else in the package
    is typed against this protocol, so nothing imports the engine back.
    """

    mode: str
    strict: bool
    settings: dict[str, Any]
    clock: Clock
    ids: IdGenerator
    tokens: TokenStore
    journal: Journal
    events: EventBus
    hooks: Hooks
    registry: registry.Registry
    callers: dict[str, Callable[[Context], None]]
    corps: dict[str, Corp]

    def api(self, name: str, kind: type[T]) -> T: ...

    def service(self, kind: ServiceKey[T]) -> T: ...

    def corp(self, corpid: str | None = None) -> Corp: ...

    def transaction(self, corp: Corp) -> contextlib.AbstractContextManager[Corp]: ...

    def reset(self) -> None: ...

    def advance(self, seconds: float) -> float: ...

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        client_ip: str = "127.0.0.1",
    ) -> dict[str, Any]: ...

    def token(
        self, scope: str = "app", agentid: int | None = None, corpid: str | None = None
    ) -> str: ...

    def handle(self, req: ApiRequest) -> ApiResponse: ...

    def record(self, ctx: Context, resp: ApiResponse, seconds: float) -> None: ...


class Context:
    """What a handler sees: the request, its corp and token, and helpers to read params."""

    __slots__ = (
        "_json",
        "caller",
        "emulator",
        "endpoint",
        "fault",
        "json_warning",
        "notes",
        "request",
        "resolved_corp",
        "token",
        "warnings",
    )

    def __init__(self, emulator: Host, request: ApiRequest) -> None:
        self.emulator = emulator
        self.request = request
        self.endpoint: registry.Endpoint | None = None
        # The caller's corp once the pipeline resolved it (None before, and for gettoken
        # when corpid names no corp). Handlers read ``corp``.
        self.resolved_corp: Corp | None = None
        # What a plugin's caller resolver found besides the corp (the robot of a webhook key).
        self.caller: Any = None
        self.token: TokenInfo | None = None
        self._json: Any = UNPARSED
        self.json_warning = False
        self.notes: dict[str, Any] = {}
        self.fault: dict[str, Any] | None = None
        self.warnings: list[str] = []

    # -- request data --------------------------------------------------------------
    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, whatever the Content-Type (the official SDK sends none).

        An unparseable or non-object body reads as ``{}`` and marks the request so any error
        carries the real ``Warning: wrong json format.`` prefix.
        """
        if self._json is UNPARSED:
            raw = self.request.body
            if self.request.oversize:
                self._json = {}
                self.json_warning = True
            elif not raw or not raw.strip():
                self._json = {}
            else:
                try:
                    value = jsonsafe.loads(raw)
                except ValueError:  # also UnicodeDecodeError, too deep, lone surrogates
                    value = None
                if isinstance(value, dict):
                    self._json = value
                else:
                    self._json = {}
                    self.json_warning = True
        parsed: dict[str, Any] = self._json
        return parsed

    @property
    def now(self) -> int:
        return self.emulator.clock.time()

    @property
    def scope(self) -> str | None:
        return self.token.scope if self.token else None

    @property
    def agentid(self) -> int | None:
        return self.token.agentid if self.token else None

    @property
    def corp(self) -> Corp:
        """The caller's corp, resolved by the pipeline before the handler runs.

        Every endpoint but gettoken (``auth=AUTH_NONE``) has one: a token's corp or the one
        a plugin's caller resolver found. Hooks that run before or whatever the outcome of
        that resolution read ``resolved_corp`` instead.
        """
        corp = self.resolved_corp
        if corp is None:
            raise RuntimeError("no corp resolved for this request (read resolved_corp)")
        return corp

    @corp.setter
    def corp(self, corp: Corp) -> None:
        self.resolved_corp = corp

    @property
    def agent(self) -> Agent | None:
        corp = self.resolved_corp
        if corp is None or self.token is None or self.token.agentid is None:
            return None
        return corp.agents.get(self.token.agentid)


def success(body: dict[str, Any] | None, errmsg: str) -> dict[str, Any]:
    out: dict[str, Any] = {"errcode": 0, "errmsg": errmsg}
    if body:
        out.update(body)
    return out


def error_response(ctx: Context, err: WeComError) -> ApiResponse:
    emu = ctx.emulator
    hint = f"{int(emu.clock.now() * 1000):013d}{emu.ids.hint(12)}"
    text = err.text()
    if ctx.json_warning and not err.json_warning:
        text = "Warning: wrong json format. " + text
    errmsg = render_errmsg(text, err.errcode, hint, ctx.request.client_ip)
    body: dict[str, Any] = {"errcode": err.errcode, "errmsg": errmsg}
    body.update(err.extra)
    return ApiResponse(
        body, headers={"Error-Code": str(err.errcode), "Error-Msg": header_value(errmsg)}
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_HEADER_VALUE = 4096


def header_value(text: str) -> str:
    """Text safe in an HTTP header: latin-1, no CR/LF or other control characters.

    An errmsg echoes request values (``creator_userid`` with ``\\r\\n``); copied raw into the
    ``Error-Msg`` header it would split the response (waitress refuses it: an HTTP 500).
    """
    if len(text) > MAX_HEADER_VALUE:  # an echoed 100 KB value: clients refuse lines over 64 KB
        text = text[:MAX_HEADER_VALUE] + "..."
    text = _CONTROL.sub(" ", text)
    return text.encode("latin-1", "replace").decode("latin-1")


def resolve_caller(ctx: Context, ep: registry.Endpoint) -> None:
    """Who is calling: sets ``ctx.corp`` (and ``ctx.token`` / ``ctx.caller``) or raises."""
    emu = ctx.emulator
    if ep.auth == registry.AUTH_NONE:
        # gettoken: the corp named by ``corpid`` if it exists; the handler answers the rest.
        corpid = ctx.request.query.get("corpid")
        ctx.resolved_corp = emu.corps.get(corpid) if corpid else None
        return
    if ep.auth != registry.AUTH_TOKEN:
        resolver = emu.callers.get(ep.auth)
        if resolver is None:
            raise WeComError(48001, f"no caller resolver for {ep.auth}", replace=True)
        resolver(ctx)
        return
    token = ctx.request.query.get("access_token")
    if not token:
        raise WeComError(41001)
    info = emu.tokens.lookup(token)
    if info is None or info.revoked:
        raise WeComError(40014)
    if info.expires_at <= emu.clock.time():
        raise WeComError(42001)
    corp = emu.corps.get(info.corpid)
    if corp is None:  # corp removed by a reset with other fixtures
        raise WeComError(40014)
    ctx.corp = corp
    ctx.token = info
    permissions: list[str] = []
    if info.agentid is not None:
        agent = corp.agents.get(info.agentid)
        if agent is None:
            raise WeComError(40014)
        permissions = agent.permissions
    if not ep.allows_scope(info.scope, permissions):
        raise WeComError(48002)


def not_emulated(ctx: Context) -> None:
    """A path of the real API that the emulator lacks: say so, distinct from a typo.

    Same errcode as a typo (48001, so clients do not retry) but the errmsg names the endpoint
    and its doc page, and the journal entry carries a warning.
    """
    from mock_server.core.real_api import not_emulated as lookup

    real = lookup(ctx.request.path, ctx.emulator.registry)
    if real is None:
        return
    text = (
        f"api not emulated by wecom-mock: {real.path} exists in the real API "
        f"(doc {real.doc or 'unknown'}, family {real.family}) but is not implemented here"
    )
    ctx.warnings.append(text)
    log.warning("%s", text)
    raise WeComError(48001, text, replace=True)


def handle(emu: Host, req: ApiRequest) -> ApiResponse:
    """Run one API call; never raises, never returns anything but the real envelope."""
    started = time.perf_counter()
    ctx = Context(emu, req)
    resp: ApiResponse | None = None
    ep = emu.registry.resolve(req.path)
    ctx.endpoint = ep
    if len(req.body) > body_limit(ep):
        req.oversize, req.body = len(req.body), b""
    if req.oversize:
        ctx.notes["body_over_limit"] = req.oversize
    try:
        for hook in emu.hooks.on_request:
            resp = hook(ctx)
            if resp is not None:
                break
        if resp is None:
            if ep is None:
                # The real API's answer to an unknown /cgi-bin/ path is not documented;
                # 48001 "api unauthorized" is the closest documented code.
                not_emulated(ctx)
                raise WeComError(48001, "api not found", replace=True)
            if req.method not in ("GET", "POST"):
                raise WeComError(48001, f"method {req.method} not allowed", replace=True)
            resolve_caller(ctx, ep)
            for hook in emu.hooks.after_auth:
                resp = hook(ctx)
                if resp is not None:
                    break
        if resp is None:
            assert ep is not None
            for validate in emu.hooks.validators:
                validate(ctx)
            corp = ctx.resolved_corp
            if corp is not None:
                with emu.transaction(corp):
                    result = ep.handler(ctx)
            else:
                result = ep.handler(ctx)
            if isinstance(result, ApiResponse):
                resp = result
            else:
                resp = ApiResponse(success(result, ep.success_errmsg))
    except Exception as exc:
        resp = failure(ctx, exc)
    for after in emu.hooks.on_response:
        # A hook that raises takes the same error path as a handler; the hooks after it
        # still run (a rate-limit slot is given back whatever happened before).
        try:
            resp = after(ctx, resp) or resp
        except Exception as exc:
            resp = failure(ctx, exc)
    emu.record(ctx, resp, time.perf_counter() - started)
    return resp


def failure(ctx: Context, exc: Exception) -> ApiResponse:
    """The one error path: a ``WeComError`` answers its errcode; anything else is a bug that
    must still answer in the real envelope (errcode -1), never an HTTP 500."""
    if isinstance(exc, WeComError):
        return error_response(ctx, exc)
    log.exception("handler crashed on %s", ctx.request.path)
    ctx.notes["exception"] = f"{type(exc).__name__}: {exc}"
    return error_response(ctx, WeComError(-1))
