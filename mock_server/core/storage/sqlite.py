"""The SQLite storage: one row per store key, list element and entity (see the package docs)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import pickle
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mock_server.core.state import Agent, Corp
from mock_server.core.storage.base import (
    _EMPTY,
    _PROTO,
    FORMAT,
    FORMAT_VERSION,
    StateFileError,
    Storage,
)
from mock_server.core.storage.parts import GLOBAL_PARTS
from mock_server.core.storage.tracking import TrackedDict, TrackedList

# The engine (not imported: it imports this package).
Emulator = Any

# ---------------------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------------------
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
  corp TEXT NOT NULL, store TEXT NOT NULL, attr TEXT NOT NULL, key BLOB NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (corp, store, attr, key)
) WITHOUT ROWID;
"""
_ENTITY = "#e"
_META = "#meta"
_CORP = "#corp"
_GLOBAL = "#global"

_entity_types: dict[type, bool] = {}
_PLAIN_TYPES = frozenset(
    {str, int, float, bool, type(None), bytes, list, dict, tuple, set, frozenset, TrackedDict}
)


def _is_entity(obj: Any) -> bool:
    t = type(obj)
    known = _entity_types.get(t)
    if known is None:
        known = dataclasses.is_dataclass(t) and t is not Agent
        _entity_types[t] = known
    return known


def _key(value: Any) -> bytes:
    return pickle.dumps(value, _PROTO)


def _seq_key(n: int) -> bytes:
    return b"#" + n.to_bytes(8, "big")


def _oid_key(oid: int) -> bytes:
    return oid.to_bytes(8, "big")


class _Pickler(pickle.Pickler):
    """Pickles one row: the Corp back-reference and nested entities become references."""

    def __init__(self, buf: io.BytesIO, storage: SqliteStorage, root: Any) -> None:
        super().__init__(buf, _PROTO)
        self.storage = storage
        self.root = root
        self.reached: list[Any] = []

    def persistent_id(self, obj: Any) -> Any:
        t = type(obj)
        if t in _PLAIN_TYPES or obj is self.root:
            return None
        if t is Corp:
            return "corp"
        if _is_entity(obj):
            self.reached.append(obj)
            return self.storage._oid_of(obj)
        return None


