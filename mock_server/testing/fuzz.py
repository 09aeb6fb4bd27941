"""The project's own HTTP fuzzer: malformed requests against a live loopback server.

``python -m mock_server.testing.fuzz --requests 100000`` (``make fuzz``) starts a server on a free
loopback port, sends requests to every registered endpoint and every admin route, and
prints the counts that must all be 0:

* HTTP 5xx answers;
* non-JSON answers (a binary body is fine only for a binary endpoint's success; HEAD and
  waitress's own answers to unparseable HTTP are not sent);
* ``/cgi-bin`` answers without an integer ``errcode``;
* tracebacks logged by the server (any log record carrying an exception);
* hangs (no answer within ``--timeout``) and dropped connections;
* state changes after rejected requests: requests go in batches; when every request of a
  batch was rejected (``errcode != 0``, admin 4xx) the emulator's ``state_fingerprint`` must
  equal the one taken before the batch (rate-limit windows, which count every call, and the
  journal are left out).

Input classes: wrong JSON types, huge strings and numbers, lone surrogates and odd Unicode,
null bytes, CR/LF, deep nesting, invalid JSON and UTF-8, wrong and missing content types,
repeated and missing query parameters, odd paths (``//cgi-bin``, ``..``, percent-encoding,
long URLs), every HTTP method, multi-megabyte bodies. Deterministic for a ``--seed``.
"""

from __future__ import annotations

import argparse
import contextlib
import copyreg
import http.client
import io
import json
import logging
import pickle
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from mock_server.core import registry
from mock_server.core.engine import _plain
from mock_server.core.progress import bar as progress_bar
from mock_server.core.progress import enable as enable_progress
from mock_server.core.registry import AUTH_TOKEN, AUTH_WEBHOOK, SCOPES
from mock_server.core.state import Corp
from mock_server.emulator import Emulator
from mock_server.web.server import ServerThread

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND")
FIELDS = (
    "userid", "name", "department", "mobile", "email", "id", "parentid", "order", "tagid",
    "tagname", "userlist", "partylist", "useridlist", "cursor", "limit", "agentid", "touser",
    "toparty", "totag", "msgtype", "text", "content", "external_userid", "chatid", "media_id",
    "type", "template_id", "sp_no", "openid", "main_department", "creator_userid",
    "use_template_approver", "apply_data", "summary_list", "markdown", "news", "articles",
    "userid_list", "tag_id", "group_id", "starttime", "endtime", "cal_id", "schedule",
    "meetingid", "new_userid", "to_invite", "enable_duplicate_check", "safe", "owner",
)  # fmt: skip
# Keys admin bodies are made of (fault rules get no "status"/"fault": an injected 5xx or a
# dropped connection is the fault's purpose, not a defect).
ADMIN_KEYS = (
    "seconds", "path", "errcode", "errmsg", "delay", "times", "app", "url", "token",
    "encoding_aes_key", "userid", "agentid", "enabled", "limits", "strict", "kind", "data",
    "content", "event", "sp_no", "corpid", "verify", "timeout", "workers", "log_size",
)  # fmt: skip
ODD_TEXT = (
    "\ud800", "x\udfff", "\udbff\udc00", "\uffff", "\ufffe", "\u0000", "a\x00b", "\u202e",
    "\u200b", "e\u0301", "😀", "\U0010ffff", "\r\nX-Injected: 1", "a\rb", "\n", "中文",
    "'\"<>&", "%0D%0A", "../../etc/passwd", "\\", "\t", "\x7f", "\ufeff",
)  # fmt: skip
HUGE_NUMBERS = (2**63, -(2**63) - 1, 2**64, 10**30, 1e308, -1e308, 5e-324, 0.1, -0.0)
CONTENT_TYPES = (
    None, "application/json", "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "application/xml", "application/json; charset=gbk",
    "", "*/*", "application/json;;", "APPLICATION/JSON",
)  # fmt: skip
REJECTED_ADMIN = range(400, 500)


