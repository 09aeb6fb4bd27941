"""Cassettes: what the validation proxy recorded, secrets and tokens redacted.

A cassette is JSON lines: a header ``{"wecom_mock_cassette": 1, ...}`` then one interaction
per line ``{"request": {method, path, query, body}, "response": {status, headers, body}}``.
``wecom-mock serve --replay`` answers recorded requests from it (in recorded order, the last
answer repeating; ``access_token`` ignored when matching) and emulates everything else;
``wecom-mock fixture from-cassette`` turns the contacts it saw into a corp fixture.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.core.pipeline import ApiResponse, Context, Host

VERSION = 1
SECRET_QUERY = ("corpsecret", "key")  # robot webhook key too
SECRET_BODY = ("secret", "corpsecret", "encodingaeskey", "encoding_aes_key")
REDACTED = "REDACTED"
KEEP_HEADERS = ("Error-Code", "Error-Msg", "Content-Type")


class CassetteWriter:
    """Appends interactions; the same real token always becomes the same placeholder."""

    def __init__(self, path: str | Path, upstream: str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._tokens: dict[str, str] = {}
        self.count = 0
        self.path.write_text(
            json.dumps({"wecom_mock_cassette": VERSION, "upstream": upstream}) + "\n",
            encoding="utf-8",
        )

    def _alias(self, token: str) -> str:
        if token not in self._tokens:
            self._tokens[token] = f"REDACTED-TOKEN-{len(self._tokens) + 1}"
        return self._tokens[token]

    def redact_query(self, query: dict[str, str]) -> dict[str, str]:
        out = dict(query)
        if "access_token" in out:
            out["access_token"] = self._alias(out["access_token"])
        for k in SECRET_QUERY:
            if k in out:
                out[k] = REDACTED
        return out

    def redact_body(self, body: Any) -> Any:
        if isinstance(body, dict):
            out = {}
            for k, v in body.items():
                if k == "access_token" and isinstance(v, str):
                    out[k] = self._alias(v)
                elif k.lower() in SECRET_BODY:
                    out[k] = REDACTED
                else:
                    out[k] = self.redact_body(v)
            return out
        if isinstance(body, list):
            return [self.redact_body(v) for v in body]
        return body

    def write(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
        status: int,
        headers: dict[str, str],
        resp_body: Any,
    ) -> None:
        with self._lock:
            line = {
                "request": {
                    "method": method,
                    "path": path,
                    "query": self.redact_query(query),
                    "body": self.redact_body(body),
                },
                "response": {
                    "status": status,
                    "headers": {k: v for k, v in headers.items() if k in KEEP_HEADERS},
                    "body": self.redact_body(resp_body),
                },
            }
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.count += 1


def load(path: str | Path) -> list[dict[str, Any]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or json.loads(lines[0]).get("wecom_mock_cassette") != VERSION:
        raise ValueError(f"{path}: not a wecom-mock cassette (version {VERSION})")
    return [json.loads(line) for line in lines[1:] if line.strip()]


def _key(method: str, path: str, query: dict[str, str], body: Any) -> str:
    # Compare as recorded: tokens ignored, secrets redacted.
    q = {k: (REDACTED if k in SECRET_QUERY else v) for k, v in query.items() if k != "access_token"}
    return json.dumps([method.upper(), path, q, body], sort_keys=True, ensure_ascii=False)


class Replayer:
    """An ``on_request`` hook answering recorded requests before the emulation runs."""

    def __init__(self, interactions: Sequence[dict[str, Any]]) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, deque[dict[str, Any]]] = {}
        for it in interactions:
            req = it["request"]
            key = _key(req["method"], req["path"], req.get("query") or {}, req.get("body"))
            self._answers.setdefault(key, deque()).append(it["response"])
        self.hits = 0

    def __call__(self, ctx: Context) -> ApiResponse | None:
        from mock_server.core.pipeline import ApiResponse

        req = ctx.request
        body: Any = None
        if req.body:
            try:
                body = json.loads(req.body)
            except (ValueError, UnicodeDecodeError):
                body = req.body.decode("utf-8", "replace")
        key = _key(req.method, req.path, req.query, body)
        with self._lock:
            queue = self._answers.get(key)
            if not queue:
                return None
            answer = queue.popleft() if len(queue) > 1 else queue[0]
            self.hits += 1
        ctx.notes["replayed"] = True
        headers = {k: v for k, v in (answer.get("headers") or {}).items() if k != "Content-Type"}
        return ApiResponse(answer["body"], status=answer.get("status", 200), headers=headers)


def replay(engine: Host, path: str | Path) -> Replayer:
    """Make ``engine`` answer the cassette's requests first (``serve --replay``)."""
    replayer = Replayer(load(path))
    engine.hooks.on_request.insert(0, replayer)
    engine.settings["replay"] = {"cassette": str(path)}
    return replayer


