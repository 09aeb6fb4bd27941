"""Tags: names, members (users and departments) against a reference model (stateful)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from contract_tests.sandbox import Sandbox
from contract_tests.target import Target
from contract_tests.test_state_contacts import STATE_SETTINGS

TAG_NAMES = ["a", "b", "c"]


class TagsMachine(RuleBasedStateMachine):
    target: Target

    def __init__(self) -> None:
        super().__init__()
        self.sandbox: Sandbox | None = None
        self.tags: dict[str, dict[str, Any]] = {}  # our name -> {"tagid", "users", "parties"}
        self.user_ids: list[str] = []

    @property
    def sb(self) -> Sandbox:
        assert self.sandbox is not None
        return self.sandbox

    def _name(self, key: str) -> str:
        return f"wmct{self.sb.tag}{key}"

    @initialize()
    def make_sandbox(self) -> None:
        self.sandbox = Sandbox(self.target)
        for i in range(2):
            uid = f"wmct{self.sb.tag}t{i}"
            self.sb.ok(
                "user/create",
                json={
                    "userid": uid,
                    "name": f"标签{i}",
                    "department": [self.sb.dept],
                    "mobile": f"1392{self.sb.tag[-4:]}{i:03d}",
                },
            )
            self.sb.users.add(uid)
            self.user_ids.append(uid)

    def _by_name(self, key: str) -> dict[str, Any] | None:
        return self.tags.get(key)

    @rule(key=st.sampled_from(TAG_NAMES))
    def create(self, key: str) -> None:
        body = self.target.call("tag/create", json={"tagname": self._name(key)})
        if key in self.tags:
            assert body["errcode"] == 40071, body
            return
        assert body["errcode"] == 0, body
        self.tags[key] = {"tagid": body["tagid"], "users": set(), "parties": set()}
        self.sb.tags.add(body["tagid"])

    @rule(key=st.sampled_from(TAG_NAMES), new=st.sampled_from(TAG_NAMES))
    def rename(self, key: str, new: str) -> None:
        tag = self.tags.get(key)
        if tag is None:
            return
        body = self.target.call(
            "tag/update", json={"tagid": tag["tagid"], "tagname": self._name(new)}
        )
        if new != key and new in self.tags:
            assert body["errcode"] == 40071, body
            return
        assert body["errcode"] == 0, body
        self.tags[new] = self.tags.pop(key)

    @rule(key=st.sampled_from(TAG_NAMES))
    def delete(self, key: str) -> None:
        tag = self.tags.get(key)
        if tag is None:
            return
        body = self.target.call("tag/delete", params={"tagid": tag["tagid"]})
        assert body["errcode"] == 0, body
        del self.tags[key]
        self.sb.tags.discard(tag["tagid"])
        gone = self.target.call("tag/get", params={"tagid": tag["tagid"]})
        assert gone["errcode"] == 40068, gone

    @rule(
        key=st.sampled_from(TAG_NAMES),
        users=st.sets(st.integers(0, 1)),
        party=st.booleans(),
        add=st.booleans(),
    )
    def members(self, key: str, users: set[int], party: bool, add: bool) -> None:
        tag = self.tags.get(key)
        if tag is None:
            return
        userlist = [self.user_ids[i] for i in sorted(users)]
        partylist = [self.sb.dept] if party else []
        name = "tag/addtagusers" if add else "tag/deltagusers"
        body = self.target.call(
            name, json={"tagid": tag["tagid"], "userlist": userlist, "partylist": partylist}
        )
        if not userlist and not partylist:
            assert body["errcode"] == (40070 if add else 40031), body
            return
        assert body["errcode"] == 0, body
        assert "invalidlist" not in body and "invalidparty" not in body, body
        if add:
            tag["users"] |= set(userlist)
            tag["parties"] |= set(partylist)
        else:
            tag["users"] -= set(userlist)
            tag["parties"] -= set(partylist)

    @invariant()
    def target_matches_model(self) -> None:
        if self.sandbox is None:
            return
        for key, tag in self.tags.items():
            got = self.sb.ok("tag/get", params={"tagid": tag["tagid"]})
            assert got["tagname"] == self._name(key)
            assert {u["userid"] for u in got["userlist"]} == tag["users"]
            assert set(got["partylist"]) == tag["parties"]
        listed = {t["tagid"]: t["tagname"] for t in self.sb.ok("tag/list")["taglist"]}
        for key, tag in self.tags.items():
            assert listed.get(tag["tagid"]) == self._name(key)

    def teardown(self) -> None:
        if self.sandbox is not None:
            self.sandbox.cleanup()


def test_tags_state_machine(writer: Target) -> None:
    TagsMachine.target = writer
    run_state_machine_as_test(TagsMachine, settings=STATE_SETTINGS)