@dataclass
class Counts:
    requests: int = 0
    cgi: int = 0
    admin: int = 0
    status_5xx: int = 0
    non_json: int = 0
    no_errcode: int = 0
    tracebacks: int = 0
    hangs: int = 0
    dropped: int = 0
    state_changes: int = 0
    checked_batches: int = 0
    rejected: int = 0
    seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    culprits: list[str] = field(default_factory=list)  # from a ``watch`` window

    def failures(self) -> int:
        return (
            self.status_5xx
            + self.non_json
            + self.no_errcode
            + self.tracebacks
            + self.hangs
            + self.dropped
            + self.state_changes
        )

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text[:300])

    def report(self, seconds: float) -> str:
        rate = self.requests / seconds if seconds else 0.0
        lines = [
            f"requests sent                       {self.requests:>8}  "
            f"(/cgi-bin {self.cgi}, /__admin {self.admin}; {seconds:.1f} s, {rate:.0f}/s)",
            f"HTTP 5xx                            {self.status_5xx:>8}",
            f"non-JSON answers                    {self.non_json:>8}",
            f"answers without an integer errcode  {self.no_errcode:>8}",
            f"tracebacks in the server log        {self.tracebacks:>8}",
            f"hangs                               {self.hangs:>8}",
            f"dropped connections                 {self.dropped:>8}",
            f"state changes after rejections      {self.state_changes:>8}  "
            f"({self.rejected} rejected requests in {self.checked_batches} all-rejected batches)",
            "input classes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())),
        ]
        if self.examples:
            lines.append("examples:")
            lines += [f"  {e}" for e in self.examples]
        if self.culprits:
            lines.append("rejected requests that changed the state:")
            lines += [f"  {c}" for c in self.culprits]
        return "\n".join(lines)


class TracebackCounter(logging.Handler):
    """Counts log records that carry an exception (a crash somewhere in the server)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or "Traceback" in record.getMessage():
            self.count += 1
            if len(self.first) < 3:
                self.first.append(f"{record.name}: {record.getMessage()[:200]}")


@dataclass
class Request:
    method: str
    target: str  # path + query, already encoded for the request line
    headers: dict[str, str]
    body: bytes
    kind: str  # input class
    endpoint: registry.Endpoint | None = None
    admin: bool = False


def data_fingerprint(emu: Emulator) -> Any:
    """``state_fingerprint`` without rate-limit windows (they count every call)."""
    out = emu.state_fingerprint()
    for corp in out.values():
        corp["stores"].pop("faults", None)
    return out


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[Corp] = lambda c: (str, (f"<corp {c.corpid}>",))  # as ``state_fingerprint`` shows it
for _lock_type in (type(threading.Lock()), type(threading.RLock())):
    _DISPATCH[_lock_type] = lambda _lock: (type(None), ())


def snapshot(emu: Emulator) -> bytes:
    """A fast byte image of the same state (pickled); equal images mean equal fingerprints.

    ``state_fingerprint`` walks every object in Python (130 ms on the demo corp); pickling
    is C (17 ms). Images also hold caches (``_`` attributes), so when two images differ the
    exact comparison decides: ``state_changed``.
    """
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(
        {
            c.corpid: (c.agents, c.secrets, c.settings, _data_stores(c))
            for c in list(emu.corps.values())
        }
    )
    return buf.getvalue()


def _data_stores(corp: Corp) -> dict[str, Any]:
    return {k: v for k, v in corp.stores.items() if k != "faults"}


def state_changed(emu: Emulator, before: bytes) -> bool:
    """Whether the stored state differs from the image ``before``, by ``state_fingerprint``."""
    if snapshot(emu) == before:
        return False
    return bool(_fingerprint_of(before) != data_fingerprint(emu))


def _fingerprint_of(image: bytes) -> Any:
    """The ``data_fingerprint`` a ``snapshot`` image was taken of."""
    old = pickle.loads(image)  # our own bytes, taken a moment ago
    return {
        corpid: {
            "agents": _plain(agents),
            "secrets": _plain(secrets),
            "settings": _plain(settings),
            "stores": _plain(stores),
        }
        for corpid, (agents, secrets, settings, stores) in old.items()
    }


def changed_paths(old: Any, new: Any, path: str = "", limit: int = 8) -> list[str]:
    """Where two fingerprints differ (``corp/stores/tags/3/name``), at most ``limit`` places."""
    if type(old) is not type(new) or not isinstance(old, dict | list):
        return [] if old == new else [path or "/"]
    out: list[str] = []
    if isinstance(old, list):
        if len(old) != len(new):
            return [f"{path} (length {len(old)} -> {len(new)})"]
        pairs: list[tuple[str, Any, Any]] = [
            (str(i), a, b) for i, (a, b) in enumerate(zip(old, new, strict=True))
        ]
    else:
        keys = [*old, *(k for k in new if k not in old)]
        pairs = [(str(k), old.get(k, "<absent>"), new.get(k, "<absent>")) for k in keys]
    for key, a, b in pairs:
        if len(out) >= limit:
            break
        out += changed_paths(a, b, f"{path}/{key}", limit - len(out))
    return out


def describe(req: Request) -> str:
    """One line that replays a request with curl (body shortened)."""
    body = req.body[:200].decode("utf-8", "backslashreplace")
    more = f"...(+{len(req.body) - 200} bytes)" if len(req.body) > 200 else ""
    heads = " ".join(f"-H '{k}: {v}'" for k, v in req.headers.items())
    return f"{req.method} {req.target[:200]} {heads} body={body!r}{more} ({req.kind})"


def strict_json(raw: bytes) -> Any:
    """Parse an answer as a strict client would (no NaN/Infinity, UTF-8 only)."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)


