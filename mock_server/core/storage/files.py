"""Export and import: a consistent copy of a state file, checked on the way in."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from mock_server.core.storage.base import StateFileError
from mock_server.core.storage.sqlite import check_meta


# ---------------------------------------------------------------------------------------
# Export / import: a consistent copy of the file, checked on the way in
# ---------------------------------------------------------------------------------------
def export_state(state: str | Path, out: str | Path) -> dict[str, Any]:
    """Copy a state file (even one a running server is writing) into ``out``, compacted."""
    src = Path(state)
    if not src.exists():
        raise StateFileError(f"{src}: no such state file")
    dst = Path(out)
    if dst.exists():
        dst.unlink()
    db = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        check_meta(meta)
        db.execute("VACUUM INTO ?", (str(dst),))
    except sqlite3.DatabaseError as exc:
        raise StateFileError(f"{src}: {exc}") from None
    finally:
        db.close()
    return describe_file(dst)


def import_state(src: str | Path, state: str | Path) -> dict[str, Any]:
    """Replace the state file ``state`` with the exported ``src`` (checked first)."""
    info = describe_file(src)
    dst = Path(state)
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(dst) + suffix)
        if p.exists():
            p.unlink()
    db = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        db.execute("VACUUM INTO ?", (str(dst),))
    finally:
        db.close()
    return info


def describe_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        raise StateFileError(f"{p}: no such file")
    try:
        db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            check_meta(meta)
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StateFileError(f"{p}: damaged database")
            rows = db.execute("SELECT count(*) FROM log").fetchone()[0]
            snapshot_bytes = db.execute(
                "SELECT coalesce(sum(length(value)), 0) FROM snapshot"
            ).fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise StateFileError(f"{p}: not a wecom-mock state file ({exc})") from None
    return {
        "path": str(p),
        "format": meta["format"],
        "format_version": int(meta["format_version"]),
        "saved_by": meta.get("saved_by"),
        "corps": [c for c in meta.get("corps", "").split(",") if c],
        "rows": rows,
        "snapshot_bytes": snapshot_bytes,
    }
