"""Where the sandbox's state lives: in memory (the default) or in an SQLite file (``--state``).

One interface, :class:`Storage`, sits between the emulator and the place state is kept, so a
store shared by several server processes can be added later without touching any family.

How the SQLite storage works (no replay of HTTP requests):

* A family store is plain data. Each of its top-level ``dict`` attributes is split into one
  row per key, each top-level ``list`` into one row, and its other attributes form one
  ``#meta`` row. Every dataclass instance found inside is an *entity* with its own row
  (``#e``), referenced from the rows that hold it: objects shared between two containers
  (a customer's follow in ``follows`` and in ``by_user``) stay one object after a restart.
* The top-level containers are swapped for :class:`TrackedDict` / :class:`TrackedList`,
  which note the keys a transaction reached. When the transaction ends (before the answer
  is sent) exactly those rows and the entities they reach are pickled again; rows whose
  bytes changed are written in one SQLite transaction. A container that was iterated is
  compared row by row.
* Emulator-wide parts (clock offset, ids, access_tokens, fault rules, callback settings)
  are rows of their own, written when their bytes change.
* The database runs in WAL mode with ``synchronous=NORMAL``: a committed write survives the
  process being killed (``kill -9``); a power cut may lose the last commits but never
  corrupts the file (SQLite's WAL checksums drop a torn tail).
"""

from mock_server.core.storage.base import (
    FORMAT,
    FORMAT_VERSION,
    MemoryStorage,
    StateFileError,
    Storage,
)
from mock_server.core.storage.files import describe_file, export_state, import_state
from mock_server.core.storage.parts import GLOBAL_PARTS, register_global_part
from mock_server.core.storage.sqlite import SqliteStorage, check_meta
from mock_server.core.storage.tracking import TrackedDict, TrackedList

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "GLOBAL_PARTS",
    "MemoryStorage",
    "SqliteStorage",
    "StateFileError",
    "Storage",
    "TrackedDict",
    "TrackedList",
    "check_meta",
    "describe_file",
    "export_state",
    "import_state",
    "register_global_part",
]
