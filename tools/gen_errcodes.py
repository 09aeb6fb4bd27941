"""Regenerate mock_server/data/errcodes.json from an errcode reference YAML.

Usage: ``python tools/gen_errcodes.py ERRCODES.yaml`` when the reference changes. The JSON is
committed so the emulator starts without parsing 150 KB of YAML (about 0.3 s with the
pure-Python loader).

Only ``errcodes.json`` is written. Rows maintained by hand (codes the reference lacks, observed
texts replacing a generated field) live in ``errcodes_extra.json`` with their source, so a
regeneration never drops them; the run lists hand-added codes the reference now carries too
(the reference's row wins: delete the hand-added one once checked).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "mock_server" / "data"


def generate(src: Path, data: Path = DATA) -> list[str]:
    """Write ``data/errcodes.json`` from the reference at ``src``; return the hand-added codes
    of ``data/errcodes_extra.json`` that the reference now carries as well."""
    doc = yaml.safe_load(src.read_text(encoding="utf-8"))
    table: dict[str, dict[str, Any]] = {}
    for row in doc["errcodes"]:
        table[str(row["code"])] = {
            "area": row["area"],
            "meaning_en": row["meaning_en"],
            "errmsg_zh": row["errmsg_zh"],
            "errmsg_observed": row.get("errmsg_observed"),
            "confirmed": row["confirmed"],
        }
    crypto = {str(r["code"]): r for r in doc.get("crypto_library_codes", [])}
    (data / "errcodes.json").write_text(
        json.dumps({"errcodes": table, "crypto": crypto}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    extra = json.loads((data / "errcodes_extra.json").read_text(encoding="utf-8"))
    return sorted(set(extra["errcodes"]) & set(table), key=int)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    both = generate(Path(sys.argv[1]))
    print(f"wrote {DATA / 'errcodes.json'}")
    if both:
        print(f"now in the reference too (check, then drop from errcodes_extra.json): {both}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
