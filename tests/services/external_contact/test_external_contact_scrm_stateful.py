"""Rule-based stateful tests of the SCRM invariants, driven on the emulator clock:

* a customer has at most 2 on-job transfers started in any 90 days;
* a welcome code works once, within 20 seconds;
* a mass message reaches a customer at most once per Beijing-time day;
* member statistics equal a recount from the journal of events and delivered messages.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mock_server import Emulator
from mock_server.services.external_contact.scrm_store import day_of, midnight
from mock_server.services.external_contact.transfers import WINDOW

SETTINGS = settings(
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MEMBERS = ["xuqiang", "sunli", "mahao"]
_EMU: list[Emulator] = []


def _shared() -> Emulator:
    """One emulator on a frozen clock for every example (reset between them)."""
    if not _EMU:
        from mock_server.clock import Clock

        _EMU.append(Emulator(clock=Clock(start=1_780_000_000, frozen=True)))
    return _EMU[0]


class Machine(RuleBasedStateMachine):
    """Shared plumbing: a fresh demo emulator on a frozen clock and a CRM app token."""

    def __init__(self) -> None:
        super().__init__()
        self.emu = _shared()
        self.emu.reset()  # ~10 ms instead of ~1.5 s for a new emulator per example
        self.token = self.emu.token("app", 1000003)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.emu.call("POST", path, params={"access_token": self.token}, json=body)
        if r["errcode"] == 42001:
            self.token = self.emu.token("app", 1000003)
            r = self.emu.call("POST", path, params={"access_token": self.token}, json=body)
        return r

    def advance(self, seconds: int) -> None:
        self.emu.advance(seconds)
        self.token = self.emu.token("app", 1000003)


class Transfers(Machine):
    @initialize()
    def setup(self) -> None:
        r = self.emu.call(
            "GET", "externalcontact/list", params={"access_token": self.token, "userid": "xuqiang"}
        )
        self.customers = r["external_userid"][:3]
        self.started: dict[str, list[int]] = {c: [] for c in self.customers}

    @rule(i=st.integers(0, 2), takeover=st.sampled_from(MEMBERS))
    def transfer(self, i: int, takeover: str) -> None:
        eid = self.customers[i]
        follow = self.post("externalcontact/batch/get_by_user", {"userid_list": MEMBERS})
        owners = [
            x["follow_info"]["userid"]
            for x in follow["external_contact_list"]
            if x["external_contact"]["external_userid"] == eid
        ]
        if not owners or takeover in owners:
            return
        body = {"handover_userid": owners[0], "takeover_userid": takeover, "external_userid": [eid]}
        r = self.post("externalcontact/transfer_customer", body)
        assert r["errcode"] == 0, r
        code = r["customer"][0]["errcode"]
        now = self.emu.clock.time()
        recent = [t for t in self.started[eid] if now - t < WINDOW]
        if code == 0:
            assert len(recent) < 2
            self.started[eid].append(now)
        else:
            assert code in (40128, 40129), code
            if code == 40128:
                assert len(recent) >= 2

    @rule(days=st.integers(0, 60), hours=st.integers(0, 30))
    def wait(self, days: int, hours: int) -> None:
        self.advance(days * 86400 + hours * 3600)

    @rule(i=st.integers(0, 2), outcome=st.sampled_from(["accept", "refuse"]))
    def customer_decides(self, i: int, outcome: str) -> None:
        with contextlib.suppress(ValueError):  # no waiting transfer for this customer
            self.emu.resolve_transfer(self.customers[i], outcome)

    @invariant()
    def at_most_two_per_90_days(self) -> None:
        for times in self.started.values():
            for t in times:
                assert sum(1 for u in times if t - WINDOW < u <= t) <= 2


class WelcomeCodes(Machine):
    @initialize()
    def setup(self) -> None:
        r = self.post("externalcontact/add_contact_way", {"type": 2, "scene": 2, "user": MEMBERS})
        self.way = r["config_id"]
        self.codes: list[tuple[str, int]] = []
        self.used: Counter[str] = Counter()

    @rule()
    def scan(self) -> None:
        added = self.emu.scan_contact_way(self.way, customer={"name": "客", "type": 1})
        self.codes.append((added["welcome_code"], self.emu.clock.time()))

    @rule(data=st.data())
    def send(self, data: st.DataObject) -> None:
        if not self.codes:
            return
        code, issued = data.draw(st.sampled_from(self.codes))
        r = self.post(
            "externalcontact/send_welcome_msg", {"welcome_code": code, "text": {"content": "欢迎"}}
        )
        fresh = self.emu.clock.time() - issued <= 20 and not self.used[code]
        assert r["errcode"] == (0 if fresh else 41050), (r, fresh)
        if r["errcode"] == 0:
            self.used[code] += 1

    @rule(seconds=st.sampled_from([0, 1, 5, 19, 20, 21]))
    def wait(self, seconds: int) -> None:
        self.advance(seconds)

    @invariant()
    def each_code_works_once(self) -> None:
        assert all(n <= 1 for n in self.used.values())
        welcomes = [m for m in self.emu.customer_messages() if m["kind"] == "welcome"]
        assert len(welcomes) == sum(self.used.values())


class MassMessages(Machine):
    @initialize()
    def setup(self) -> None:
        self.customers: list[str] = []
        for member in MEMBERS:
            r = self.emu.call(
                "GET", "externalcontact/list", params={"access_token": self.token, "userid": member}
            )
            self.customers += r["external_userid"][:3]
        self.msgs: list[str] = []

    @rule(picks=st.lists(st.integers(0, 8), min_size=1, max_size=5))
    def create(self, picks: list[int]) -> None:
        ids = [self.customers[i] for i in picks]
        r = self.post(
            "externalcontact/add_msg_template",
            {"external_userid": ids, "text": {"content": "促销"}},
        )
        assert r["errcode"] == 0, r
        self.msgs.append(r["msgid"])

    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        if not self.msgs:
            return
        msgid = data.draw(st.sampled_from(self.msgs))
        tasks = self.post("externalcontact/get_groupmsg_task", {"msgid": msgid})["task_list"]
        todo = [t["userid"] for t in tasks if t["status"] == 0]
        if todo:
            self.emu.confirm_groupmsg(msgid, data.draw(st.sampled_from(todo)))

    @rule(hours=st.integers(1, 30))
    def wait(self, hours: int) -> None:
        self.advance(hours * 3600)

    @invariant()
    def once_per_customer_per_day(self) -> None:
        got = Counter(
            (m["external_userid"], day_of(m["time"]))
            for m in self.emu.customer_messages()
            if m["kind"] == "groupmsg"
        )
        assert all(n == 1 for n in got.values()), got
        sent = 0
        for msgid in self.msgs:
            for t in self.post("externalcontact/get_groupmsg_task", {"msgid": msgid})["task_list"]:
                rows = self.post(
                    "externalcontact/get_groupmsg_send_result",
                    {"msgid": msgid, "userid": t["userid"], "limit": 1000},
                )
                sent += sum(1 for x in rows["send_list"] if x["status"] == 1)
        assert sent == sum(got.values())


class Statistics(Machine):
    @initialize()
    def setup(self) -> None:
        self.start = midnight(self.emu.clock.time())
        self.added: list[tuple[str, str]] = []

    @rule(member=st.sampled_from(MEMBERS), welcome=st.booleans())
    def customer_adds(self, member: str, welcome: bool) -> None:
        r = self.emu.customer_add_follow(member, customer={"name": "新", "type": 1})
        self.added.append((member, r["external_userid"]))
        if welcome:
            body = {"welcome_code": r["welcome_code"], "text": {"content": "hi"}}
            assert self.post("externalcontact/send_welcome_msg", body)["errcode"] == 0

    @rule(data=st.data(), by_customer=st.booleans())
    def deletes(self, data: st.DataObject, by_customer: bool) -> None:
        if not self.added:
            return
        member, eid = data.draw(st.sampled_from(self.added))
        self.added.remove((member, eid))
        if by_customer:
            self.emu.customer_delete_follow(member, eid)
        else:
            self.emu.follow_delete_customer(member, eid)

    @rule(hours=st.integers(1, 30))
    def wait(self, hours: int) -> None:
        self.advance(hours * 3600)

    @invariant()
    def equal_a_recount(self) -> None:
        now = self.emu.clock.time()
        if now - self.start > 29 * 86400:
            return
        for member in MEMBERS:
            r = self.post(
                "externalcontact/get_user_behavior_data",
                {"userid": [member], "start_time": self.start, "end_time": now},
            )
            assert r["errcode"] == 0, r
            for row in r["behavior_data"]:
                day = day_of(row["stat_time"])
                events = [
                    e.data
                    for e in self.emu.events.history("change_external_contact")
                    if e.data["UserID"] == member and day_of(e.time) == day
                ]
                msgs = [
                    m
                    for m in self.emu.customer_messages()
                    if m["userid"] == member and day_of(m["time"]) == day
                ]
                assert row["new_contact_cnt"] == sum(
                    e["ChangeType"] == "add_external_contact" for e in events
                )
                assert row["negative_feedback_cnt"] == sum(
                    e["ChangeType"] == "del_follow_user" for e in events
                )
                assert row["message_cnt"] == len(msgs)
                assert row["chat_cnt"] == len({m["external_userid"] for m in msgs})


TestTransfers = Transfers.TestCase
TestTransfers.settings = SETTINGS
TestWelcomeCodes = WelcomeCodes.TestCase
TestWelcomeCodes.settings = SETTINGS
TestMassMessages = MassMessages.TestCase
TestMassMessages.settings = SETTINGS
TestStatistics = Statistics.TestCase
TestStatistics.settings = SETTINGS
