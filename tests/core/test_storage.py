"""--state FILE: every acknowledged write survives a restart and kill -9; export/import."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server import Emulator
from mock_server.cli import main as cli
from mock_server.core.storage import (
    FORMAT_VERSION,
    MemoryStorage,
    SqliteStorage,
    StateFileError,
    export_state,
    import_state,
    sqlite,
)
from mock_server.web.dashboard.reads import state_summary
from tests.conftest import Api

GENERAL = "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa"
ROBOT = "DEMO-ops-alerts-robot-key-not-real"


def write_every_family(emu: Emulator) -> dict[str, Any]:
    """One or more acknowledged writes in each family, plus clock, tokens, faults, callbacks."""
    contacts, app, ext, oa = (
        Api(emu, "contacts"),
        Api(emu, "app", 1000002),
        Api(emu, "external"),
        Api(emu, "app", 1000004),
    )
    ok = lambda body: body["errcode"] == 0  # noqa: E731
    assert ok(contacts.post("department/create", {"name": "持久化部", "parentid": 1, "id": 90}))
    assert ok(
        contacts.post(
            "user/create",
            {"userid": "persist01", "name": "持久", "department": [90], "mobile": "13800009901"},
        )
    )
    assert ok(contacts.post("tag/create", {"tagname": "持久标签", "tagid": 77}))
    assert ok(contacts.post("tag/addtagusers", {"tagid": 77, "userlist": ["persist01"]}))
    assert ok(contacts.post("user/update", {"userid": "zhangsan", "position": "架构师"}))
    assert ok(contacts.get("user/delete", userid="zhaolei"))
    sent = app.post(
        "message/send",
        {"touser": "zhangsan", "msgtype": "text", "agentid": 1000002, "text": {"content": "在吗"}},
    )
    assert ok(sent)
    chat = app.post(
        "appchat/create", {"name": "持久群", "owner": "zhangsan", "userlist": ["zhangsan", "lisi"]}
    )
    assert ok(chat)
    r = emu.call(
        "POST",
        "webhook/send",
        params={"key": ROBOT},
        json={"msgtype": "text", "text": {"content": "机器人"}},
    )
    assert ok(r)
    customer = emu.external_contacts("sunli")[0]
    assert ok(
        ext.post(
            "externalcontact/remark",
            {"userid": "sunli", "external_userid": customer, "remark": "持久备注"},
        )
    )
    added = emu.customer_add_follow("xuqiang", customer={"name": "新客户", "type": 1})
    applied = oa.post(
        "oa/applyevent",
        {
            "creator_userid": "zhangsan",
            "template_id": GENERAL,
            "use_template_approver": 1,
            "apply_data": {
                "contents": [
                    {"control": "Text", "id": "Text-1580000000001", "value": {"text": "外出"}}
                ]
            },
            "summary_list": [{"summary_info": [{"text": "外出", "lang": "zh_CN"}]}],
        },
    )
    assert ok(applied)
    detail = emu.approval(applied["sp_no"])
    assert detail is not None
    approver = detail["sp_record"][0]["details"][0]["approver"]["userid"]
    emu.approve(applied["sp_no"], approver, speech="同意")
    emu.set_callback("approval", "http://127.0.0.1:9/cb", "tok123", "b" * 43, verify=False)
    emu.configure_callbacks(retries=1, timeout=2)
    emu.fault("department/list", errcode=45009, times=5)
    emu.advance(1000)
    return {
        "token": contacts.token,
        "msgid": sent["msgid"],
        "chatid": chat["chatid"],
        "sp_no": applied["sp_no"],
        "external_userid": added.get("external_userid"),
    }


def fresh_path(tmp_path: Path, name: str = "state.db") -> Path:
    return tmp_path / name


def test_without_state_nothing_touches_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    emu = Emulator()
    write_every_family(emu)
    assert isinstance(emu.storage, MemoryStorage)
    assert list(tmp_path.iterdir()) == []


def test_every_family_survives_a_restart(tmp_path: Path) -> None:
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    made = write_every_family(emu)
    before = emu.state_fingerprint()
    clock_before = emu.clock.now()
    faults_before = [(f["id"], f["path"]) for f in emu.faults()]
    emu.storage.close()

    again = Emulator(state=path)
    assert again.state_fingerprint() == before
    assert abs(again.clock.now() - clock_before) < 60  # the advanced clock came back
    assert [(f["id"], f["path"]) for f in again.faults()] == faults_before
    assert again.callback_config("approval")["url"] == "http://127.0.0.1:9/cb"
    assert again.callbacks.dispatcher.settings.retries == 1
    # The access_token handed out before the restart is still valid.
    body = again.call(
        "GET", "user/get", params={"access_token": made["token"], "userid": "persist01"}
    )
    assert body["errcode"] == 0 and body["department"] == [90]
    # The fault rule still answers (4 of 5 left would also be fine: it has not fired yet).
    lst = again.call("GET", "department/list", params={"access_token": made["token"]})
    assert lst["errcode"] == 45009
    # Objects shared between two containers are still one object (follows / by_user).
    from mock_server.services.external_contact.models import external_contact

    ext = external_contact(again.corp())
    for user, follows in ext.by_user.items():
        for f in follows:
            assert ext.follows[f.external_userid][user] is f
    again.storage.close()


def test_a_write_after_restart_is_kept_too(tmp_path: Path) -> None:
    path = fresh_path(tmp_path)
    Emulator(state=path).storage.close()
    emu = Emulator(state=path)
    api = Api(emu, "contacts")
    for i in range(30):
        assert (
            api.post(
                "user/create",
                {
                    "userid": f"later{i}",
                    "name": f"后{i}",
                    "department": [1],
                    "mobile": f"1390000{i:04d}",
                },
            )["errcode"]
            == 0
        )
    assert api.get("user/delete", userid="later3")["errcode"] == 0
    fp = emu.state_fingerprint()
    emu.storage.close()
    assert Emulator(state=path).state_fingerprint() == fp


def test_reset_goes_back_to_the_fixtures_and_stays(tmp_path: Path) -> None:
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    write_every_family(emu)
    emu.reset()
    emu.storage.close()
    assert Emulator(state=path).state_fingerprint() == Emulator().state_fingerprint()


def test_export_import_gives_an_equal_fingerprint(tmp_path: Path) -> None:
    src = fresh_path(tmp_path, "a.db")
    emu = Emulator(state=src)
    write_every_family(emu)
    exported = tmp_path / "sandbox.wecom-state"
    info = export_state(src, exported)  # while the first server still has the file open
    assert info["format_version"] == FORMAT_VERSION and info["corps"] == ["wwdemo0000000000001"]
    dst = fresh_path(tmp_path, "b.db")
    import_state(exported, dst)
    other = Emulator(state=dst)
    assert other.state_fingerprint() == emu.state_fingerprint()
    assert state_summary(other)["fingerprint"] == state_summary(emu)["fingerprint"]


def test_state_cli_export_import_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = fresh_path(tmp_path, "a.db")
    emu = Emulator(state=src)
    Api(emu, "contacts").post(
        "user/create",
        {"userid": "clione", "name": "命令行", "department": [1], "email": "cli@example.com"},
    )
    out = tmp_path / "x.wecom-state"
    assert cli(["state", "export", "--state", str(src), str(out)]) == 0
    assert cli(["state", "import", str(out), "--state", str(tmp_path / "c.db")]) == 0
    assert cli(["state", "info", str(tmp_path / "c.db")]) == 0
    assert '"format": "wecom-mock-state"' in capsys.readouterr().out
    assert Emulator(state=tmp_path / "c.db").state_fingerprint() == emu.state_fingerprint()
    (tmp_path / "junk").write_bytes(b"not a database at all" * 100)
    assert cli(["state", "info", str(tmp_path / "junk")]) == 2


def test_a_foreign_or_newer_file_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"hello" * 1000)
    with pytest.raises(StateFileError):
        Emulator(state=junk)
    newer = tmp_path / "newer.db"
    Emulator(state=newer).storage.close()
    db = sqlite3.connect(newer)
    db.execute("UPDATE meta SET value='99' WHERE key='format_version'")
    db.commit()
    db.close()
    with pytest.raises(StateFileError, match="newer"):
        SqliteStorage(newer).attach(Emulator())


# -- a real server process, killed with SIGKILL ----------------------------------------------
def start_server(state: Path) -> tuple[subprocess.Popen[str], str, threading.Thread]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mock_server.cli",
            "serve",
            "--port",
            "0",
            "--quiet",
            "--state",
            str(state),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if m:
            drain = threading.Thread(target=proc.stdout.read, daemon=True)
            drain.start()
            return proc, m.group(1), drain
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("server did not start")


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def token(url: str, secret: str) -> str:
    r = requests.get(
        f"{url}/cgi-bin/gettoken",
        params={"corpid": "wwdemo0000000000001", "corpsecret": secret},
        timeout=10,
    )
    return str(r.json()["access_token"])


def test_kill_9_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    path = fresh_path(tmp_path)
    proc, url, drain = start_server(path)
    acked_users: list[str] = []
    acked_msgs: list[str] = []
    stop = threading.Event()
    try:
        ctok = token(url, "DEMO-contacts-secret-not-real")
        atok = token(url, "DEMO-app-1000002-secret-not-real")

        def writer() -> None:
            s = requests.Session()
            i = 0
            while not stop.is_set() and i < 5000:
                i += 1
                try:
                    r = s.post(
                        f"{url}/cgi-bin/user/create",
                        params={"access_token": ctok},
                        json={
                            "userid": f"k{i}",
                            "name": f"杀{i}",
                            "department": [1],
                            "email": f"k{i}@example.com",
                        },
                        timeout=10,
                    )
                    if r.json()["errcode"] == 0:
                        acked_users.append(f"k{i}")
                    r = s.post(
                        f"{url}/cgi-bin/message/send",
                        params={"access_token": atok},
                        json={
                            "touser": "lisi",
                            "msgtype": "text",
                            "agentid": 1000002,
                            "text": {"content": f"m{i}"},
                        },
                        timeout=10,
                    )
                    if r.json()["errcode"] == 0:
                        acked_msgs.append(r.json()["msgid"])
                except (requests.RequestException, ValueError):
                    return  # the server died mid-request: that write was never acknowledged

        t = threading.Thread(target=writer)
        t.start()
        deadline = time.monotonic() + 120
        while len(acked_users) < 150 and time.monotonic() < deadline and t.is_alive():
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream, no shutdown code runs
        proc.wait(10)
        stop.set()
        t.join(30)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        drain.join(10)
        assert proc.stdout is not None
        proc.stdout.close()
    assert len(acked_users) >= 150
    emu = Emulator(state=path)
    users = emu.corp().store("contacts").users
    missing = [u for u in acked_users if u not in users]
    assert missing == []
    # Every acknowledged send is known (recall-able); past the per-member quota the real API
    # also answers ok without delivering, so the inbox is not the measure.
    sent = emu.corp().store("messaging").sent
    assert [m for m in acked_msgs if m not in sent] == []
    assert integrity(path) == "ok"


def test_a_torn_write_never_corrupts_the_file(tmp_path: Path) -> None:
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    api = Api(emu, "contacts")
    for i in range(20):
        assert (
            api.post(
                "user/create",
                {"userid": f"t{i}", "name": "撕", "department": [1], "email": f"t{i}@example.com"},
            )["errcode"]
            == 0
        )
    committed = emu.state_fingerprint()
    # A last write torn half-way: its WAL frames cut short, as a crash during write() leaves.
    wal = Path(str(path) + "-wal")
    size_before = wal.stat().st_size
    assert (
        api.post(
            "user/create",
            {"userid": "torn", "name": "撕", "department": [1], "email": "torn@example.com"},
        )["errcode"]
        == 0
    )
    data = wal.read_bytes()
    assert len(data) > size_before
    cut = size_before + (len(data) - size_before) // 2
    copy = tmp_path / "copy.db"
    copy.write_bytes(path.read_bytes())
    Path(str(copy) + "-wal").write_bytes(data[:cut])
    again = Emulator(state=copy)
    assert integrity(copy) == "ok"
    # The torn transaction is dropped whole; everything committed before it is there.
    assert again.state_fingerprint() == committed
    # Garbage after the last frame is ignored as well.
    Path(str(copy) + "-wal").write_bytes(data + os.urandom(5000))
    copy2 = tmp_path / "copy2.db"
    copy2.write_bytes(path.read_bytes())
    Path(str(copy2) + "-wal").write_bytes(data + os.urandom(5000))
    assert "torn" in Emulator(state=copy2).corp().store("contacts").users


class _GateAfterSnapshot:
    """The storage lock, made to let one other thread's write in first once the corp's
    snapshot is taken and its lock released (the widest window a reset leaves open)."""

    def __init__(self, inner: Any, corp_lock: Any, write: Any) -> None:
        self.inner, self.corp_lock, self.write = inner, corp_lock, write
        self.armed = False
        self.written: list[dict[str, Any]] = []

    def __enter__(self) -> Any:
        if self.armed and not self.corp_lock._is_owned():
            self.armed = False
            t = threading.Thread(target=lambda: self.written.append(self.write()))
            t.start()
            t.join(30)
        return self.inner.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self.inner.__exit__(*exc)

    def acquire(self, *args: Any) -> Any:
        return self.inner.acquire(*args)

    def release(self) -> None:
        self.inner.release()


def test_a_write_landing_during_a_reset_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reset snapshots corp by corp while API calls go on: a write acknowledged after its
    corp's snapshot is in the file too (a reopened file equals memory)."""
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    storage = emu.storage
    assert isinstance(storage, SqliteStorage)

    def write() -> dict[str, Any]:
        token = emu.token("contacts")
        body = {
            "userid": "during_reset",
            "name": "重置中",
            "department": [1],
            "mobile": "13900001234",
        }
        return emu.call("POST", "user/create", params={"access_token": token}, json=body)

    gate = _GateAfterSnapshot(storage._lock, emu.corp().lock, write)
    snapshot = SqliteStorage._snapshot

    def snapshot_then_arm(self: SqliteStorage, corp: Any) -> bytes:
        out = snapshot(self, corp)
        if corp.lock is gate.corp_lock:
            gate.armed = True
        return out

    # The reset builds a new corp: its lock is the one to watch.
    build = emu._build_corps

    def build_and_watch() -> None:
        build()
        gate.corp_lock = emu.corp().lock

    monkeypatch.setattr(emu, "_build_corps", build_and_watch)
    monkeypatch.setattr(SqliteStorage, "_snapshot", snapshot_then_arm)
    monkeypatch.setattr(storage, "_lock", gate)
    emu.reset()
    assert [w["errcode"] for w in gate.written] == [0]
    assert "during_reset" in emu.corp().store("contacts").users
    expected = emu.state_fingerprint()
    monkeypatch.undo()
    # What a server started after kill -9 reads, then after a clean stop.
    assert Emulator(state=path).state_fingerprint() == expected
    emu.storage.close()
    assert Emulator(state=path).state_fingerprint() == expected


