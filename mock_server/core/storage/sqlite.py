"""The SQLite storage: a snapshot per corp plus a log of row changes (see the package docs)."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import io
import pickle
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from mock_server.core.state import Agent, Corp
from mock_server.core.storage.base import (
    _EMPTY,
    _PROTO,
    FORMAT,
    FORMAT_VERSION,
    StateFileError,
    Storage,
)
from mock_server.core.storage.parts import global_parts
from mock_server.core.storage.tracking import TrackedDict, TrackedList

# The engine (not imported: it imports this package).
Emulator = Any

# ---------------------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------------------
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot (corp TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log (
  seq INTEGER PRIMARY KEY,
  corp TEXT NOT NULL, store TEXT NOT NULL, attr TEXT NOT NULL, key BLOB NOT NULL,
  value BLOB
);
"""
_ENTITY = "#e"
_META = "#meta"
_CORP = "#corp"
_GLOBAL = "#global"
# The snapshot of the emulator-wide parts (clock, ids, tokens, faults, callbacks...).
_GLOBAL_CORP = ""
# The key of a log row saying that every key of a dict before it is gone (the dict was
# replaced by another object).
_CLEARED = b"*"
# A corp's log is folded into its snapshot once it holds this many rows plus a quarter of
# the snapshot's entities: start-up then reads at most that many rows per corp.
_COMPACT_MIN = 5000
_SNAP_PROTO = 5
# A stop folds a log of at least this many rows into the snapshot (a short one is cheaper to
# read back than a big corp is to serialise again).
_COMPACT_ON_CLOSE = 500

_entity_types: dict[type, bool] = {}


