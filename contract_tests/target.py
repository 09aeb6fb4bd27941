"""What the contract suite talks to: the emulator in-process, a live URL, or the real API.

Every target offers the same small interface (``call``, ``token``, ``reset``) so a test
never knows which one it runs against; each response is counted for errcode coverage.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import requests

from mock_server.contracts import validation
from mock_server.core import registry
from mock_server.emulator import default_registry

REAL_API = "https://qyapi.weixin.qq.com"
SCOPE_PREFERENCE = ("contacts", "app", "external", "approval")
ENV_SECRETS = {
    "contacts": "WECOM_CONTACT_SECRET",
    "app": "WECOM_APP_SECRET",
    "external": "WECOM_EXTERNAL_SECRET",
    "approval": "WECOM_APPROVAL_SECRET",
}


class NoCredentials(Exception):
    """The target lacks the secret an endpoint needs (the test is skipped)."""


@dataclass
class Target:
    kind: str  # inprocess | live | url | real
    writes_allowed: bool = True
    corpid: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    agentid: int | None = None
    robot_key: str | None = None  # a group robot's webhook key (``webhook/*``)
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def is_emulator(self) -> bool:
        return self.kind in ("inprocess", "live", "url")

    # -- transport (overridden) -------------------------------------------------------
    def send(self, method: str, name: str, params: dict[str, Any], body: Any) -> dict[str, Any]:
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the fixture state (emulators only; the real API is never reset)."""
        self._tokens.clear()

    # -- the interface the tests use -------------------------------------------------------
    def scope_for(self, ep: registry.Endpoint) -> str:
        """The secret to call ``ep`` with (a key of ``secrets``).

        An endpoint open to apps with a permission (check-in, meeting rooms, journal, ...)
        gets the secret of an app that has it (``app:<permission>``); against the real API,
        where the permissions are not known, the configured app secret. An endpoint no
        self-built secret may call (``scopes=()`` and no permission) is called with any
        secret: its refusal is the contract.
        """
        if ep.app_permission is not None:
            key = f"{registry.APP}:{ep.app_permission}"
            if key in self.secrets:
                return key
        for scope in SCOPE_PREFERENCE:
            if ep.allows_scope(scope) and scope in self.secrets:
                return scope
        if ep.app_permission is not None and self.kind == "real" and registry.APP in self.secrets:
            return registry.APP
        if not ep.scopes and ep.app_permission is None and self.secrets:
            return next(s for s in SCOPE_PREFERENCE if s in self.secrets)
        wanted = sorted(ep.scopes) + ([f"app:{ep.app_permission}"] if ep.app_permission else [])
        raise NoCredentials(f"no secret for any of {wanted} ({ep.name})")

    def token(self, scope: str) -> str:
        if scope not in self._tokens:
            if scope not in self.secrets:
                env = ENV_SECRETS.get(scope.split(":")[0], "an app with that permission")
                raise NoCredentials(f"no {scope} secret ({env})")
            body = self.send(
                "GET", "gettoken", {"corpid": self.corpid, "corpsecret": self.secrets[scope]}, None
            )
            if body.get("errcode"):
                raise AssertionError(f"gettoken for {scope} failed: {body}")
            self._tokens[scope] = body["access_token"]
        return self._tokens[scope]

    def call(
        self,
        name: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        scope: str | None = None,
    ) -> dict[str, Any]:
        """Call an endpoint with a token of a secret it accepts; returns the JSON body."""
        ep = default_registry().resolve("/cgi-bin/" + name)
        assert ep is not None, name
        query = {k: str(v) for k, v in (params or {}).items()}
        if ep.auth == registry.AUTH_TOKEN:
            query["access_token"] = self.token(scope or self.scope_for(ep))
        elif ep.auth == registry.AUTH_WEBHOOK and "key" not in query:
            if not self.robot_key:
                raise NoCredentials(f"no group robot key (WECOM_ROBOT_KEY) for {ep.name}")
            query["key"] = self.robot_key
        body = self.send(ep.method, name, query, json if ep.method == "POST" else None)
        code = body.get("errcode")
        if isinstance(code, int) and validation.RECORD_ERRCODES:
            validation.OBSERVED.count_errcode(ep.path, code)
        return body

    def sandbox_approval(self, sp_no: str, action: str, userid: str) -> bool:
        """Emulators only: ``userid`` approves or rejects (the admin sandbox; the real API
        has no such call). True when the emulator took the action."""
        raise NoCredentials("approving or rejecting needs the emulator's sandbox")


