"""The Emulator object: seeded ids, the clock, state fingerprints, events after the lock."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import Clock, Emulator
from mock_server.core.events import DomainEvent
from tests.conftest import Api


def test_same_seed_same_tokens() -> None:
    assert Emulator(seed=5).token("contacts") == Emulator(seed=5).token("contacts")
    assert Emulator(seed=5).token("contacts") != Emulator(seed=6).token("contacts")


def test_errors_do_not_shift_ids() -> None:
    quiet = Emulator(seed=4)
    noisy = Emulator(seed=4)
    for _ in range(3):
        noisy.call("GET", "gettoken", params={"corpid": "nope"})
    assert noisy.token("contacts") == quiet.token("contacts")


def test_reset_replays_ids_but_never_a_token() -> None:
    """Ids after a reset are those of a fresh start with the seed; tokens are not: a token
    from before the reset stays invalid (40014) however many are issued after it."""

    def send(emu: Emulator) -> tuple[str, str]:
        token = emu.token("app", 1000002)
        body = {
            "touser": "zhangsan",
            "msgtype": "text",
            "agentid": 1000002,
            "text": {"content": "x"},
        }
        sent = emu.call("POST", "message/send", params={"access_token": token}, json=body)
        return token, sent["msgid"]

    emu = Emulator(seed=3)
    first_token, first_msgid = send(emu)
    emu.reset()
    token, msgid = send(emu)
    assert msgid == first_msgid and token != first_token
    issued = {emu.token(scope) for scope in ("contacts", "external") for _ in range(3)}
    assert first_token not in issued
    stale = emu.call("GET", "user/get", params={"access_token": first_token, "userid": "zhangsan"})
    assert stale["errcode"] == 40014
    again = Emulator(seed=3)  # tokens after a reset are still the same for the same seed
    send(again)
    again.reset()
    assert send(again) == (token, msgid)


def test_frozen_clock_moves_only_when_told() -> None:
    emu = Emulator(clock=Clock(start=1_700_000_000, frozen=True))
    assert emu.clock.time() == 1_700_000_000
    emu.advance(60)
    assert emu.clock.time() == 1_700_000_060


def test_fingerprint_sees_accepted_changes_only(contacts_api: Api, emu: Emulator) -> None:
    before = emu.state_fingerprint()
    assert contacts_api.post("department/create", {"name": "", "parentid": 1})["errcode"] == 40058
    assert emu.state_fingerprint() == before
    assert contacts_api.post("department/create", {"name": "新部门", "parentid": 1})["errcode"] == 0
    after = emu.state_fingerprint()
    assert after != before
    emu.reset()
    assert emu.state_fingerprint() == before


def test_corp_lookup(emu: Emulator) -> None:
    assert emu.corp().corpid == "wwdemo0000000000001"
    with pytest.raises(KeyError, match="no corp 'nope'"):
        emu.corp("nope")


def test_events_are_published_after_the_lock(emu: Emulator, contacts_api: Api) -> None:
    seen: list[tuple[str, bool]] = []
    corp = emu.corp()

    def on_event(event: DomainEvent) -> None:
        # Another thread could take the corp lock now: the transaction is over.
        def probe() -> None:
            ok = corp.lock.acquire(timeout=1)
            if ok:
                corp.lock.release()
            seen.append(("lock", ok))

        got = threading.Thread(target=probe)
        got.start()
        got.join()
        seen.append((event.data["ChangeType"], True))

    emu.events.subscribe(on_event)
    body = {"userid": "xiaoming", "name": "小明", "mobile": "13912345678"}
    assert contacts_api.post("user/create", body)["errcode"] == 0
    assert seen == [("lock", True), ("create_user", True)]
    # A rejected request publishes nothing.
    assert contacts_api.post("user/create", body)["errcode"] == 60102
    assert len(seen) == 2


def test_failing_subscriber_does_not_fail_the_call(emu: Emulator, contacts_api: Api) -> None:
    def broken(_event: DomainEvent) -> None:
        raise RuntimeError("boom")

    emu.events.subscribe(broken)
    body = {"userid": "xiaoming", "name": "小明", "mobile": "13912345678"}
    assert contacts_api.post("user/create", body)["errcode"] == 0
    assert emu.events.failures == ["change_contact: RuntimeError: boom"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab=&%+;李 1x2", max_size=30))
def test_query_parsing_agrees_with_parse_qs(query: str) -> None:
    """The direct split of plain query strings answers exactly what ``parse_qs`` does."""
    from urllib.parse import parse_qs

    from mock_server.core.pipeline import parse_query

    expected = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    assert parse_query(query) == expected


def test_failed_transaction_publishes_no_event(emu: Emulator) -> None:
    seen: list[DomainEvent] = []
    emu.events.subscribe(seen.append)
    corp = emu.corp()
    with pytest.raises(RuntimeError), emu.transaction(corp):
        corp.emit(DomainEvent(corp.corpid, "test_failed", {}, emu.clock.time()))
        raise RuntimeError("rolled back")
    with emu.transaction(corp):
        corp.emit(DomainEvent(corp.corpid, "test_kept", {}, emu.clock.time()))
    assert [e.kind for e in seen] == ["test_kept"]
