"""Hypothesis over EVERY registered endpoint: bad input always gets the real envelope.

The endpoint list comes from the registry, so endpoints other families add are covered
without touching this file. Properties:

* the answer is ``{"errcode": int, "errmsg": str}`` (a binary body only on success of a
  binary endpoint), never a crash (errcode -1 with a noted exception), never a 500/HTML;
* a rejected request (errcode != 0) leaves stored state exactly as it was;
* over the live server (a sample): HTTP 200 and a JSON envelope for every method.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import Emulator, registry
from mock_server.core.pipeline import ApiRequest
from mock_server.core.registry import AUTH_TOKEN, SCOPES
from mock_server.emulator import default_registry
from mock_server.web.server import ServerThread

ENDPOINTS = default_registry().endpoints()
ERRMSG = re.compile(r", hint: \[\d+\], from ip: [^,]+, more info at https://\S+\?e=-?\d+$")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

# Field names the families read, so bodies reach past the first "missing field" check.
FIELDS = [
    "userid",
    "name",
    "department",
    "mobile",
    "email",
    "id",
    "parentid",
    "order",
    "tagid",
    "tagname",
    "userlist",
    "partylist",
    "useridlist",
    "cursor",
    "limit",
    "agentid",
    "touser",
    "toparty",
    "totag",
    "msgtype",
    "text",
    "content",
    "external_userid",
    "chatid",
    "media_id",
    "type",
    "template_id",
    "sp_no",
    "openid",
    "main_department",
    "is_leader_in_dept",
    "new_userid",
    "direct_leader",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["lisi", "1", "2", "0", "-1", "", "zhangwei", "中文", "@all", "ghost|lisi"])
    # msgtypes, so message bodies get past the first check and reach their content rules
    | st.sampled_from(["text", "image", "news", "mpnews", "textcard", "markdown", "template_card"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
field_bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)
raw_bodies = st.one_of(
    st.just(b""),
    field_bodies.map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),  # valid JSON of odd types
    st.binary(max_size=64),  # mostly invalid JSON / invalid UTF-8
    st.text(max_size=30).map(lambda s: s.encode("utf-8")),
    st.integers(min_value=1000, max_value=200_000).map(lambda n: b'{"name":"' + b"x" * n + b'"}'),
    st.just(b'{"userid": "lisi", '),  # truncated
)
query_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["1", "0", "-1", "99999999999999999999", "lisi", "ghost", "", "1.5"]),
    st.integers(min_value=1000, max_value=50_000).map(lambda n: "y" * n),
)
queries = st.dictionaries(
    st.sampled_from(
        ["userid", "id", "department_id", "fetch_child", "tagid", "media_id", "type", "key", "x"]
    ),
    query_values,
    max_size=4,
)
token_kinds = st.sampled_from(["allowed", "allowed", "allowed", "other", "none", "garbage"])


class Tokens:
    """One token per scope/agent of the demo corp, fetched lazily (state resets keep them)."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._cache: dict[tuple[str, int | None], str] = {}

    def get(self, scope: str, agentid: int | None = None) -> str:
        key = (scope, agentid)
        if key not in self._cache:
            self._cache[key] = self.emu.token(scope, agentid)
        return self._cache[key]

    def for_endpoint(self, ep: registry.Endpoint, kind: str, pick: int) -> str | None:
        if kind == "none":
            return None
        if kind == "garbage":
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
        pool = allowed if kind == "allowed" and allowed else options
        scope, agentid = pool[pick % len(pool)]
        return self.get(scope, agentid)


def check_envelope(ep: registry.Endpoint, body: Any, notes: dict[str, Any] | None) -> int | None:
    if isinstance(body, bytes | bytearray):
        assert ep.binary_response, f"{ep.path} answered raw bytes"
        return None
    assert isinstance(body, dict), body
    assert isinstance(body.get("errcode"), int) and not isinstance(body["errcode"], bool), body
    assert isinstance(body.get("errmsg"), str), body
    assert not (notes and "exception" in notes), f"{ep.path} crashed: {notes}"
    if body["errcode"] != 0:
        assert ERRMSG.search(body["errmsg"]), body["errmsg"]
    return int(body["errcode"])


@pytest.fixture(scope="module")
def fuzz_emu() -> Iterator[Emulator]:
    emu = Emulator()
    yield emu
    emu.close()


@pytest.mark.parametrize("ep", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(("GET", "POST", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")),
    query=queries,
    body=raw_bodies,
    token_kind=token_kinds,
    pick=st.integers(min_value=0, max_value=10),
)
def test_endpoint_never_breaks_and_rejects_cleanly(
    fuzz_emu: Emulator,
    ep: registry.Endpoint,
    method: str,
    query: dict[str, str],
    body: bytes,
    token_kind: str,
    pick: int,
) -> None:
    emu = fuzz_emu
    tokens = Tokens(emu)
    if ep.auth == AUTH_TOKEN:
        token = tokens.for_endpoint(ep, token_kind, pick)
        if token is not None:
            query = {**query, "access_token": token}
    before = emu.state_fingerprint()
    req = ApiRequest(method, ep.path, query, body, {}, "127.0.0.1")
    resp = emu.handle(req)
    assert resp.status == 200
    last = emu.journal.entries(limit=1)[0]
    errcode = check_envelope(ep, resp.body, last.get("notes"))
    if errcode:
        assert emu.state_fingerprint() == before, f"{ep.path} changed state and answered {errcode}"
    if len(emu.corp().store("contacts").users) > 60:
        emu.reset()  # keep the fingerprint cheap when fuzzing succeeds in creating members


def test_unknown_paths_answer_48001(fuzz_emu: Emulator) -> None:
    for path in ("/cgi-bin/", "/cgi-bin/nope", "/cgi-bin/user/get/extra", "/other"):
        resp = fuzz_emu.handle(ApiRequest("POST", path, {}, b"{]", {}, "127.0.0.1"))
        assert resp.body["errcode"] == 48001


@pytest.fixture(scope="module")
def live() -> Iterator[ServerThread]:
    server = ServerThread(Emulator(mode="server"), port=0).start()
    yield server
    server.stop()


SAMPLE = ENDPOINTS[:: max(1, len(ENDPOINTS) // 12)]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ep=st.sampled_from(SAMPLE),
    method=st.sampled_from(METHODS),
    query=queries,
    body=raw_bodies,
    with_token=st.booleans(),
)
def test_live_server_always_http_200_json(
    live: ServerThread,
    ep: registry.Endpoint,
    method: str,
    query: dict[str, str],
    body: bytes,
    with_token: bool,
) -> None:
    emu = live.emulator
    if with_token and ep.auth == AUTH_TOKEN:
        query = {**query, "access_token": Tokens(emu).for_endpoint(ep, "allowed", 0) or ""}
    resp = requests.request(method, live.url + ep.path, params=query, data=body, timeout=10)
    assert resp.status_code == 200, resp.text[:200]
    if ep.binary_response and "json" not in resp.headers.get("Content-Type", ""):
        return
    assert resp.headers["Content-Type"].startswith("application/json")
    data = resp.json()
    assert isinstance(data["errcode"], int) and isinstance(data["errmsg"], str)
    assert "<html" not in resp.text.lower()
