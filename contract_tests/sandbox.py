"""A sandbox department for write tests: created first, everything in it deleted last.

Against the real API this is the only place the suite writes (with ``--allow-writes``);
names carry a per-run tag so parallel or aborted runs never collide.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

from contract_tests.target import Target

_runs = itertools.count(1)


def run_tag() -> str:
    return f"{os.getpid() % 10000:04d}{next(_runs):03d}"


class Sandbox:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.tag = run_tag()
        body = target.call(
            "department/create", json={"name": f"wecom-mock-contract-{self.tag}", "parentid": 1}
        )
        assert body["errcode"] == 0, body
        self.dept: int = body["id"]
        self.users: set[str] = set()
        self.depts: list[int] = []  # children, deleted deepest-first
        self.tags: set[int] = set()

    def ok(self, name: str, **kw: Any) -> dict[str, Any]:
        body = self.target.call(name, **kw)
        assert body["errcode"] == 0, f"{name}: {body}"
        return body

    def cleanup(self) -> None:
        """Best effort: delete what the test made, members first, then departments."""
        t = self.target
        for tagid in sorted(self.tags):
            t.call("tag/delete", params={"tagid": tagid})
        if self.users:
            t.call("user/batchdelete", json={"useridlist": sorted(self.users)})
        for dept in reversed(self.depts):
            t.call("department/delete", params={"id": dept})
        t.call("department/delete", params={"id": self.dept})