def fixture_from_cassette(path: str | Path) -> dict[str, Any]:
    """A corp fixture from the contacts a cassette saw (departments, members, tags).

    Secrets are placeholders (the cassette has none); other families' data is not derived.
    """
    corpid = "wwcassette00000001"
    departments: dict[int, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    tags: dict[int, dict[str, Any]] = {}
    root_name = "录制企业"
    for it in load(path):
        req, resp = it["request"], it["response"]
        body = resp.get("body")
        if not isinstance(body, dict) or body.get("errcode", 0) != 0:
            continue
        name = req["path"].removeprefix("/cgi-bin/")
        query = req.get("query") or {}
        if name == "gettoken" and query.get("corpid"):
            corpid = query["corpid"]
        depts = body.get("department")
        if name == "department/get" and isinstance(depts, dict):
            depts = [depts]
        if name in ("department/list", "department/get") and isinstance(depts, list):
            for d in depts:
                if d.get("id") == 1:
                    root_name = d.get("name") or root_name
                    continue
                row = {k: d[k] for k in ("id", "name", "name_en", "parentid", "order") if k in d}
                departments[d["id"]] = row
        if name == "user/get" and "userid" in body:
            users[body["userid"].lower()] = _user_row(body)
        if name in ("user/list", "user/simplelist"):
            for u in body.get("userlist", []):
                key = u["userid"].lower()
                users[key] = {**users.get(key, {}), **_user_row(u)}
        if name == "tag/list":
            for t in body.get("taglist", []):
                tags.setdefault(t["tagid"], {"tagid": t["tagid"], "tagname": t["tagname"]})
        if name == "tag/get" and query.get("tagid", "").isdecimal():
            tagid = int(query["tagid"])
            tag = tags.setdefault(tagid, {"tagid": tagid, "tagname": body.get("tagname", "")})
            tag["users"] = [u["userid"] for u in body.get("userlist", [])]
            tag["parties"] = list(body.get("partylist", []))
    _drop_dangling(departments, users, tags)
    return {
        "corpid": corpid,
        "name": root_name,
        "secrets": {
            "contacts": "FAKE-contacts-secret-from-cassette",
            "external": "FAKE-external-secret-from-cassette",
            "approval": "FAKE-approval-secret-from-cassette",
        },
        "contacts": {
            "root_name": root_name,
            "departments": sorted(departments.values(), key=lambda d: d["id"]),
            "users": sorted(users.values(), key=lambda u: u["userid"]),
            "tags": sorted(tags.values(), key=lambda t: t["tagid"]),
        },
    }


USER_FIELDS = (
    "userid",
    "name",
    "department",
    "order",
    "is_leader_in_dept",
    "mobile",
    "email",
    "biz_mail",
    "position",
    "gender",
    "alias",
    "telephone",
    "address",
    "direct_leader",
    "main_department",
    "enable",
    "status",
    "external_position",
)


def _user_row(u: dict[str, Any]) -> dict[str, Any]:
    row = {k: u[k] for k in USER_FIELDS if k in u and u[k] not in (None, "")}
    if not row.get("mobile") and not row.get("email"):
        row["email"] = f"{u['userid'].lower()}@cassette.example.com"
    return row


def _drop_dangling(
    departments: dict[int, dict[str, Any]],
    users: dict[str, dict[str, Any]],
    tags: dict[int, dict[str, Any]],
) -> None:
    """References to members or departments the cassette never showed are dropped."""
    known = set(departments) | {1}
    for d in departments.values():
        if d.get("parentid") not in known:
            d["parentid"] = 1
    for u in users.values():
        depts = u.get("department")
        if isinstance(depts, list):
            keep = [i for i, d in enumerate(depts) if d in known]
            u["department"] = [depts[i] for i in keep] or [1]
            for k in ("order", "is_leader_in_dept"):
                if isinstance(u.get(k), list) and len(u[k]) == len(depts):
                    u[k] = [u[k][i] for i in keep] or [0]
                else:
                    u.pop(k, None)
            if u.get("main_department") not in u["department"]:
                u.pop("main_department", None)
        if "direct_leader" in u:
            u["direct_leader"] = [x for x in u["direct_leader"] if x.lower() in users]
    for tag in tags.values():
        if "users" in tag:
            tag["users"] = [x for x in tag["users"] if x.lower() in users]
        if "parties" in tag:
            tag["parties"] = [p for p in tag["parties"] if p in known]
