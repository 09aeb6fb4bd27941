"""Customer remarks: ``externalcontact/remark`` then ``externalcontact/get`` against a
reference model (stateful).

Customers cannot be created through the API, so the machine works on two existing
(member, customer) pairs it finds with ``get_follow_user_list`` and ``list``; it remembers
their remarks first and writes them back in ``teardown`` (against the real API only with
``--allow-writes``).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
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

FIELDS = ("remark", "description", "remark_company", "remark_mobiles")
REMARKS = ["", "张总", "采购部李经理", "x" * 20]
DESCRIPTIONS = ["", "对接采购事务", "d" * 150]
COMPANIES = ["", "腾讯科技"]
MOBILES: list[list[str]] = [[], [""], ["13800000001"], ["13800000001", "13000000002"]]
LIMITS = {"remark": 20, "description": 150, "remark_company": 20}
UNKNOWN_CUSTOMER = "wmUNKNOWNcontractCUSTOMERxxxxxxAAA"


def find_pairs(target: Target, want: int = 2) -> list[tuple[str, str]]:
    """Up to ``want`` (userid, external_userid) pairs of distinct customers."""
    users = target.call("externalcontact/get_follow_user_list")
    assert users["errcode"] == 0, users
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for userid in users.get("follow_user", [])[:10]:
        listed = target.call("externalcontact/list", params={"userid": userid})
        if listed["errcode"] != 0:
            continue
        for ext in listed.get("external_userid", [])[:5]:
            if ext not in seen:
                seen.add(ext)
                pairs.append((userid, ext))
                break
        if len(pairs) >= want:
            break
    return pairs


def follow_of(target: Target, userid: str, external_userid: str) -> dict[str, Any]:
    """The member's follow entry of the customer, with the customer's type under ``_type``."""
    got = target.call("externalcontact/get", params={"external_userid": external_userid})
    assert got["errcode"] == 0, got
    follow = next(f for f in got["follow_user"] if f["userid"] == userid)
    return {**follow, "_type": got["external_contact"]["type"]}


class RemarksMachine(RuleBasedStateMachine):
    target: Target

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.model: dict[tuple[str, str], dict[str, Any]] = {}
        self.types: dict[tuple[str, str], int] = {}
        self.original: dict[tuple[str, str], dict[str, Any]] = {}

    @initialize()
    def find_customers(self) -> None:
        self.pairs = find_pairs(self.target)
        for pair in self.pairs:
            follow = follow_of(self.target, *pair)
            self.types[pair] = follow["_type"]
            state = {
                "remark": follow.get("remark", ""),
                "description": follow.get("description", ""),
                "remark_company": follow.get("remark_corp_name", ""),
                "remark_mobiles": list(follow.get("remark_mobiles", [])),
            }
            self.model[pair] = state
            self.original[pair] = dict(state)

    @rule(
        which=st.integers(0, 1),
        remark=st.none() | st.sampled_from(REMARKS),
        description=st.none() | st.sampled_from(DESCRIPTIONS),
        company=st.none() | st.sampled_from(COMPANIES),
        mobiles=st.none() | st.sampled_from(MOBILES),
    )
    def set_remark(
        self,
        which: int,
        remark: str | None,
        description: str | None,
        company: str | None,
        mobiles: list[str] | None,
    ) -> None:
        if which >= len(self.pairs):
            return
        pair = self.pairs[which]
        given = {
            "remark": remark,
            "description": description,
            "remark_company": company,
            "remark_mobiles": mobiles,
        }
        body: dict[str, Any] = {"userid": pair[0], "external_userid": pair[1]}
        body.update({k: v for k, v in given.items() if v is not None})
        got = self.target.call("externalcontact/remark", json=body)
        if all(given[k] in (None, "") for k in LIMITS) and not mobiles:
            assert got["errcode"] == 40058, (body, got)  # nothing to set
            return
        assert got["errcode"] == 0, (body, got)
        state = self.model[pair]
        for key in ("remark", "description"):
            if given[key] is not None:
                state[key] = given[key]
        if company is not None and self.types[pair] == 1:  # WeChat customers only
            state["remark_company"] = company
        if mobiles is not None:
            state["remark_mobiles"] = [m for m in mobiles if m]  # [""] clears the list

    @rule(which=st.integers(0, 1), field=st.sampled_from([*LIMITS, "remark_mobiles"]))
    def too_long(self, which: int, field: str) -> None:
        """Over a length limit: 40058, nothing changes (the invariant checks)."""
        if which >= len(self.pairs):
            return
        userid, ext = self.pairs[which]
        value: Any = ["1380000000" + str(i) for i in range(6)]
        if field in LIMITS:
            value = "长" * (LIMITS[field] + 1)
        body = {"userid": userid, "external_userid": ext, "remark": "有效", field: value}
        got = self.target.call("externalcontact/remark", json=body)
        assert got["errcode"] == 40058, (body, got)

    @rule(which=st.integers(0, 1), unknown_customer=st.booleans())
    def remark_without_relationship(self, which: int, unknown_customer: bool) -> None:
        """An unknown customer, or a member who does not follow the customer: refused."""
        if which >= len(self.pairs):
            return
        userid, ext = self.pairs[which]
        if unknown_customer:
            ext = UNKNOWN_CUSTOMER
        else:
            others = [u for u, e in self.pairs if e != ext and u != userid]
            followers = {
                f["userid"]
                for f in self.target.call("externalcontact/get", params={"external_userid": ext})[
                    "follow_user"
                ]
            }
            others = [u for u in others if u not in followers]
            if not others:
                return
            userid = others[0]
        got = self.target.call(
            "externalcontact/remark",
            json={"userid": userid, "external_userid": ext, "remark": "不应写入"},
        )
        assert got["errcode"] == (40096 if unknown_customer else 84061), got

    @invariant()
    def target_matches_model(self) -> None:
        for pair, state in self.model.items():
            follow = follow_of(self.target, *pair)
            assert follow.get("remark", "") == state["remark"], (pair, follow)
            assert follow.get("description", "") == state["description"], (pair, follow)
            assert follow.get("remark_corp_name", "") == state["remark_company"], (pair, follow)
            assert list(follow.get("remark_mobiles", [])) == state["remark_mobiles"], (
                pair,
                follow,
            )

    def teardown(self) -> None:
        """Write the remarks found at the start back (the real API is never reset)."""
        for pair, orig in self.original.items():
            if orig == self.model.get(pair):
                continue
            body = {
                "userid": pair[0],
                "external_userid": pair[1],
                "remark": orig["remark"],
                "description": orig["description"],
                "remark_mobiles": orig["remark_mobiles"] or [""],
            }
            if orig["remark_company"]:
                body["remark_company"] = orig["remark_company"]
            self.target.call("externalcontact/remark", json=body)


def test_customer_remarks_state_machine(writer: Target) -> None:
    if not find_pairs(writer, 1):
        pytest.skip("no member of the target follows a customer: nothing to remark on")
    RemarksMachine.target = writer
    run_state_machine_as_test(RemarksMachine, settings=SETTINGS)