class Generator:
    """Random malformed requests; every endpoint in turn, admin routes one request in ten."""

    def __init__(
        self,
        emu: Emulator,
        admin_routes: list[tuple[str, list[str]]],
        seed: int,
        token_source: Callable[[str, int | None], str] | None = None,
        admin_every: int = 10,
    ) -> None:
        """``emu`` supplies corp data; tokens come from it unless ``token_source`` is given
        (a server in another process). Every ``admin_every``-th request goes to an admin
        route (1: the admin API only)."""
        self.emu = emu
        self.admin_every = admin_every
        self.fetch_token = token_source or (lambda scope, agentid: emu.token(scope, agentid))
        self.rng = random.Random(seed)
        self.endpoints = emu.registry.endpoints()
        self.admin_routes = admin_routes
        self.tokens: dict[tuple[str, int | None], str] = {}
        self.robot_keys = [r["key"] for r in emu.robots()] if hasattr(emu, "robots") else []
        self.i = 0
        self.classes: list[tuple[str, Callable[[], Any]]] = [
            ("wrong-types", self.wrong_types),
            ("huge-values", self.huge_values),
            ("odd-unicode", self.odd_unicode),
            ("null-bytes", lambda: {self.field(): "a\x00" * self.rng.randint(1, 5)}),
            ("crlf", lambda: {self.field(): self.rng.choice(["a\r\nX: y", "\r\n\r\n", "x\n"])}),
            ("deep-nesting", self.deep),
            ("invalid-json", self.invalid_json),
            ("valid-looking", self.valid_looking),
        ]

    # -- values -----------------------------------------------------------------------
    def field(self) -> str:
        return self.rng.choice(FIELDS)

    def scalar(self) -> Any:
        r = self.rng
        return r.choice(
            [
                None,
                True,
                False,
                0,
                -1,
                1,
                r.randint(-(2**40), 2**40),
                r.random() * 1e6,
                "",
                "lisi",
                "zhangsan",
                "1",
                "wmolcoGfAAujhGhcaiAmMX8Q9xHfbAAA",
                r.choice(ODD_TEXT),
                r.choice(HUGE_NUMBERS),
            ]
        )

    def value(self, depth: int = 0) -> Any:
        r = self.rng.random()
        if depth < 3 and r < 0.15:
            return [self.value(depth + 1) for _ in range(self.rng.randint(0, 4))]
        if depth < 3 and r < 0.3:
            return {self.field(): self.value(depth + 1) for _ in range(self.rng.randint(0, 3))}
        return self.scalar()

    def wrong_types(self) -> Any:
        return {self.field(): self.value() for _ in range(self.rng.randint(1, 6))}

    def huge_values(self) -> Any:
        r = self.rng
        n = r.choice([1000, 10_000, 100_000])
        big: Any = r.choice(
            ["x" * n, "中" * (n // 3), [1] * (n // 10), r.choice(HUGE_NUMBERS), 10**200]
        )
        return {self.field(): big, self.field(): self.scalar()}

    def odd_unicode(self) -> Any:
        text = "".join(self.rng.choice(ODD_TEXT) for _ in range(self.rng.randint(1, 4)))
        body: dict[str, Any] = {self.field(): text}
        if self.rng.random() < 0.3:
            body[text] = 1  # as a key too
        return body

    def deep(self) -> bytes:
        depth = self.rng.choice([50, 64, 65, 200, 1000, 20_000])
        opener, closer = self.rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
        return opener * depth + b"1" + closer * depth

    def invalid_json(self) -> bytes:
        r = self.rng
        return r.choice(
            [
                b'{"userid": "lisi", ',
                b"{]",
                b"\xff\xfe\xfa",
                b'{"name":"\xc3\x28"}',
                b"NaN",
                b'{"a":Infinity}',
                b'{"a":1e999}',
                b"'single'",
                bytes(r.getrandbits(8) for _ in range(r.randint(1, 64))),
                b'{"a":"\\ud800"}',
                b'{"a":"\\uZZZZ"}',
                b'{"userid":"lisi"}' * 3,
                b"\xef\xbb\xbf" + b'{"userid":"lisi"}',
                b"9" * 5000,
            ]
        )

    def valid_looking(self) -> Any:
        r = self.rng
        return {
            "userid": r.choice(["lisi", "zhangsan", "fuzz" + str(r.randint(0, 50))]),
            "name": r.choice(["名字", "x", ""]),
            "department": r.choice([[1], [2, 3], [], "1"]),
            "tagname": r.choice(["t" + str(r.randint(0, 99)), ""]),
            "touser": "zhangsan",
            "msgtype": r.choice(["text", "markdown", "image"]),
            "text": {"content": r.choice(["hi", ""])},
            "agentid": r.choice([1000002, 1000004, 0]),
        }

    # -- tokens and queries ---------------------------------------------------------------
    def token_for(self, ep: registry.Endpoint) -> str | None:
        r = self.rng.random()
        if r < 0.08:
            return None
        if r < 0.12:
            return "not-a-token"
        corp = self.emu.corp()
        options: list[tuple[str, int | None]] = []
        for scope in SCOPES:
            if scope == "app":
                options += [("app", a) for a in corp.agents]
            elif scope in corp.secrets:
                options.append((scope, None))
        allowed = [
            (s, a)
            for s, a in options
            if ep.allows_scope(s, corp.agents[a].permissions if a else ())
        ]
        pool = allowed if allowed and r < 0.9 else options
        key = self.rng.choice(pool)
        if key not in self.tokens:
            self.tokens[key] = self.fetch_token(key[0], key[1])
        return self.tokens[key]

    def query(self, ep: registry.Endpoint | None) -> list[tuple[str, str]]:
        r = self.rng
        items: list[tuple[str, str]] = []
        if ep is not None and ep.auth == AUTH_TOKEN:
            token = self.token_for(ep)
            if token is not None:
                items.append(("access_token", token))
                if r.random() < 0.05:
                    items.append(("access_token", "second"))  # repeated
        elif ep is not None and ep.auth == AUTH_WEBHOOK and self.robot_keys and r.random() < 0.8:
            items.append(("key", r.choice(self.robot_keys)))
        elif ep is not None and ep.path.endswith("/gettoken") and r.random() < 0.8:
            corp = self.emu.corp()
            items += [("corpid", corp.corpid), ("corpsecret", r.choice([*corp.secrets.values()]))]
        names = ["userid", "id", "department_id", "fetch_child", "tagid", "media_id", "type",
                 "debug", "cursor", "corpid"]  # fmt: skip
        for _ in range(r.randint(0, 3)):
            name = r.choice(names)
            value = str(self.scalar()) if r.random() < 0.8 else "y" * r.choice([1000, 20_000])
            items.append((name, value))
            if r.random() < 0.1:
                items.append((name, value + "2"))  # repeated parameter
        return items

    # -- requests ---------------------------------------------------------------------------
    def next(self) -> Request:
        self.i += 1
        if self.i % self.admin_every == 0 and self.admin_routes:
            return self.admin_request()
        ep = self.endpoints[self.i % len(self.endpoints)]
        r = self.rng
        roll = r.random()
        method = ep.method if roll < 0.7 else r.choice(METHODS)
        path = ep.path
        kind = "body"
        if roll > 0.95:
            path, kind = self.odd_path(path)
        query = self.query(ep)
        headers: dict[str, str] = {}
        body = b""
        if r.random() < 0.004:
            size = r.choice([1_000_000, 3_000_000, 5_000_000])
            body = b'{"userid":"' + b"m" * size + b'"}'
            kind = "multi-MB-body"
        elif ep.multipart and r.random() < 0.6:
            body, ctype = self.multipart()
            headers["Content-Type"] = ctype
            kind = "multipart"
        elif method != "GET" or r.random() < 0.2:
            name, make = r.choice(self.classes)
            made = make()
            body = made if isinstance(made, bytes) else self.dump(made)
            kind = kind if kind != "body" else name
        ctype_roll = r.random()
        if "Content-Type" not in headers and ctype_roll < 0.3:
            picked = r.choice(CONTENT_TYPES)
            if picked is not None:
                headers["Content-Type"] = picked
                kind = kind if ctype_roll > 0.1 else "content-type"
        if r.random() < 0.02 and not query:
            kind = "missing-query"
        return Request(method, self.target(path, query), headers, body, kind, ep)

    def dump(self, value: Any) -> bytes:
        text = json.dumps(value, ensure_ascii=self.rng.random() < 0.5)
        return text.encode("utf-8", "surrogatepass")  # a raw surrogate: invalid UTF-8 too

    def target(self, path: str, query: list[tuple[str, str]]) -> str:
        if not query:
            return path
        parts = []
        for k, v in query:
            ev = quote(v.encode("utf-8", "surrogatepass"), safe="")
            parts.append(f"{quote(k)}={ev}")
        return path + "?" + "&".join(parts)

    def odd_path(self, path: str) -> tuple[str, str]:
        r = self.rng
        variants = [
            "/" + path,
            path.replace("/cgi-bin/", "/cgi-bin//"),
            path + "/",
            path + "/..",
            "/cgi-bin/../__admin/corps",
            "/cgi-bin/%2e%2e/__admin/corps",
            path.replace("/", "%2F", 2),
            path + "%00",
            path + "%ff%fe",
            path + "/" + "a" * r.choice([2000, 16_000, 60_000]),
            path.upper(),
            "/cgi-bin/" + quote("中文/路径"),
            "/%63gi-bin/" + path.split("/cgi-bin/", 1)[-1],
            "/cgi-bin",
            "/",
            "/favicon.ico",
            "/cgi-bin/" + "x/" * 200,
        ]
        return r.choice(variants), "odd-path"

    def multipart(self) -> tuple[bytes, str]:
        r = self.rng
        boundary = "fuzzb0undary"
        name = r.choice(["a.txt", "a.png", "a\r\nX: y.txt", "中文.amr", "", "..\\..\\a.mp4"])
        data = r.choice([b"", b"abc", b"x" * 1000, bytes(range(256)) * 40])
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="'
            f'{name.replace(chr(13), "%0D").replace(chr(10), "%0A")}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        body = head + data + f"\r\n--{boundary}--\r\n".encode()
        if r.random() < 0.2:
            body = body[: r.randint(0, len(body))]  # truncated form
        return body, f"multipart/form-data; boundary={boundary}"

    def admin_request(self) -> Request:
        r = self.rng
        rule, methods = r.choice(self.admin_routes)
        path = rule
        while "<" in path:
            start, end = path.index("<"), path.index(">")
            path = (
                path[:start]
                + r.choice(["1", "fault-1", "1000002", "x", "%00", quote("中")])
                + path[end + 1 :]
            )
        method = r.choice(methods) if r.random() < 0.8 else r.choice(METHODS)
        headers: dict[str, str] = {}
        roll = r.random()
        kind = "admin"
        if roll < 0.1:
            headers["Origin"] = r.choice(["http://evil.example", "null", "http://localhost:1"])
            kind = "admin-origin"
        elif roll < 0.15:
            headers["Host"] = r.choice(["evil.example", "127.0.0.1.nip.io:8000", "[::1"])
            kind = "admin-host"
        body = b""
        if method in ("POST", "PUT", "PATCH", "DELETE") or r.random() < 0.1:
            keys = r.sample(ADMIN_KEYS, r.randint(0, 4))
            doc: Any = {k: self.admin_value(k) for k in keys}
            if r.random() < 0.2:
                name, make = r.choice(self.classes)
                doc = make()
                kind = "admin-" + name
            body = doc if isinstance(doc, bytes) else self.dump(doc)
            ctype = "application/json" if r.random() < 0.8 else r.choice(CONTENT_TYPES)
            if ctype is not None:
                headers["Content-Type"] = ctype
        query = [
            (k, str(self.scalar()))
            for k in r.sample(["limit", "errcode", "since", "path", "app"], r.randint(0, 2))
        ]
        return Request(method, self.target(path, query), headers, body, kind, None, admin=True)

    def admin_value(self, key: str) -> Any:
        r = self.rng
        if key == "url":
            return r.choice(["http://127.0.0.1:1/cb", "ftp://x", "", "http://[::1", 5])
        if key == "delay":
            return r.choice([0.001, 31, -1, 1e308, "1", [0, 40], None])
        if key == "path":
            return r.choice(["nope/never", "", 5, None])  # never a path real calls take
        return self.value()


def admin_routes(server: ServerThread) -> list[tuple[str, list[str]]]:
    out = []
    for rule in server.app.url_map.iter_rules():
        if rule.rule.startswith("/__admin"):
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            out.append((rule.rule, methods or ["GET"]))
    return sorted(out)


class Client:
    """One keep-alive connection, reopened after the server closed it."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def send(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        conn = self.conn
        try:
            conn.putrequest(req.method, req.target, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", req.headers.get("Host", f"127.0.0.1:{self.port}"))
            for k, v in req.headers.items():
                if k != "Host":
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(req.body)))
            conn.endheaders(req.body or None)
            resp = conn.getresponse()
            data = resp.read()
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.will_close:
                self.close()
            return resp.status, headers, data
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def check(req: Request, status: int, headers: dict[str, str], data: bytes, counts: Counts) -> bool:
    """Count what is wrong with one answer; True when the request was rejected."""
    if status >= 500:
        counts.status_5xx += 1
        counts.note(f"{status} {req.method} {req.target[:120]} ({req.kind})")
    if req.method == "HEAD":
        return status >= 400 or req.admin is False
    ctype = headers.get("content-type", "")
    ep = req.endpoint
    if not req.admin and ep is not None and ep.binary_response and "json" not in ctype:
        return False  # a download: binary on success only
    if status == 200 and urlsplit(req.target).path.rstrip("/") in ("", "/__admin/ui"):
        return False  # the dashboard page itself (at / and /__admin/ui): HTML by design
    try:
        body = strict_json(data)
    except (ValueError, UnicodeDecodeError):
        counts.non_json += 1
        counts.note(f"non-JSON {status} {req.method} {req.target[:120]}: {data[:80]!r}")
        return False
    if req.admin:
        return status in REJECTED_ADMIN
    code = body.get("errcode") if isinstance(body, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        counts.no_errcode += 1
        counts.note(f"no errcode {req.method} {req.target[:120]}: {data[:80]!r}")
        return False
    return code != 0


def restore(emu: Emulator) -> None:
    """Back to a known sandbox after an admin call that changed something."""
    emu.reset()
    emu.clear_faults()
    emu.set_rate_limits(enabled=False)


def run(
    total: int = 100_000,
    *,
    seed: int = 1,
    batch: int = 8,
    timeout: float = 30.0,
    progress: bool = False,
    watch: Collection[int] | None = None,
    admin_only: bool = False,
) -> Counts:
    """Send ``total`` requests to a fresh live server; returns the counts.

    Requests whose number (from 1) is in ``watch`` are checked one by one: each rejected one
    that changed the state is listed in ``counts.culprits`` with the places that changed
    (a snapshot per request: slow, so for a window around a reported batch only).
    ``admin_only`` sends every request to an admin route.
    """
    counter = TracebackCounter()
    root = logging.getLogger()
    root.addHandler(counter)
    emu = Emulator(mode="server")
    server = ServerThread(emu, port=0).start()
    counts = Counts()
    stack = contextlib.ExitStack()
    bar = stack.enter_context(progress_bar(total, "fuzzing", unit="req")) if progress else None
    try:
        restore(emu)
        gen = Generator(emu, admin_routes(server), seed, admin_every=1 if admin_only else 10)
        client = Client(server.port, timeout)
        started = time.monotonic()
        before = snapshot(emu)
        while counts.requests < total:
            all_rejected = True
            n_rejected = 0
            admin_changed = False
            for req in _take(gen, min(batch, total - counts.requests)):
                counts.requests += 1
                watched = watch is not None and counts.requests in watch
                if watched:
                    was = snapshot(emu)
                if bar is not None:
                    bar.update(1)
                counts.kinds[req.kind] += 1
                if req.admin:
                    counts.admin += 1
                else:
                    counts.cgi += 1
                try:
                    status, headers, data = client.send(req)
                except TimeoutError:
                    counts.hangs += 1
                    counts.note(f"hang {req.method} {req.target[:120]} ({req.kind})")
                    all_rejected = False
                    continue
                except (OSError, http.client.HTTPException) as exc:
                    counts.dropped += 1
                    counts.note(f"dropped {req.method} {req.target[:120]}: {exc!r}")
                    all_rejected = False
                    continue
                rejected = check(req, status, headers, data, counts)
                if watched and rejected and state_changed(emu, was):
                    counts.culprits.append(
                        f"#{counts.requests} {describe(req)} -> {status} {data[:120]!r}; "
                        + ", ".join(changed_paths(_fingerprint_of(was), data_fingerprint(emu)))
                    )
                if rejected:
                    n_rejected += 1
                else:
                    all_rejected = False
                    if req.admin and 200 <= status < 300 and req.method != "GET":
                        admin_changed = True
            if all_rejected:
                counts.checked_batches += 1
                counts.rejected += n_rejected
                if state_changed(emu, before):
                    counts.state_changes += 1
                    counts.note(f"state changed in an all-rejected batch ending {counts.requests}")
            if admin_changed or counts.requests % 2000 < batch:
                restore(emu)
                gen.tokens.clear()
            before = snapshot(emu)
        counts.tracebacks = counter.count
        for first in counter.first:
            counts.note("traceback: " + first)
        counts.seconds = time.monotonic() - started
        client.close()
    finally:
        stack.close()
        server.stop()
        root.removeHandler(counter)
    return counts


def _take(gen: Generator, n: int) -> Iterator[Request]:
    for _ in range(n):
        yield gen.next()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_server.testing.fuzz", description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000, help="how many (100,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a hang")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--watch",
        metavar="FROM:TO[,FROM:TO...]",
        help="check requests FROM..TO (numbered from 1) one by one and list each rejected "
        "request that changed the state (slower; stops after the last TO)",
    )
    parser.add_argument(
        "--admin-only", action="store_true", help="every request to an /__admin route"
    )
    args = parser.parse_args(argv)
    watch: set[int] | None = None
    total = args.requests
    if args.watch:
        watch = set()
        for window in args.watch.split(","):
            try:
                first, last = (int(x) for x in window.split(":"))
            except ValueError:
                parser.error("--watch takes FROM:TO windows, two request numbers each")
            if not 1 <= first <= last:
                parser.error("--watch FROM:TO needs 1 <= FROM <= TO")
            watch.update(range(first, last + 1))
        total = min(total, max(watch))
    enable_progress(args.quiet)  # a bar on a terminal only
    counts = run(
        total,
        seed=args.seed,
        timeout=args.timeout,
        progress=True,
        watch=watch,
        admin_only=args.admin_only,
    )
    print(counts.report(counts.seconds))
    return 1 if counts.failures() else 0


if __name__ == "__main__":
    raise SystemExit(main())
