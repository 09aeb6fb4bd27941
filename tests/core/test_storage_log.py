"""--state FILE: the snapshot plus the log of changes since, as a restart reads them back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mock_server import Emulator
from mock_server.core.storage import sqlite
from mock_server.services.external_contact.models import external_contact as ext_store
from tests.conftest import Api
from tests.core.test_storage import write_every_family


def reopen(path: Path) -> Emulator:
    """What a server started after ``kill -9`` sees: the file as the last commit left it."""
    return Emulator(state=path)


def assert_follows_shared(emu: Emulator) -> None:
    ext = ext_store(emu.corp())
    for user, follows in ext.by_user.items():
        for f in follows:
            assert ext.follows[f.external_userid][user] is f


def test_changes_since_the_snapshot_are_read_back_without_a_clean_stop(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    emu = Emulator(state=path)
    write_every_family(emu)
    assert emu.storage.info()["rows"] > 0  # in the log, not folded into the snapshot yet
    again = reopen(path)
    assert again.state_fingerprint() == emu.state_fingerprint()
    assert_follows_shared(again)


def test_snapshot_objects_changed_deleted_and_cut_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite, "_COMPACT_ON_CLOSE", 1)
    path = tmp_path / "state.db"
    first = Emulator(state=path)
    write_every_family(first)
    first.storage.close()  # folds the log into the snapshot

    emu = reopen(path)
    assert emu.storage.info()["rows"] == 0
    contacts = Api(emu, "contacts")
    ext = Api(emu, "external")
    assert contacts.post("user/update", {"userid": "lisi", "position": "重启后"})["errcode"] == 0
    assert contacts.get("user/delete", userid="persist01")["errcode"] == 0
    assert contacts.get("tag/delete", tagid=77)["errcode"] == 0
    customer = emu.external_contacts("sunli")[0]
    # A follow is one object held by two containers: changed in place after the restart.
    body = {"userid": "sunli", "external_userid": customer, "remark": "重启后备注"}
    assert ext.post("externalcontact/remark", body)["errcode"] == 0
    corp = emu.corp()
    with emu.transaction(corp):
        messaging = corp.store("messaging")
        assert len(messaging.inbox) >= 2
        del messaging.inbox[:1]  # a bounded log cut at the front
        messaging.inbox.append(messaging.inbox[0])
    with emu.transaction(corp):
        corp.store("messaging").robots.clear()  # every key removed at once
    with emu.transaction(corp):
        st = corp.store("contacts")
        st.mobiles = {k: v for k, v in st.mobiles.items() if v != "zhangsan"}  # replaced
    fp = emu.state_fingerprint()

    again = reopen(path)
    assert again.state_fingerprint() == fp
    users = again.corp().store("contacts").users
    assert "persist01" not in users and users["lisi"].position == "重启后"
    assert_follows_shared(again)
    # And once more on top of that (snapshot, log, restart, more log).
    Api(again, "contacts").post("user/update", {"userid": "lisi", "position": "第三次"})
    fp2 = again.state_fingerprint()
    assert reopen(path).state_fingerprint() == fp2


def test_compaction_folds_the_log_into_a_snapshot_and_keeps_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite, "_COMPACT_MIN", 3)
    path = tmp_path / "state.db"
    emu = Emulator(state=path)
    before = emu.storage.compactions
    write_every_family(emu)
    app = Api(emu, "app", 1000002)
    for i in range(20):
        body = {
            "touser": "lisi",
            "msgtype": "text",
            "agentid": 1000002,
            "text": {"content": f"{i}"},
        }
        assert app.post("message/send", body)["errcode"] == 0
    assert emu.storage.compactions > before + 5
    assert emu.storage.info()["rows"] < 60  # folded again and again, never long
    again = reopen(path)
    assert again.state_fingerprint() == emu.state_fingerprint()
    assert_follows_shared(again)


def test_a_read_of_a_missing_key_writes_nothing(tmp_path: Path) -> None:
    emu = Emulator(state=tmp_path / "state.db")
    contacts = Api(emu, "contacts")
    # The first call after a snapshot logs the rows it reaches once (their bytes unknown).
    assert contacts.get("user/get", userid="nobody")["errcode"] == 60111
    rows = emu.storage.info()["rows"]
    writes = emu.storage.writes
    for _ in range(5):
        assert contacts.get("user/get", userid="nobody")["errcode"] == 60111
    assert emu.storage.info()["rows"] == rows and emu.storage.writes == writes


def test_a_snapshot_pauses_the_collector_and_gives_it_back(tmp_path: Path) -> None:
    """A corp is pickled with the cyclic collector paused (it would walk the corp again
    and again), then the collector is back as the host had it: on, or still off."""
    import gc

    from mock_server.core.storage import SqliteStorage

    emu = Emulator(state=tmp_path / "state.db")
    storage = emu.storage
    assert isinstance(storage, SqliteStorage)
    corp = emu.corp()
    seen: list[bool] = []
    real_dump = sqlite._SnapshotPickler.dump

    def dump(self: Any, obj: Any) -> None:
        seen.append(gc.isenabled())
        real_dump(self, obj)

    try:
        sqlite._SnapshotPickler.dump = dump  # type: ignore[method-assign]
        for host_has_it_on in (True, False):
            (gc.enable if host_has_it_on else gc.disable)()
            with corp.lock:
                storage._write_snapshots({corp.corpid: storage._snapshot(corp)})
            assert gc.isenabled() is host_has_it_on
    finally:
        sqlite._SnapshotPickler.dump = real_dump  # type: ignore[method-assign]
        gc.enable()
    assert seen == [False, False]
    assert reopen(tmp_path / "state.db").state_fingerprint() == emu.state_fingerprint()