def _is_entity(obj: Any) -> bool:
    t = type(obj)
    known = _entity_types.get(t)
    if known is None:
        known = dataclasses.is_dataclass(t) and t is not Agent
        _entity_types[t] = known
    return known


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector waits while a whole corp is pickled or unpickled: the
    allocations would trigger full collections walking the corp over and over (about 45% of
    a 10,000-member corp's snapshot, taken under its lock). Process-wide, for well under a
    second; a collector the host turned off stays off."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _key(value: Any) -> bytes:
    return pickle.dumps(value, _PROTO)


def _seq_key(n: int) -> bytes:
    return b"#" + n.to_bytes(8, "big")


def _oid_key(oid: int) -> bytes:
    return oid.to_bytes(8, "big")


Known = dict[int, tuple[Any, int]]


def _corp_ref() -> Any:
    """Stands for the corp in a pickled row; only the storage's unpickler can resolve it."""
    raise StateFileError("a state file row read outside the state file loader")


def _entity_ref(oid: int) -> Any:
    """Stands for an entity (by id) in a pickled row; resolved by the storage's unpickler."""
    raise StateFileError("a state file row read outside the state file loader")


# ``reducer_override`` (not ``persistent_id``) marks references: the C pickler calls it for
# objects that are not plain str/int/list/dict/..., so plain data costs no Python call.
class _RowPickler(pickle.Pickler):
    """Pickles one row: the Corp back-reference and nested entities become references."""

    def __init__(self, buf: io.BytesIO, storage: SqliteStorage, known: Known) -> None:
        super().__init__(buf, _PROTO)
        self.storage = storage
        self.known = known
        self.root: Any = None
        self.reached: list[Any] = []

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Corp:
            return (_corp_ref, ())
        if obj is self.root or not _is_entity(obj):
            return NotImplemented
        self.reached.append(obj)
        return (_entity_ref, (self.storage._oid_of(self.known, obj),))


class _SnapshotPickler(pickle.Pickler):
    """Pickles a whole corp; every entity met is listed with its oid (rows written after the
    snapshot refer to entities by oid)."""

    def __init__(self, buf: io.BytesIO, storage: SqliteStorage, known: Known) -> None:
        super().__init__(buf, _SNAP_PROTO)
        self.storage = storage
        self.old = known
        self.known: Known = {}
        self.entities: list[tuple[int, Any]] = []

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Corp:
            return (_corp_ref, ())
        if _is_entity(obj) and id(obj) not in self.known:
            oid = self.storage._oid_of(self.old, obj)
            self.known[id(obj)] = (obj, oid)
            self.entities.append((oid, obj))
        return NotImplemented


class _NextOid:
    """Pickled as the storage's next entity id *after* the entities before it got theirs."""

    def __init__(self, storage: SqliteStorage) -> None:
        self.storage = storage

    def __reduce__(self) -> Any:
        return (int, (self.storage._next_oid,))


class SqliteStorage(Storage):
    """State in one SQLite file (WAL). See the package docstring for the layout."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = _connect(self.path)
        self._emu: Emulator | None = None
        # Per corp: id(entity) -> (entity, oid); the strong reference keeps ids from being
        # reused. Rebuilt from what is reachable at each snapshot.
        self._known: dict[str, Known] = {}
        # Entities of a snapshot just read, not indexed by object yet (see _known_of).
        self._unindexed: dict[str, list[tuple[int, Any]]] = {}
        self._next_oid = 1
        # (corp, store, attr) -> {key: hash of the bytes last logged}.
        self._written: dict[tuple[str, str, str], dict[bytes, int]] = {}
        self._globals_written: dict[str, bytes] = {}
        self._since_prune = 0
        # Lists: the sequence number of each element's row, in list order.
        self._list_seqs: dict[tuple[str, str, str], list[int]] = {}
        self._list_next: dict[tuple[str, str, str], int] = {}
        # Log rows per corp since its snapshot, and when to fold them in.
        self._log_rows: dict[str, int] = {}
        self._compact_at: dict[str, int] = {}
        self._corp_order: list[str] = []
        self.writes = 0
        self.compactions = 0
        self.load_seconds = 0.0

    # -- lifecycle -------------------------------------------------------------------------
    def attach(self, emu: Emulator) -> None:
        self._emu = emu
        started = time.perf_counter()
        with self._lock:
            if self._has_state():
                self._load()
            else:
                self.rewrite()
        self.load_seconds = time.perf_counter() - started

    def close(self) -> None:
        """Fold the logs into snapshots (the next start reads one row per corp), then close."""
        emu = self._emu
        with contextlib.suppress(sqlite3.Error):
            if emu is not None:
                for corp in list(emu.corps.values()):
                    with corp.lock, self._lock:
                        self._flush_corp_locked(corp)
                        if self._log_rows.get(corp.corpid, 0) >= _COMPACT_ON_CLOSE:
                            self._write_snapshots({corp.corpid: self._snapshot(corp)})
                with self._lock:
                    self._flush_globals()
                    if self._log_rows.get(_GLOBAL_CORP, 0):
                        self._write_snapshots({_GLOBAL_CORP: self._globals_snapshot()})
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()

    def info(self) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute("SELECT count(*) FROM log").fetchone()[0]
            size = self._db.execute("SELECT coalesce(sum(length(value)), 0) FROM snapshot")
            snapshot_bytes = size.fetchone()[0]
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        return {
            "backend": "sqlite",
            "path": str(self.path),
            "rows": rows,
            "snapshot_bytes": snapshot_bytes,
            "format": meta.get("format"),
            "format_version": int(meta.get("format_version", 0)),
            "saved_by": meta.get("saved_by"),
            "load_seconds": round(self.load_seconds, 3),
        }

    def _has_state(self) -> bool:
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not meta:
            return False
        check_meta(meta)
        return meta.get("complete") == "1"

    # -- writing ---------------------------------------------------------------------------
    def _known_of(self, cid: str) -> Known:
        known = self._known.get(cid)
        if known is None:
            pending = self._unindexed.pop(cid, ())
            known = self._known[cid] = {id(obj): (obj, oid) for oid, obj in pending}
        return known

    def _oid_of(self, known: Known, obj: Any) -> int:
        found = known.get(id(obj))
        if found is not None and found[0] is obj:
            return found[1]
        oid = self._next_oid
        self._next_oid += 1
        known[id(obj)] = (obj, oid)
        return oid

    def _corp_rows(self, corp: Corp) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(upserts, deletes) for what transactions reached in ``corp`` since the last flush."""
        cid = corp.corpid
        upserts: list[tuple[Any, ...]] = []
        deletes: list[tuple[Any, ...]] = []
        entities: list[Any] = []
        known = self._known_of(cid)
        buf = io.BytesIO()
        pickler = _RowPickler(buf, self, known)

        def dump(value: Any) -> bytes:
            buf.seek(0)
            buf.truncate()
            pickler.clear_memo()
            pickler.root = value
            pickler.dump(value)
            entities.extend(pickler.reached)
            pickler.reached = []
            return buf.getvalue()

        def put(store: str, attr: str, key: bytes, value: Any) -> None:
            data = dump(value)
            written = self._written.setdefault((cid, store, attr), {})
            h = hash(data)
            if written.get(key) != h:
                written[key] = h
                upserts.append((cid, store, attr, key, data))

        put(_CORP, _META, _EMPTY, _corp_head(corp))
        stores = corp.stores
        if type(stores) is not TrackedDict:
            stores = corp.stores = TrackedDict(stores)
            stores._all = True
        # Only the stores a transaction reached (``corp.store(name)``) can have changed.
        # The touched sets are copied first (``list()`` of a set runs no Python code, so no
        # other thread runs in between): a hook or the dashboard reading without the corp's
        # lock adds to them, and iterating the set itself would then fail mid-flush.
        if stores._all:
            names = list(dict.keys(stores))
        else:
            names = [n for n in list(stores._touched) if dict.__contains__(stores, n)]
        stores._touched = set()
        stores._all = False
        for sname in names:
            st = dict.__getitem__(stores, sname)
            attrs = vars(st)
            meta: dict[str, Any] = {"__class__": type(st)}
            for attr, value in list(attrs.items()):
                if attr.endswith("_cache"):
                    continue
                t = type(value)
                if t is dict or t is list:  # new or replaced container: track it from now on
                    if t is dict:
                        # The keys of the container it replaced are gone: one row says so.
                        deletes.append((cid, sname, attr, _CLEARED))
                        self._written.pop((cid, sname, attr), None)
                    value = TrackedDict(value) if t is dict else TrackedList(value)
                    value._all = True
                    setattr(st, attr, value)
                    t = type(value)
                if t is TrackedDict:
                    keys: Iterable[Any] = list(dict.keys(value) if value._all else value._touched)
                    removed = list(value._removed)
                    value._touched = set()
                    value._removed = set()
                    value._all = False
                    for k in keys:
                        if dict.__contains__(value, k):
                            put(sname, attr, _key(k), dict.__getitem__(value, k))
                    written = self._written.get((cid, sname, attr))
                    for k in removed:
                        if not dict.__contains__(value, k):  # not put back since
                            kb = _key(k)
                            if written is not None:
                                written.pop(kb, None)
                            deletes.append((cid, sname, attr, kb))
                elif t is TrackedList:
                    self._list_rows(cid, sname, attr, value, put, deletes)
                else:
                    meta[attr] = value
            put(sname, _META, _EMPTY, meta)
        # Entities reached from the rows written above (and the entities they reach).
        seen: set[int] = set()
        ewritten = self._written.setdefault((cid, _ENTITY, _ENTITY), {})
        while entities:
            obj = entities.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            oid = self._oid_of(known, obj)
            # The entity itself is the root: pickled in full, its own entities by reference.
            data = dump(obj)
            ok = _oid_key(oid)
            h = hash(data)
            if ewritten.get(ok) != h:
                ewritten[ok] = h
                upserts.append((cid, _ENTITY, _ENTITY, ok, data))
        return upserts, deletes

    def _list_rows(
        self,
        cid: str,
        sname: str,
        attr: str,
        value: TrackedList,
        put: Callable[[str, str, bytes, Any], None],
        deletes: list[tuple[Any, ...]],
    ) -> None:
        """One row per element keyed by a sequence number: appends add rows, front cuts
        delete the oldest; any other change renumbers the whole list."""
        ident = (cid, sname, "#list:" + attr)
        seqs = self._list_seqs.get(ident)
        items = list(list.__iter__(value))
        written = self._written.setdefault((cid, sname, attr), {})
        if (
            seqs is None
            or value._all
            or len(seqs) != len(items) - value._appended + value._front_cut
        ):
            for n in seqs or ():
                written.pop(_seq_key(n), None)
                deletes.append((cid, sname, attr, _seq_key(n)))
            seqs = self._list_seqs[ident] = []
            start = 0
        else:
            cut = value._front_cut
            for n in seqs[:cut]:
                kb = _seq_key(n)
                written.pop(kb, None)
                deletes.append((cid, sname, attr, kb))
            del seqs[:cut]
            start = len(items) - value._appended
        nxt = self._list_next.get(ident, 0)
        for item in items[start:]:
            seqs.append(nxt)
            put(sname, attr, _seq_key(nxt), item)
            nxt += 1
        self._list_next[ident] = nxt
        value._reset()

    def _global_rows(self) -> list[tuple[Any, ...]]:
        emu = self._emu
        assert emu is not None
        out = []
        for part in global_parts(emu):
            name = part.name
            data = pickle.dumps(part.get(emu), _PROTO)
            if self._globals_written.get(name) != data:
                self._globals_written[name] = data
                out.append((_GLOBAL_CORP, _GLOBAL, name, _EMPTY, data))
        return out

    def _append(self, upserts: list[tuple[Any, ...]], deletes: list[tuple[Any, ...]]) -> None:
        """Append the rows to the log in one transaction (committed before the answer)."""
        if not upserts and not deletes:
            return
        db = self._db
        with db:
            if deletes:
                db.executemany(
                    "INSERT INTO log (corp, store, attr, key, value) VALUES (?,?,?,?,NULL)",
                    deletes,
                )
            db.executemany(
                "INSERT INTO log (corp, store, attr, key, value) VALUES (?,?,?,?,?)", upserts
            )
        for row in (*upserts, *deletes):
            self._log_rows[row[0]] = self._log_rows.get(row[0], 0) + 1
        self.writes += 1

    def _flush_corp_locked(self, corp: Corp, with_globals: bool = False) -> None:
        """Under the corp's lock and the storage lock: log the corp's changes (and the
        emulator-wide parts' if asked: one commit for both), fold a log that has grown into
        a new snapshot."""
        cid = corp.corpid
        emu = self._emu
        if emu is not None and emu.corps.get(cid) is not corp:
            # A corp a reset replaced (a call that began before the reset flushes late): its
            # changes are not the new corp's, and logged under its corpid they would be
            # replayed onto it at the next start. Checked under the storage lock, so either
            # the reset's snapshot comes after (and supersedes) or this is skipped.
            if with_globals:
                self._flush_globals()
            return
        if cid not in self._compact_at:  # a corp that has no snapshot yet
            self._write_snapshots({cid: self._snapshot(corp)}, corps_meta=True)
            if with_globals:
                self._flush_globals()
            return
        upserts, deletes = self._corp_rows(corp)
        if with_globals:
            upserts += self._global_rows()
        self._append(upserts, deletes)
        if self._log_rows.get(cid, 0) >= self._compact_at[cid]:
            self._write_snapshots({cid: self._snapshot(corp)})
        if with_globals:
            self._maybe_compact_globals()

    def _flush_globals(self) -> None:
        self._append(self._global_rows(), [])
        self._maybe_compact_globals()

    def _maybe_compact_globals(self) -> None:
        if self._log_rows.get(_GLOBAL_CORP, 0) >= _COMPACT_MIN:
            self._write_snapshots({_GLOBAL_CORP: self._globals_snapshot()})

    def flush_corp(self, corp: Corp) -> None:
        with corp.lock, self._lock:
            self._flush_corp_locked(corp, with_globals=True)
            self._maybe_prune()

    def flush(self) -> None:
        emu = self._emu
        if emu is None:
            return
        corps = list(emu.corps.values())
        if not corps:
            with self._lock:
                self._flush_globals()
            return
        # Always the corp's lock first, then the storage lock (as a transaction does); the
        # emulator-wide parts go with the last corp's rows, in the same commit.
        for i, corp in enumerate(corps):
            with corp.lock, self._lock:
                self._flush_corp_locked(corp, with_globals=i == len(corps) - 1)
        with self._lock:
            self._maybe_prune()

    def rewrite(self) -> None:
        """A fresh snapshot of every corp and of the emulator-wide parts; the log is emptied.

        Each corp's snapshot is stored in the same locked step as it is taken: API calls go on
        during a reset, and a write landing in a corp after its snapshot is logged on top of
        it (kept), never under a snapshot stored later that predates it. Until the last step
        the file is marked incomplete: a start after a crash mid-way builds from the fixtures,
        which is what the reset was doing.
        """
        emu = self._emu
        assert emu is not None
        with self._lock:
            self._written.clear()
            self._globals_written.clear()
            self._known.clear()
            self._unindexed.clear()
            self._list_seqs.clear()
            self._list_next.clear()
            with self._db as db:  # (a file never completed has no meta row to mark)
                db.execute("UPDATE meta SET value = '0' WHERE key = 'complete'")
        for corp in list(emu.corps.values()):
            with corp.lock, self._lock:
                self._write_snapshots({corp.corpid: self._snapshot(corp)})
        with self._lock:
            self._global_rows()
            kept = [cid for cid in emu.corps if cid in self._compact_at]
            self._write_snapshots(
                {_GLOBAL_CORP: self._globals_snapshot()}, corps_meta=True, keep=kept
            )

    # -- snapshots -------------------------------------------------------------------------
    def _snapshot(self, corp: Corp) -> bytes:
        """The whole corp in one pickle (under its lock). Change tracking starts afresh: the
        log rows written before it are superseded."""
        cid = corp.corpid
        stores = corp.stores
        if type(stores) is not TrackedDict:
            stores = corp.stores = TrackedDict(stores)
        stores._touched = set()
        stores._all = False
        state: dict[str, tuple[type, dict[str, Any]]] = {}
        entity_count = 0
        for sname, st in list(dict.items(stores)):
            attrs: dict[str, Any] = {}
            for attr, value in list(vars(st).items()):
                if attr.endswith("_cache"):
                    continue
                t = type(value)
                if t is dict or t is TrackedDict:
                    if t is dict:
                        value = TrackedDict(value)
                        setattr(st, attr, value)
                    value._touched = set()
                    value._removed = set()
                    value._all = False
                    value = dict(dict.items(value))  # pickled as a plain dict
                elif t is list or t is TrackedList:
                    if t is list:
                        value = TrackedList(value)
                        setattr(st, attr, value)
                    value._reset()
                    self._number_list(cid, sname, attr, len(value))
                    self._written.pop((cid, sname, attr), None)
                    value = list(list.__iter__(value))
                attrs[attr] = value
            state[sname] = (type(st), attrs)
        buf = io.BytesIO()
        p = _SnapshotPickler(buf, self, self._known_of(cid))
        with _collector_paused():  # the memo's tuples would make it walk the corp many times
            p.dump((_corp_head(corp), state, p.entities, _NextOid(self)))
        self._known[cid] = p.known
        entity_count = len(p.entities)
        # Hashes of entities no longer reachable are forgotten with them.
        live = {_oid_key(oid) for oid, _ in p.entities}
        ewritten = self._written.get((cid, _ENTITY, _ENTITY))
        if ewritten:
            for ok in [ok for ok in ewritten if ok not in live]:
                del ewritten[ok]
        self._compact_at[cid] = _COMPACT_MIN + entity_count // 4
        return buf.getvalue()

    def _globals_snapshot(self) -> bytes:
        return pickle.dumps(dict(self._globals_written), _PROTO)

    def _write_snapshots(
        self,
        blobs: dict[str, bytes],
        *,
        corps_meta: bool = False,
        keep: list[str] | None = None,
    ) -> None:
        """Store snapshots and drop the log rows they supersede, in one transaction; with
        ``keep``, every corp not in it (and not written now) is dropped from the file."""
        emu = self._emu
        assert emu is not None
        db = self._db
        with db:
            if keep is not None:
                stay = {*keep, *blobs}
                stored = db.execute("SELECT corp FROM snapshot UNION SELECT corp FROM log")
                gone = [(cid,) for (cid,) in stored.fetchall() if cid not in stay]
                db.executemany("DELETE FROM snapshot WHERE corp = ?", gone)
                db.executemany("DELETE FROM log WHERE corp = ?", gone)
            for cid, blob in blobs.items():
                db.execute("INSERT OR REPLACE INTO snapshot VALUES (?, ?)", (cid, blob))
                db.execute("DELETE FROM log WHERE corp = ?", (cid,))
            if corps_meta:
                self._corp_order = list(emu.corps)
                # Only the end of a rewrite says the file is whole again (``keep``): a corp's
                # first snapshot during a reset must not.
                _write_meta(db, self._corp_order, complete=keep is not None)
        for cid in blobs:
            self._log_rows[cid] = 0
        if keep is not None:
            for cid in [c for c in self._log_rows if c not in keep and c not in blobs]:
                del self._log_rows[cid]
        self.compactions += 1
        self.writes += 1

    def _maybe_prune(self) -> None:
        """Forget entities nothing refers to any more (dropped messages, deleted follows)."""
        self._since_prune += 1
        if self._since_prune < 2000:
            return
        self._since_prune = 0
        for cid, known in self._known.items():
            dead = [k for k, (obj, _oid) in known.items() if sys.getrefcount(obj) <= 3]
            written = self._written.get((cid, _ENTITY, _ENTITY), {})
            for k in dead:
                _obj, oid = known.pop(k)
                written.pop(_oid_key(oid), None)

    # -- reading ---------------------------------------------------------------------------
    def _load(self) -> None:
        emu = self._emu
        assert emu is not None
        db = self._db
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        snaps = dict(db.execute("SELECT corp, value FROM snapshot").fetchall())
        log: dict[str, list[tuple[str, str, bytes, bytes | None]]] = {}
        for corp, store, attr, key, value in db.execute(
            "SELECT corp, store, attr, key, value FROM log ORDER BY seq"
        ):
            log.setdefault(corp, []).append((store, attr, key, value))
        from mock_server.core.state import Corp as CorpClass

        corps: dict[str, Corp] = {}
        self._corp_order = [c for c in meta.get("corps", "").split(",") if c]
        # A million small objects come back at once: the cyclic collector would walk them
        # again and again while they are made (half the load time), so it waits.
        with _collector_paused():
            for cid in self._corp_order:
                blob = snaps.get(cid)
                if blob is None:
                    raise StateFileError(f"corp {cid} has no snapshot")
                corp = CorpClass(cid, clock=emu.clock, ids=emu.ids, stores=emu.store_factories)
                entities = self._load_snapshot(corp, blob)
                rows = log.pop(cid, [])
                self._replay(corp, rows, entities)
                self._log_rows[cid] = len(rows)
                corps[cid] = corp
            # Straight to the oldest generation (a list splice): the first collection after
            # this would otherwise walk every object just read.
            gc.freeze()
            gc.unfreeze()
        emu.corps = corps
        glob: dict[str, bytes] = {}
        if _GLOBAL_CORP in snaps:
            glob.update(pickle.loads(snaps[_GLOBAL_CORP]))
        rows = log.pop(_GLOBAL_CORP, [])
        for _store, attr, _k, value in rows:
            if value is not None:
                glob[attr] = value
        self._log_rows[_GLOBAL_CORP] = len(rows)
        for part in global_parts(emu):
            name = part.name
            if name in glob:
                part.put(emu, pickle.loads(glob[name]))
                self._globals_written[name] = glob[name]
        for corp in corps.values():
            contacts = corp.stores.get("contacts")
            if contacts is not None and hasattr(contacts, "touch"):
                contacts.touch()

    def _number_list(self, cid: str, sname: str, attr: str, length: int) -> None:
        """A list as a snapshot holds it: its elements are rows 0..length-1, the next is length."""
        ident = (cid, sname, "#list:" + attr)
        self._list_seqs[ident] = list(range(length))
        self._list_next[ident] = length

    def _load_snapshot(self, corp: Corp, blob: bytes) -> list[tuple[int, Any]]:
        """Read a corp's snapshot into ``corp``; returns its (oid, entity) list."""
        cid = corp.corpid
        u = _RowUnpickler(blob, corp, _no_entity)
        try:
            head, state, entities, next_oid = u.load()
            entities = cast("list[tuple[int, Any]]", entities)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise StateFileError(f"{cid}: unreadable snapshot ({exc})") from None
        _set_corp_head(corp, head)
        self._next_oid = max(self._next_oid, next_oid)
        # The index by object is built when the first write needs it, not at start-up.
        self._known.pop(cid, None)
        self._unindexed[cid] = entities
        self._compact_at[cid] = _COMPACT_MIN + len(entities) // 4
        fresh_stores = corp.stores
        stores: dict[str, Any] = {}
        for sname, (cls, attrs) in state.items():
            st = cls.__new__(cls)
            for attr, value in attrs.items():
                t = type(value)
                if t is dict:
                    value = TrackedDict(value)
                elif t is list:
                    value = TrackedList(value)
                    self._number_list(cid, sname, attr, len(value))
                vars(st)[attr] = value
            stores[sname] = st
        for sname, fresh in fresh_stores.items():
            st = stores.get(sname)
            if st is None:  # a store this state file does not have: it starts empty
                stores[sname] = fresh
                continue
            # Attributes the file does not have (caches, newer fields) start as built.
            for attr, value in vars(fresh).items():
                if attr not in vars(st):
                    setattr(st, attr, value)
        corp.stores = TrackedDict(stores)
        return entities

    def _replay(
        self,
        corp: Corp,
        rows: list[tuple[str, str, bytes, bytes | None]],
        entities: list[tuple[int, Any]],
    ) -> None:
        """Apply the log rows written since the snapshot (the last row of a key wins)."""
        cid = corp.corpid
        latest: dict[tuple[str, str, bytes], bytes | None] = {}
        cleared: set[tuple[str, str]] = set()
        for store, attr, key, value in rows:
            if key == _CLEARED:  # the dict was replaced: the keys logged before are gone
                for k in [k for k in latest if k[0] == store and k[1] == attr]:
                    del latest[k]
                cleared.add((store, attr))
                continue
            latest[(store, attr, key)] = value
            if store == _ENTITY:
                oid = int.from_bytes(key, "big")
                if oid >= self._next_oid:
                    self._next_oid = oid + 1
        for store, attr in cleared:
            st = dict.get(corp.stores, store)
            if st is not None:
                setattr(st, attr, TrackedDict())
        if not latest:
            return
        done: dict[int, Any] = dict(entities)
        # Entities first: rows refer to them. A changed entity is updated in place, so the
        # snapshot objects that hold it see the change.
        refs = {"pending": False}

        def resolve(pid: int) -> Any:
            obj = done.get(pid)
            if obj is None:
                refs["pending"] = True
                return _Ref(pid)
            return obj

        ents = [(k[2], v) for k, v in latest.items() if k[0] == _ENTITY and v is not None]
        u = _RowUnpickler(b"".join(v for _, v in ents), corp, resolve)
        fresh: list[tuple[Any | None, Any]] = []
        for key, _value in ents:
            obj = u.load()
            oid = int.from_bytes(key, "big")
            old = done.get(oid)
            if old is None:
                done[oid] = obj
                if cid in self._known:
                    self._known[cid][id(obj)] = (obj, oid)
                else:  # indexed with the snapshot's entities by the first write
                    self._unindexed.setdefault(cid, []).append((oid, obj))
                fresh.append((None, obj))
            else:
                fresh.append((old, obj))
        if refs["pending"]:
            for _old, obj in fresh:
                _patch_refs(obj, done)
        for old, obj in fresh:
            if old is not None:
                _copy_into(old, obj)
        others = [(k, v) for k, v in latest.items() if k[0] != _ENTITY]
        u = _RowUnpickler(b"".join(v for _, v in others if v is not None), corp, resolve)
        lists: dict[tuple[str, str], list[tuple[int, Any]]] = {}
        for (store, attr, key), value in others:
            obj = u.load() if value is not None else None
            if store == _CORP:
                if obj is not None:
                    _set_corp_head(corp, obj)
                continue
            st = dict.get(corp.stores, store)
            if attr == _META:
                if obj is None:
                    continue
                cls = obj.pop("__class__")
                if st is None or type(st) is not cls:
                    st = cls.__new__(cls)
                    dict.__setitem__(corp.stores, store, st)
                vars(st).update(obj)
                continue
            if st is None:
                raise StateFileError(f"{cid}: a row of store {store} that has no snapshot")
            if key[:1] == b"#":
                lists.setdefault((store, attr), []).append((int.from_bytes(key[1:], "big"), obj))
                continue
            d = vars(st).get(attr)
            if type(d) is not TrackedDict:
                d = TrackedDict() if d is None else TrackedDict(d)
                setattr(st, attr, d)
            k = pickle.loads(key)
            if value is None:
                dict.pop(d, k, None)
            else:
                dict.__setitem__(d, k, obj)
        for (store, attr), ops in lists.items():
            st = dict.__getitem__(corp.stores, store)
            ident = (cid, store, "#list:" + attr)
            current = vars(st).get(attr)
            seqs = self._list_seqs.get(ident, [])
            by_seq = dict(zip(seqs, list(current or ()), strict=False))
            for n, obj in ops:
                if obj is None:
                    by_seq.pop(n, None)
                else:
                    by_seq[n] = obj
            order = sorted(by_seq)
            self._list_seqs[ident] = order
            self._list_next[ident] = max(
                self._list_next.get(ident, 0), (order[-1] + 1) if order else 0
            )
            setattr(st, attr, TrackedList(by_seq[n] for n in order))


def _no_entity(oid: int) -> Any:
    raise StateFileError(f"a snapshot refers to entity {oid} (snapshots hold every entity)")


def _corp_head(corp: Corp) -> dict[str, Any]:
    return {
        "name": corp.name,
        "agents": corp.agents,
        "secrets": corp.secrets,
        "settings": corp.settings,
    }


def _set_corp_head(corp: Corp, head: dict[str, Any]) -> None:
    corp.name = head["name"]
    corp.agents = head["agents"]
    corp.secrets = head["secrets"]
    corp.settings = head["settings"]


def _copy_into(old: Any, new: Any) -> None:
    """Give ``old`` the state of ``new`` (same class), keeping ``old``'s identity."""
    if hasattr(old, "__dict__"):
        d = vars(old)
        d.clear()
        d.update(vars(new))
    for f in dataclasses.fields(old):
        if not hasattr(old, "__dict__"):
            object.__setattr__(old, f.name, getattr(new, f.name))


class _Ref:
    """A reference to an entity read later than the entity that holds it."""

    __slots__ = ("oid",)

    def __init__(self, oid: int) -> None:
        self.oid = oid


class _RowUnpickler(pickle.Unpickler):
    """Reads rows and snapshots: the corp and entity references resolve here."""

    def __init__(self, data: bytes, corp: Corp, entity: Callable[[int], Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.corp = corp
        self.entity = entity

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__:
            if name == "_corp_ref":
                return lambda: self.corp
            if name == "_entity_ref":
                return self.entity
        return super().find_class(module, name)


def _patch_refs(obj: Any, done: dict[int, Any], depth: int = 0) -> Any:
    """Replace ``_Ref`` placeholders inside ``obj`` (in place where possible)."""
    if depth > 64:
        raise StateFileError("entity nesting too deep")
    if type(obj) is _Ref:
        try:
            return done[obj.oid]
        except KeyError:
            raise StateFileError(f"entity {obj.oid} is referenced but missing") from None
    if isinstance(obj, dict):
        for k, v in list(obj.items()):
            obj[k] = _patch_refs(v, done, depth + 1)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            obj[i] = _patch_refs(v, done, depth + 1)
    elif isinstance(obj, tuple):
        return type(obj)(_patch_refs(v, done, depth + 1) for v in obj) if obj else obj
    elif isinstance(obj, set):
        items = [_patch_refs(v, done, depth + 1) for v in obj]
        obj.clear()
        obj.update(items)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            fixed = _patch_refs(value, done, depth + 1)
            if fixed is not value:
                object.__setattr__(obj, f.name, fixed)
    return obj


def _write_meta(db: sqlite3.Connection, corps: list[str], *, complete: bool) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("wecom-mock")
    except PackageNotFoundError:  # run from a source tree without an install
        __version__ = "unknown"

    db.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [
            ("format", FORMAT),
            ("format_version", str(FORMAT_VERSION)),
            ("saved_by", f"wecom-mock {__version__}"),
            ("python", f"{sys.version_info.major}.{sys.version_info.minor}"),
            ("corps", ",".join(corps)),
            *([("complete", "1")] if complete else []),
        ],
    )


def check_meta(meta: dict[str, str]) -> None:
    if meta.get("format") != FORMAT:
        raise StateFileError(f"not a wecom-mock state file (format {meta.get('format')!r})")
    version = int(meta.get("format_version", "0"))
    if version > FORMAT_VERSION:
        raise StateFileError(
            f"state file format {version} is newer than this wecom-mock reads ({FORMAT_VERSION})"
        )
    if version < FORMAT_VERSION:
        raise StateFileError(
            f"state file format {version} was written by an earlier development version of "
            f"wecom-mock (one row per key); this version reads format {FORMAT_VERSION} only: "
            "start from the fixtures with a new file"
        )


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise StateFileError(f"{path}: not a usable SQLite state file ({exc})") from None
    db.isolation_level = "DEFERRED"  # "with db:" opens and commits one transaction
    return db
