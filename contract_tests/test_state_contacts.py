"""Departments and members: the target against a small reference model (stateful)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from contract_tests.sandbox import Sandbox
from contract_tests.target import Target

NAMES = ["研发", "销售", "QA", "ops"]
STATE_SETTINGS = settings(
    max_examples=6,
    stateful_step_count=12,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


class ContactsMachine(RuleBasedStateMachine):
    target: Target

    depts = Bundle("depts")

    def __init__(self) -> None:
        super().__init__()
        self.sandbox: Sandbox | None = None
        self.model_depts: dict[int, tuple[int, str]] = {}  # id -> (parentid, name)
        self.model_users: dict[str, dict[str, Any]] = {}
        self.seq = 0

    @initialize(target=depts)
    def make_sandbox(self) -> int:
        self.sandbox = Sandbox(self.target)
        self.model_depts[self.sandbox.dept] = (1, "sandbox")
        return self.sandbox.dept

    @property
    def sb(self) -> Sandbox:
        assert self.sandbox is not None
        return self.sandbox

    def _uid(self, i: int) -> str:
        return f"wmct{self.sb.tag}u{i}"

    @rule(target=depts, parent=depts, name=st.sampled_from(NAMES))
    def create_department(self, parent: int, name: str) -> int:
        if parent not in self.model_depts:
            return parent
        body = self.target.call("department/create", json={"name": name, "parentid": parent})
        clash = any(p == parent and n == name for p, n in self.model_depts.values())
        if clash:
            assert body["errcode"] == 60008, body
            return parent
        assert body["errcode"] == 0, body
        self.model_depts[body["id"]] = (parent, name)
        self.sb.depts.append(body["id"])
        return int(body["id"])

    @rule(dept=depts)
    def delete_department(self, dept: int) -> None:
        if dept == self.sb.dept:
            return  # the sandbox itself goes at teardown
        body = self.target.call("department/delete", params={"id": dept})
        if dept not in self.model_depts:
            assert body["errcode"] == 60003, body
        elif any(p == dept for p, _ in self.model_depts.values()):
            assert body["errcode"] == 60006, body
        elif any(dept in u["department"] for u in self.model_users.values()):
            assert body["errcode"] == 60005, body
        else:
            assert body["errcode"] == 0, body
            del self.model_depts[dept]
            self.sb.depts.remove(dept)

    @rule(i=st.integers(0, 5), dept=depts, name=st.sampled_from(["张三", "Li Si", "王五"]))
    def create_user(self, i: int, dept: int, name: str) -> None:
        uid = self._uid(i)
        body = self.target.call(
            "user/create",
            json={
                "userid": uid,
                "name": name,
                "department": [dept],
                "mobile": f"+86 1390{self.sb.tag[-4:]}{i:03d}",
            },
        )
        if uid in self.model_users:
            assert body["errcode"] in (60102, 60104), body
        elif dept not in self.model_depts:
            assert body["errcode"] != 0, body
        else:
            assert body["errcode"] == 0, body
            self.model_users[uid] = {"name": name, "department": [dept]}
            self.sb.users.add(uid)

    @rule(i=st.integers(0, 5), name=st.sampled_from(["改名", "Renamed"]))
    def rename_user(self, i: int, name: str) -> None:
        uid = self._uid(i)
        body = self.target.call("user/update", json={"userid": uid, "name": name})
        if uid not in self.model_users:
            assert body["errcode"] == 60111, body
        else:
            assert body["errcode"] == 0, body
            self.model_users[uid]["name"] = name

    @rule(i=st.integers(0, 5))
    def delete_user(self, i: int) -> None:
        uid = self._uid(i)
        body = self.target.call("user/delete", params={"userid": uid})
        if uid not in self.model_users:
            assert body["errcode"] == 60111, body
        else:
            assert body["errcode"] == 0, body
            del self.model_users[uid]
            self.sb.users.discard(uid)

    @invariant()
    def target_matches_model(self) -> None:
        if self.sandbox is None:
            return
        depts = self.sb.ok("department/simplelist", params={"id": self.sb.dept})
        got = {d["id"]: d["parentid"] for d in depts["department_id"]}
        assert got == {k: p for k, (p, _) in self.model_depts.items()}
        users = self.sb.ok(
            "user/simplelist", params={"department_id": self.sb.dept, "fetch_child": 1}
        )
        seen = {u["userid"]: (u["name"], u["department"]) for u in users["userlist"]}
        want = {k: (u["name"], u["department"]) for k, u in self.model_users.items()}
        assert seen == want

    def teardown(self) -> None:
        if self.sandbox is not None:
            self.sandbox.cleanup()


def test_contacts_state_machine(writer: Target) -> None:
    ContactsMachine.target = writer
    run_state_machine_as_test(ContactsMachine, settings=STATE_SETTINGS)


@pytest.mark.parametrize("dept_id", [1])
def test_sandbox_is_cleaned_up(writer: Target, dept_id: int) -> None:
    before = writer.call("department/simplelist", params={"id": dept_id})["department_id"]
    sb = Sandbox(writer)
    sb.ok(
        "user/create",
        json={
            "userid": f"wmct{sb.tag}x",
            "name": "x",
            "department": [sb.dept],
            "mobile": f"1391{sb.tag[-4:]}999",
        },
    )
    sb.users.add(f"wmct{sb.tag}x")
    sb.cleanup()
    after = writer.call("department/simplelist", params={"id": dept_id})["department_id"]
    assert after == before
