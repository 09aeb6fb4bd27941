"""Approvals: ``oa/applyevent``, the emulator's sandbox approve/reject, then
``oa/getapprovaldetail`` against a reference model of the approval flow (stateful).

Emulators only: the real API has no call that approves, rejects or withdraws an
application, so the suite could neither drive the flow there nor clean up after itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from contract_tests.target import Target
from contract_tests.test_state_contacts import STATE_SETTINGS

# Hypothesis switches rules off per run (swarm testing): more, longer runs so each rule
# runs often enough; cheap, the calls are small.
SETTINGS = settings(STATE_SETTINGS, max_examples=12, stateful_step_count=20)

GENERAL = "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa"  # 通用审批 in fixtures/demo.yaml
PENDING, APPROVED, REJECTED = 1, 2, 3
OR_SIGN, COUNTERSIGN = 1, 2  # legacy approver.attr
TEXT = {"control": "Text", "id": "Text-1580000000001", "value": {"text": "外出"}}


class ApprovalsMachine(RuleBasedStateMachine):
    target: Target

    apps = Bundle("apps")

    def __init__(self) -> None:
        super().__init__()
        self.users: list[str] = []
        # sp_no -> {"status", "levels": [{"attr", "users", "agreed", "rejected"}]}
        self.model: dict[str, dict[str, Any]] = {}
        self.touched: set[str] = set()  # compared with the target at the next invariant

    @initialize()
    def find_users(self) -> None:
        # Each run from the fixture state: approval reads have a real rate limit (600 a
        # minute per corp), which a run's window must not carry over to the next.
        self.target.reset()
        listed = self.target.call("user/simplelist", params={"department_id": 1, "fetch_child": 1})
        assert listed["errcode"] == 0, listed
        self.users = [u["userid"] for u in listed["userlist"][:4]]
        assert len(self.users) >= 3, listed

    @rule(
        target=apps,
        creator=st.integers(0, 3),
        levels=st.lists(
            st.tuples(
                st.sampled_from([OR_SIGN, COUNTERSIGN]), st.sets(st.integers(0, 3), min_size=1)
            ),
            min_size=1,
            max_size=2,
        ),
    )
    def apply(self, creator: int, levels: list[tuple[int, set[int]]]) -> str:
        pool = self.users
        approver = [
            {"attr": attr, "userid": [pool[i % len(pool)] for i in sorted(who)]}
            for attr, who in levels
        ]
        body = {
            "creator_userid": pool[creator % len(pool)],
            "template_id": GENERAL,
            "use_template_approver": 0,
            "approver": approver,
            "apply_data": {"contents": [TEXT]},
            "summary_list": [{"summary_info": [{"text": "外出", "lang": "zh_CN"}]}],
        }
        got = self.target.call("oa/applyevent", json=body)
        assert got["errcode"] == 0, (body, got)
        sp_no = got["sp_no"]
        assert sp_no not in self.model
        self.touched.add(sp_no)
        self.model[sp_no] = {
            "status": PENDING,
            "levels": [
                {"attr": n["attr"], "users": n["userid"], "agreed": set(), "rejected": set()}
                for n in approver
            ],
        }
        return sp_no

    @rule(why=st.sampled_from(["template", "approver"]))
    def apply_invalid(self, why: str) -> None:
        """An unknown template or an unknown approver: 301025, and no application."""
        body: dict[str, Any] = {
            "creator_userid": self.users[0],
            "template_id": GENERAL if why == "approver" else "no-such-template",
            "use_template_approver": 0,
            "approver": [{"attr": OR_SIGN, "userid": ["wmct-no-such-user"]}],
            "apply_data": {"contents": [TEXT]},
        }
        got = self.target.call("oa/applyevent", json=body)
        assert got["errcode"] == 301025, got

    @rule(
        sp_no=apps,
        who=st.integers(0, 3),
        approve=st.sampled_from([True, True, False]),
        a_pending_approver=st.booleans(),
    )
    def decide(self, sp_no: str, who: int, approve: bool, a_pending_approver: bool) -> None:
        """Someone approves or rejects: taken only from a pending approver of the current
        level of a pending application."""
        app = self.model[sp_no]
        self.touched.add(sp_no)
        level = next(
            (lv for lv in app["levels"] if not lv["rejected"] and not _done(lv)),
            None,
        )
        userid = self.users[who % len(self.users)]
        if a_pending_approver and level is not None:
            pending = [u for u in level["users"] if u not in level["agreed"]]
            userid = pending[who % len(pending)]
        expected = (
            app["status"] == PENDING
            and level is not None
            and userid in level["users"]
            and userid not in level["agreed"]
        )
        took = self.target.sandbox_approval(sp_no, "approve" if approve else "reject", userid)
        assert took == expected, (sp_no, userid, approve, app)
        if not took:
            return
        assert level is not None
        if not approve:
            level["rejected"].add(userid)
            app["status"] = REJECTED
            return
        level["agreed"].add(userid)
        if all(_done(lv) for lv in app["levels"]):
            app["status"] = APPROVED

    @invariant()
    def target_matches_model(self) -> None:
        for sp_no in sorted(self.touched):
            app = self.model[sp_no]
            got = self.target.call("oa/getapprovaldetail", json={"sp_no": sp_no})
            assert got["errcode"] == 0, got
            info = got["info"]
            assert info["sp_no"] == sp_no
            assert info["sp_status"] == app["status"], (info, app)
            records = info["sp_record"]
            assert len(records) == len(app["levels"]), (info, app)
            for record, level in zip(records, app["levels"], strict=True):
                assert record["approverattr"] == level["attr"], (record, level)
                by_status: dict[int, set[str]] = {}
                for d in record["details"]:
                    by_status.setdefault(d["sp_status"], set()).add(d["approver"]["userid"])
                assert by_status.get(APPROVED, set()) == level["agreed"], (record, level)
                assert by_status.get(REJECTED, set()) == level["rejected"], (record, level)
                want = REJECTED if level["rejected"] else APPROVED if _done(level) else PENDING
                assert record["sp_status"] == want, (record, level)
        self.touched.clear()


def _done(level: dict[str, Any]) -> bool:
    if level["attr"] == OR_SIGN:
        return bool(level["agreed"])
    return level["agreed"] == set(level["users"])


def test_approvals_state_machine(writer: Target) -> None:
    if not writer.is_emulator:
        pytest.skip(
            "approvals: the real API has no call to approve, reject or withdraw an "
            "application, so this flow runs against emulators only"
        )
    ApprovalsMachine.target = writer
    run_state_machine_as_test(ApprovalsMachine, settings=SETTINGS)
