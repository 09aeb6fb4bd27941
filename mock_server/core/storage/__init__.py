"""Where the sandbox's state lives: in memory (the default) or in an SQLite file (``--state``).

One interface, :class:`Storage`, sits between the emulator and the place state is kept, so a
store shared by several server processes can be added later without touching any family.

How the SQLite storage works (no replay of HTTP requests): a snapshot per corp, plus a log
of the row changes written since.

* **Snapshot**: one row per corp (``snapshot`` table) holding the whole corp (its agents,
  secrets and every family store) in one pickle, with the list of the entities in it
  (every dataclass instance) and their ids. Start-up reads it in one go: one
  ``Unpickler.load`` per corp instead of one per key.
* **Log**: a family store is plain data. Each of its top-level ``dict`` attributes is a row
  per key, each top-level ``list`` a row per element, its other attributes one ``#meta``
  row; every entity is a row of its own (``#e``), referenced by id from the rows that hold
  it, so objects shared between two containers (a customer's follow in ``follows`` and in
  ``by_user``) stay one object. The top-level containers are swapped for
  :class:`TrackedDict` / :class:`TrackedList`, which note the keys a transaction reached.
  When an API call ends (before the answer is sent) exactly those rows and the entities
  they reach are pickled again; the rows whose bytes changed are appended to the ``log``
  table in one SQLite transaction (a deleted key appends a tombstone). Appending touches
  one or two database pages, whatever the size of the corp.
* **Compaction**: once a corp's log holds ``5,000`` rows plus a quarter of its snapshot's
  entities (and when the server stops), the corp is snapshotted again and its log rows are
  deleted, in one transaction. Start-up reads the snapshot, then the log rows since (the
  last row of a key wins).
* Emulator-wide parts (clock offset, ids, access_tokens, and what plugins declare in
  ``Plugin.persist``: fault rules, callback settings) are log rows too, with a snapshot of
  their own.
* The database runs in WAL mode with ``synchronous=NORMAL``: a committed write survives the
  process being killed (``kill -9``); a power cut may lose the last commits but never
  corrupts the file (SQLite's WAL checksums drop a torn tail).
* The values are pickles: a state file must come from a source you trust, like code.
"""

from mock_server.core.storage.base import (
    FORMAT,
    FORMAT_VERSION,
    MemoryStorage,
    StateFileError,
    Storage,
)
from mock_server.core.storage.files import describe_file, export_state, import_state
from mock_server.core.storage.parts import CORE_PARTS, global_parts
from mock_server.core.storage.sqlite import SqliteStorage, check_meta
from mock_server.core.storage.tracking import TrackedDict, TrackedList

__all__ = [
    "CORE_PARTS",
    "FORMAT",
    "FORMAT_VERSION",
    "MemoryStorage",
    "SqliteStorage",
    "StateFileError",
    "Storage",
    "TrackedDict",
    "TrackedList",
    "check_meta",
    "describe_file",
    "export_state",
    "global_parts",
    "import_state",
]