def test_a_change_to_a_corp_a_reset_replaced_is_not_logged(tmp_path: Path) -> None:
    """A sandbox action still holding the corp from before a reset changes an object nobody
    reads any more: it must not be replayed onto the new corp at the next start."""
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    old = emu.corp()
    emu.reset()
    with emu.transaction(old):
        old.store("contacts").users.pop(next(iter(old.store("contacts").users)))
    assert Emulator(state=path).state_fingerprint() == Emulator().state_fingerprint()
    # An API call that listed the corps before the reset flushes the old one late.
    storage = emu.storage
    assert isinstance(storage, SqliteStorage)
    with old.lock:
        old.store("contacts").tags[999] = old.store("contacts").tags[
            next(iter(old.store("contacts").tags))
        ]
    with old.lock, storage._lock:
        storage._flush_corp_locked(old, with_globals=True)
    assert Emulator(state=path).state_fingerprint() == Emulator().state_fingerprint()


def test_a_reset_cut_short_starts_from_the_fixtures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    write_every_family(emu)

    def crash(self: SqliteStorage) -> bytes:
        raise OSError("disk gone")

    monkeypatch.setattr(SqliteStorage, "_globals_snapshot", crash)
    with pytest.raises(OSError):
        emu.reset()
    monkeypatch.undo()
    meta = dict(sqlite3.connect(path).execute("SELECT key, value FROM meta").fetchall())
    assert meta["complete"] == "0"
    again = Emulator(state=path)
    assert again.state_fingerprint() == Emulator().state_fingerprint()
    meta = dict(sqlite3.connect(path).execute("SELECT key, value FROM meta").fetchall())
    assert meta["complete"] == "1"