class SqliteStorage(Storage):
    """State in one SQLite file (WAL). See the module docstring for the layout."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = _connect(self.path)
        self._emu: Emulator | None = None
        # id(entity) -> (entity, oid): the strong reference keeps ids from being reused.
        self._known: dict[int, tuple[Any, int]] = {}
        self._next_oid = 1
        self._oid_written = 0
        # (corp, store, attr) -> {key: hash of the bytes last written}.
        self._written: dict[tuple[str, str, str], dict[bytes, int]] = {}
        self._globals_written: dict[str, bytes] = {}
        self._since_prune = 0
        # Lists: the sequence number of each element's row, in list order.
        self._list_seqs: dict[tuple[str, str, str], list[int]] = {}
        self._list_next: dict[tuple[str, str, str], int] = {}
        self.writes = 0
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
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()

    def info(self) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute("SELECT count(*) FROM rows").fetchone()[0]
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        return {
            "backend": "sqlite",
            "path": str(self.path),
            "rows": rows,
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
    def _oid_of(self, obj: Any) -> int:
        known = self._known.get(id(obj))
        if known is not None and known[0] is obj:
            return known[1]
        oid = self._next_oid
        self._next_oid += 1
        self._known[id(obj)] = (obj, oid)
        return oid

    def _dump(self, root: Any) -> tuple[bytes, list[Any]]:
        buf = io.BytesIO()
        p = _Pickler(buf, self, root)
        p.dump(root)
        return buf.getvalue(), p.reached

    def _corp_rows(
        self, corp: Corp, full: bool
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(upserts, deletes) for a corp: touched rows only unless ``full``."""
        cid = corp.corpid
        upserts: list[tuple[Any, ...]] = []
        deletes: list[tuple[Any, ...]] = []
        entities: list[Any] = []

        def put(store: str, attr: str, key: bytes, value: Any) -> None:
            data, reached = self._dump(value)
            entities.extend(reached)
            written = self._written.setdefault((cid, store, attr), {})
            h = hash(data)
            if full or written.get(key) != h:
                written[key] = h
                upserts.append((cid, store, attr, key, data))

        corp_head = {
            "name": corp.name,
            "agents": corp.agents,
            "secrets": corp.secrets,
            "settings": corp.settings,
        }
        put(_CORP, _META, _EMPTY, corp_head)
        stores = corp.stores
        if type(stores) is not TrackedDict:
            stores = corp.stores = TrackedDict(stores)
            stores._all = True
        # Only the stores a transaction reached (``corp.store(name)``) can have changed.
        if full or stores._all:
            names = list(dict.keys(stores))
        else:
            names = [n for n in stores._touched if dict.__contains__(stores, n)]
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
                    value = TrackedDict(value) if t is dict else TrackedList(value)
                    value._all = True
                    setattr(st, attr, value)
                    t = type(value)
                if t is TrackedDict:
                    if full or value._all:
                        keys: Iterable[Any] = list(dict.keys(value))
                        if not full:
                            self._stale_keys(cid, sname, attr, value, deletes)
                    else:
                        keys = list(value._touched)
                    value._touched = set()
                    value._all = False
                    for k in keys:
                        kb = _key(k)
                        if dict.__contains__(value, k):
                            put(sname, attr, kb, dict.__getitem__(value, k))
                        else:
                            written = self._written.get((cid, sname, attr), {})
                            if written.pop(kb, None) is not None:
                                deletes.append((cid, sname, attr, kb))
                elif t is TrackedList:
                    self._list_rows(cid, sname, attr, value, full, put, deletes)
                else:
                    meta[attr] = value
            put(sname, _META, _EMPTY, meta)
        # Entities reached from the rows written above (and the entities they reach).
        seen: set[int] = set()
        while entities:
            obj = entities.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            oid = self._oid_of(obj)
            data, reached = self._dump(obj)
            entities.extend(reached)
            written = self._written.setdefault((cid, _ENTITY, _ENTITY), {})
            ok = _oid_key(oid)
            h = hash(data)
            if full or written.get(ok) != h:
                written[ok] = h
                upserts.append((cid, _ENTITY, _ENTITY, ok, data))
        return upserts, deletes

    def _list_rows(
        self,
        cid: str,
        sname: str,
        attr: str,
        value: TrackedList,
        full: bool,
        put: Callable[[str, str, bytes, Any], None],
        deletes: list[tuple[Any, ...]],
    ) -> None:
        """One row per element keyed by a sequence number: appends add rows, front cuts
        delete the oldest; any other change renumbers the whole list."""
        ident = (cid, sname, "#list:" + attr)
        seqs = self._list_seqs.get(ident)
        items = list(list.__iter__(value))
        if (
            full
            or value._all
            or seqs is None
            or len(seqs) != len(items) - value._appended + value._front_cut
        ):
            written = self._written.get((cid, sname, attr), {})
            for kb in list(written):
                deletes.append((cid, sname, attr, kb))
            written.clear()
            seqs = self._list_seqs[ident] = []
            start = 0
        else:
            cut = value._front_cut
            for n in seqs[:cut]:
                kb = _seq_key(n)
                self._written.get((cid, sname, attr), {}).pop(kb, None)
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

    def _stale_keys(
        self, cid: str, sname: str, attr: str, value: dict[Any, Any], deletes: list[tuple[Any, ...]]
    ) -> None:
        """Rows of keys no longer in a dict that was reached as a whole."""
        written = self._written.get((cid, sname, attr))
        if not written:
            return
        present = {_key(k) for k in dict.keys(value)}
        for kb in [kb for kb in written if kb not in present]:
            del written[kb]
            deletes.append((cid, sname, attr, kb))

    def _global_rows(self, full: bool) -> list[tuple[Any, ...]]:
        emu = self._emu
        assert emu is not None
        out = []
        for name, get, _put in GLOBAL_PARTS:
            data = pickle.dumps(get(emu), _PROTO)
            if full or self._globals_written.get(name) != data:
                self._globals_written[name] = data
                out.append(("", _GLOBAL, name, _EMPTY, data))
        return out

    def _apply(self, upserts: list[tuple[Any, ...]], deletes: list[tuple[Any, ...]]) -> None:
        if not upserts and not deletes:
            return
        db = self._db
        with db:
            db.executemany(
                "DELETE FROM rows WHERE corp=? AND store=? AND attr=? AND key=?", deletes
            )
            db.executemany("INSERT OR REPLACE INTO rows VALUES (?,?,?,?,?)", upserts)
            if self._next_oid != self._oid_written:
                self._oid_written = self._next_oid
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('next_oid', ?)", (str(self._next_oid),)
                )
        self.writes += 1

    def flush_corp(self, corp: Corp) -> None:
        with self._lock:
            upserts, deletes = self._corp_rows(corp, full=False)
            upserts += self._global_rows(False)
            self._apply(upserts, deletes)
            self._maybe_prune()

    def flush(self) -> None:
        emu = self._emu
        if emu is None:
            return
        with self._lock:
            upserts: list[tuple[Any, ...]] = []
            deletes: list[tuple[Any, ...]] = []
            for corp in list(emu.corps.values()):
                with corp.lock:
                    u, d = self._corp_rows(corp, full=False)
                upserts += u
                deletes += d
            upserts += self._global_rows(False)
            self._apply(upserts, deletes)
            self._maybe_prune()

    def rewrite(self) -> None:
        emu = self._emu
        assert emu is not None
        with self._lock:
            self._written.clear()
            self._globals_written.clear()
            self._known.clear()
            self._list_seqs.clear()
            upserts: list[tuple[Any, ...]] = []
            for corp in list(emu.corps.values()):
                with corp.lock:
                    upserts += self._corp_rows(corp, full=True)[0]
            upserts += self._global_rows(True)
            db = self._db
            with db:
                db.execute("DELETE FROM rows")
                db.execute("DELETE FROM meta")
                db.executemany("INSERT INTO rows VALUES (?,?,?,?,?)", upserts)
                _write_meta(db, self._next_oid, [c.corpid for c in emu.corps.values()])
            self.writes += 1

    def _maybe_prune(self) -> None:
        """Forget entities nothing refers to any more (dropped messages, deleted follows)."""
        self._since_prune += 1
        if self._since_prune < 2000:
            return
        self._since_prune = 0
        dead = [k for k, (obj, _oid) in self._known.items() if sys.getrefcount(obj) <= 3]
        if not dead:
            return
        deletes = []
        for k in dead:
            _obj, oid = self._known.pop(k)
            for cid in list(self._emu.corps) if self._emu else []:
                written = self._written.get((cid, _ENTITY, _ENTITY), {})
                if written.pop(_oid_key(oid), None) is not None:
                    deletes.append((cid, _ENTITY, _ENTITY, _oid_key(oid)))
        self._apply([], deletes)

    # -- reading ---------------------------------------------------------------------------
    def _load(self) -> None:
        emu = self._emu
        assert emu is not None
        db = self._db
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        self._next_oid = int(meta.get("next_oid", "1"))
        rows = db.execute("SELECT corp, store, attr, key, value FROM rows").fetchall()
        by_corp: dict[str, list[tuple[str, str, bytes, bytes]]] = {}
        entities: dict[str, list[tuple[bytes, bytes]]] = {}
        glob: dict[str, bytes] = {}
        for corp, store, attr, key, value in rows:
            if store == _ENTITY:
                entities.setdefault(corp, []).append((key, value))
            elif store == _GLOBAL:
                glob[attr] = value
            else:
                by_corp.setdefault(corp, []).append((store, attr, key, value))
        del rows
        from mock_server.core.state import Corp as CorpClass

        corps: dict[str, Corp] = {}
        for cid in meta.get("corps", "").split(","):
            if not cid:
                continue
            corp = CorpClass(cid, clock=emu.clock, ids=emu.ids, stores=emu.store_factories)
            done = self._load_entities(corp, entities.pop(cid, []))
            self._load_corp(corp, by_corp.pop(cid, []), done)
            corps[cid] = corp
        emu.corps = corps
        for name, _get, put in GLOBAL_PARTS:
            if name in glob:
                put(emu, pickle.loads(glob[name]))
                self._globals_written[name] = glob[name]
        for corp in corps.values():
            contacts = corp.stores.get("contacts")
            if contacts is not None and hasattr(contacts, "touch"):
                contacts.touch()

    def _load_entities(self, corp: Corp, items: list[tuple[bytes, bytes]]) -> dict[int, Any]:
        """Every entity of a corp through one Unpickler; references to entities not read yet
        are patched once all are read."""
        done: dict[int, Any] = {}
        patch: list[Any] = []
        state = {"ref": False}

        def resolve(pid: Any) -> Any:
            if pid == "corp":
                return corp
            obj = done.get(pid)
            if obj is None:
                state["ref"] = True
                return _Ref(pid)
            return obj

        u = _RowUnpickler(b"".join(v for _, v in items), resolve)
        written = self._written.setdefault((corp.corpid, _ENTITY, _ENTITY), {})
        known = self._known
        for key, _value in items:
            state["ref"] = False
            obj = u.load()
            oid = int.from_bytes(key, "big")
            done[oid] = obj
            known[id(obj)] = (obj, oid)
            written[key] = 0  # on disk; the first flush that reaches it compares afresh
            if state["ref"]:
                patch.append(obj)
        for obj in patch:
            _patch_refs(obj, done)
        return done

    def _load_corp(
        self, corp: Corp, rows: list[tuple[str, str, bytes, bytes]], done: dict[int, Any]
    ) -> None:
        cid = corp.corpid

        def resolve(pid: Any) -> Any:
            if pid == "corp":
                return corp
            try:
                return done[pid]
            except KeyError:
                raise StateFileError(f"{cid}: entity {pid} is referenced but missing") from None

        u = _RowUnpickler(b"".join(r[3] for r in rows), resolve)
        stores: dict[str, dict[str, Any]] = {}
        lists: dict[tuple[str, str], list[tuple[bytes, Any]]] = {}
        for store, attr, key, _value in rows:
            obj = u.load()
            self._written.setdefault((cid, store, attr), {})[key] = 0
            if store == _CORP:
                corp.name = obj["name"]
                corp.agents = obj["agents"]
                corp.secrets = obj["secrets"]
                corp.settings = obj["settings"]
                continue
            parts = stores.setdefault(store, {})
            if attr == _META:
                parts[_META] = obj
            elif key[:1] == b"#":
                lists.setdefault((store, attr), []).append((key, obj))
            else:
                d = parts.get(attr)
                if d is None:
                    d = parts[attr] = TrackedDict()
                dict.__setitem__(d, pickle.loads(key), obj)
        for (store, attr), elems in lists.items():
            elems.sort(key=lambda e: e[0])
            seqs = [int.from_bytes(k[1:], "big") for k, _ in elems]
            ident = (cid, store, "#list:" + attr)
            self._list_seqs[ident] = seqs
            self._list_next[ident] = (seqs[-1] + 1) if seqs else 0
            stores.setdefault(store, {})[attr] = TrackedList(o for _, o in elems)
        for sname, parts in stores.items():
            meta_row = parts.pop(_META, None)
            if meta_row is None:
                raise StateFileError(f"store {sname} of {cid} has no #meta row")
            cls = meta_row.pop("__class__")
            st = cls.__new__(cls)
            vars(st).update(meta_row)
            for attr, value in parts.items():
                setattr(st, attr, value)
            # Containers with no row (empty ones) and caches come back empty.
            fresh = corp.stores.get(sname)
            if fresh is not None:
                for attr, value in vars(fresh).items():
                    if attr not in vars(st):
                        setattr(st, attr, value)
            corp.stores[sname] = st


class _Ref:
    """A reference to an entity read later than the entity that holds it."""

    __slots__ = ("oid",)

    def __init__(self, oid: int) -> None:
        self.oid = oid


class _RowUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, resolve: Callable[[Any], Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.resolve = resolve

    def persistent_load(self, pid: Any) -> Any:
        return self.resolve(pid)


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


def _write_meta(db: sqlite3.Connection, next_oid: int, corps: list[str]) -> None:
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
            ("next_oid", str(next_oid)),
            ("complete", "1"),
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