class InProcessTarget(Target):
    def __init__(self) -> None:
        from mock_server import Emulator

        self.emulator = Emulator(mode="inprocess")
        corp = self.emulator.corp()
        super().__init__(
            kind="inprocess",
            corpid=corp.corpid,
            secrets=_emulator_secrets(corp),
            robot_key=emulator_robot_key(self.emulator),
        )

    def send(self, method: str, name: str, params: dict[str, Any], body: Any) -> dict[str, Any]:
        return self.emulator.call(method, name, params=params, json=body)

    def reset(self) -> None:
        super().reset()
        self.emulator.reset()

    def sandbox_approval(self, sp_no: str, action: str, userid: str) -> bool:
        from mock_server.services.oa.approvals import ApprovalActionError

        act = self.emulator.approve if action == "approve" else self.emulator.reject
        try:
            act(sp_no, userid)
        except (ApprovalActionError, KeyError):
            return False
        return True


class HttpTarget(Target):
    def __init__(self, base: str, kind: str, **kw: Any) -> None:
        super().__init__(kind=kind, **kw)
        self.base = base.rstrip("/")
        self.session = requests.Session()

    def send(self, method: str, name: str, params: dict[str, Any], body: Any) -> dict[str, Any]:
        url = f"{self.base}/cgi-bin/{name}"
        r = self.session.request(method, url, params=params, json=body, timeout=30)
        assert r.status_code == 200, f"HTTP {r.status_code} from {name}"
        return r.json()  # type: ignore[no-any-return]

    def reset(self) -> None:
        super().reset()
        if self.kind in ("live", "url"):
            self.session.post(f"{self.base}/__admin/reset", timeout=30)

    def sandbox_approval(self, sp_no: str, action: str, userid: str) -> bool:
        if self.kind == "real":
            return super().sandbox_approval(sp_no, action, userid)
        url = f"{self.base}/__admin/oa/approvals/{sp_no}/{action}"
        r = self.session.post(url, json={"userid": userid}, timeout=30)
        assert r.status_code in (200, 400, 404, 409), f"HTTP {r.status_code} from {url}: {r.text}"
        return r.status_code == 200

    def close(self) -> None:
        self.session.close()


def _emulator_secrets(corp: Any) -> dict[str, str]:
    agents = [
        {"secret": a.secret, "permissions": list(a.permissions)} for a in corp.agents.values()
    ]
    return _with_app_secrets(dict(corp.secrets), agents)


def _with_app_secrets(secrets: dict[str, str], agents: list[dict[str, Any]]) -> dict[str, str]:
    """``secrets`` plus ``app`` (the first agent's) and ``app:<permission>`` (the first agent
    granted that permission in the fixture)."""
    if agents:
        secrets["app"] = agents[0]["secret"]
    for agent in agents:
        for permission in agent.get("permissions", ()):
            secrets.setdefault(f"app:{permission}", agent["secret"])
    return secrets


def emulator_robot_key(emulator: Any) -> str | None:
    """The first group robot of the emulator's fixture (demo.yaml ``robots``)."""
    robots = emulator.robots() if hasattr(emulator, "robots") else []
    return robots[0]["key"] if robots else None


def url_target(url: str) -> HttpTarget:
    """A running emulator (or anything speaking the API) at ``url``.

    Credentials: the env variables if set, else the emulator's ``/__admin/corps``.
    """
    env = env_credentials()
    if env is not None:
        return HttpTarget(url, "url", **env)
    r = requests.get(url.rstrip("/") + "/__admin/corps", timeout=10)
    r.raise_for_status()
    corp = r.json()["corps"][0]
    secrets = _with_app_secrets(dict(corp["secrets"]), corp["agents"])
    robot_key = os.environ.get("WECOM_ROBOT_KEY") or None
    return HttpTarget(url, "url", corpid=corp["corpid"], secrets=secrets, robot_key=robot_key)


def env_credentials() -> dict[str, Any] | None:
    corpid = os.environ.get("WECOM_CORP_ID")
    secrets = {s: os.environ[v] for s, v in ENV_SECRETS.items() if os.environ.get(v)}
    if not corpid or not secrets:
        return None
    agent = os.environ.get("WECOM_AGENT_ID")
    return {
        "corpid": corpid,
        "secrets": secrets,
        "agentid": int(agent) if agent else None,
        "robot_key": os.environ.get("WECOM_ROBOT_KEY") or None,
    }