def test_a_reset_drops_corps_the_fixtures_no_longer_have(tmp_path: Path) -> None:
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    with sqlite3.connect(path) as db:  # a corp written by an earlier run with other fixtures
        db.execute("INSERT INTO snapshot VALUES ('wwgone', x'00')")
        db.execute(
            "INSERT INTO log (corp, store, attr, key, value) VALUES ('wwgone','s','a',x'00',NULL)"
        )
    emu.reset()
    with sqlite3.connect(path) as db:
        stored = {c for (c,) in db.execute("SELECT corp FROM snapshot UNION SELECT corp FROM log")}
    assert "wwgone" not in stored and emu.corp().corpid in stored
    assert Emulator(state=path).state_fingerprint() == Emulator().state_fingerprint()


def test_reads_outside_the_corp_lock_never_break_a_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hooks and the dashboard read stores without the corp's lock, and a read notes its key
    for the next flush. A read landing while a flush walks the noted keys made the flush fail
    ("Set changed size during iteration", raised out of the API call). Here the read lands
    exactly there: while the flush serialises the changed member."""
    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    contacts = Api(emu, "contacts")
    noted: dict[str, Any] = {}

    def note_the_keys(ctx: Any, resp: Any) -> None:  # just before the call's flush
        noted["users"] = emu.corp().store("contacts").users._touched

    emu.hooks.on_response.append(note_the_keys)
    dump = sqlite._RowPickler.dump

    def dump_while_someone_reads(self: Any, obj: Any) -> None:
        if type(obj).__name__ == "User" and "users" in noted:  # another thread's read, now
            noted.pop("users").add("read-meanwhile")
        dump(self, obj)

    monkeypatch.setattr(sqlite._RowPickler, "dump", dump_while_someone_reads)
    answer = contacts.post("user/update", {"userid": "zhangsan", "position": "并发读"})
    assert answer["errcode"] == 0
    monkeypatch.undo()
    assert Emulator(state=path).state_fingerprint() == emu.state_fingerprint()


def test_the_file_equals_memory_after_writes_reads_and_resets_in_parallel(
    tmp_path: Path,
) -> None:
    """Members, departments and tags written by two threads, the dashboard reading, the clock
    moving and resets, all at once with threads switching often: no call fails, and a start
    from the file (as after kill -9, then after a clean stop) sees what memory has."""
    from mock_server.web.dashboard import reads

    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    stop = threading.Event()
    failures: list[BaseException] = []
    codes: list[int] = []

    def guarded(fn: Any) -> Any:
        def run(*args: Any) -> None:
            try:
                fn(*args)
            except BaseException as exc:  # reported below, with the test's own assertion
                failures.append(exc)
                stop.set()

        return run

    @guarded
    def writer(name: str) -> None:
        for i in range(2000):
            if stop.is_set():
                return
            try:
                p = {"access_token": emu.token("contacts")}
            except Exception:  # a reset between gettoken and its answer: try again
                continue
            mobile = f"1{3 if name == 'a' else 5}9{i:08d}"
            calls = [
                (
                    "POST",
                    "user/create",
                    {"userid": f"{name}{i}", "name": "并发", "department": [1], "mobile": mobile},
                ),
                ("POST", "user/update", {"userid": "zhangsan", "position": f"{name}{i}"}),
                ("POST", "department/create", {"name": f"部{name}{i}", "parentid": 1}),
                ("POST", "tag/create", {"tagname": f"标签{name}{i}"}),
            ]
            method, api, body = calls[i % len(calls)]
            codes.append(emu.call(method, api, params=p, json=body)["errcode"])

    @guarded
    def reader() -> None:
        while not stop.is_set():
            reads.departments(emu)
            reads.members(emu, limit=20)
            reads.company(emu)
            reads.state_summary(emu)  # a digest of everything: holds the corp's lock a while

    threads = [threading.Thread(target=writer, args=(n,)) for n in "ab"]
    threads.append(threading.Thread(target=reader))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for t in threads:
            t.start()
        for k in range(10):
            deadline = time.monotonic() + 30
            while len(codes) < 30 * (k + 1) and not stop.is_set() and time.monotonic() < deadline:
                time.sleep(0.001)  # until the writers are well under way
            emu.advance(60)
            if k % 2:
                emu.reset()
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        sys.setswitchinterval(interval)
    assert not failures, failures
    assert codes.count(0) > 0
    expected = emu.state_fingerprint()
    assert Emulator(state=path).state_fingerprint() == expected
    emu.storage.close()
    assert Emulator(state=path).state_fingerprint() == expected


def test_a_new_corps_first_snapshot_does_not_complete_a_reset_in_progress(
    tmp_path: Path,
) -> None:
    from mock_server.core.state import Corp

    path = fresh_path(tmp_path)
    emu = Emulator(state=path)
    with sqlite3.connect(path) as db:  # what a reset does first
        db.execute("UPDATE meta SET value = '0' WHERE key = 'complete'")
    corp = Corp("wwlater0000000000001", clock=emu.clock, ids=emu.ids, stores=emu.store_factories)
    emu.corps[corp.corpid] = corp
    emu.storage.flush()  # the new corp's first snapshot, with the corps list
    with sqlite3.connect(path) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert meta["complete"] == "0" and corp.corpid in meta["corps"].split(",")
    emu.reset()
    with sqlite3.connect(path) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert meta["complete"] == "1"
