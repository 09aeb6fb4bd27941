"""Regenerate mock_server/data/errcodes.json from an errcode reference YAML.

Usage: ``python tools/gen_errcodes.py ERRCODES.yaml`` when the reference changes. The JSON is committed so the
emulator starts without parsing 150 KB of YAML (about 0.3 s with the pure-Python loader).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

DST = Path(__file__).resolve().parents[1] / "mock_server" / "data" / "errcodes.json"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(sys.argv[1])
    doc = yaml.safe_load(src.read_text(encoding="utf-8"))
    table = {}
    for row in doc["errcodes"]:
        table[str(row["code"])] = {
            "area": row["area"],
            "meaning_en": row["meaning_en"],
            "errmsg_zh": row["errmsg_zh"],
            "errmsg_observed": row.get("errmsg_observed"),
            "confirmed": row["confirmed"],
        }
    crypto = {str(r["code"]): r for r in doc.get("crypto_library_codes", [])}
    DST.write_text(
        json.dumps({"errcodes": table, "crypto": crypto}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(table)} errcodes to {DST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
