"""The journal is a bounded ring: a sandbox running for days does not grow without limit."""

from __future__ import annotations

from mock_server import Emulator
from mock_server.core.journal import Journal


def test_ring_keeps_the_newest() -> None:
    j = Journal(size=3)
    for i in range(5):
        j.record({"path": f"/p{i}", "method": "GET", "time": float(i)})
    assert len(j) == 3
    assert [e["path"] for e in j.entries()] == ["/p2", "/p3", "/p4"]
    assert j.dropped == 2
    assert [e["id"] for e in j.entries()] == [3, 4, 5]  # ids keep counting


def test_filters_since_and_limit() -> None:
    j = Journal(size=10)
    for i in range(5):
        j.record({"path": "/cgi-bin/x", "endpoint": "x", "method": "GET", "time": float(i)})
    assert [e["time"] for e in j.entries(since=3)] == [3.0, 4.0]
    assert [e["time"] for e in j.entries(limit=2)] == [3.0, 4.0]
    assert len(j.entries(path="x")) == 5 and len(j.entries(path="/cgi-bin/x")) == 5


def test_emulator_journal_size_is_configurable() -> None:
    emu = Emulator(journal_size=5)
    for _ in range(20):
        emu.call("GET", "gettoken", params={"corpid": "nope"})
    assert len(emu.journal) == 5
    assert emu.journal.dropped == 15
    emu.journal.clear()
    assert len(emu.journal) == 0 and emu.journal.dropped == 0


def test_reset_clears_journal() -> None:
    emu = Emulator()
    emu.token("contacts")
    emu.reset()
    assert emu.journal.entries() == []


def test_a_recorded_answer_reads_back_as_it_was_sent() -> None:
    """The journal keeps a small answer as the bytes sent; read back, an integer past 64
    bits is still that integer (not a float), a deep answer still reads, the query is masked."""
    j = Journal(size=10)
    big = 123456789012345678901234567890
    deep = b'{"errcode":0,"v":' + b"[" * 70 + b"]" * 70 + b"}"
    j.record_call({"path": "/cgi-bin/x"}, {"access_token": "abcdefghijkl"}, b'{"id":%d}' % big)
    j.record_call({"path": "/cgi-bin/y"}, {}, deep)
    first, second = j.entries()
    assert first["response"] == {"id": big} and first["query"] == {"access_token": "abcdefgh..."}
    assert second["response"]["errcode"] == 0
