"""Errcode coverage: which endpoint x errcode pairs a test run exercised, of those declared.

Like coverage.py for the API: a team sees that its client never met 42001 on message/send.
Declared pairs come from the registry (each endpoint's ``errcodes``, the source of truth the
schemas' ``x-errcodes`` are checked against); the token/scope codes every endpoint may return
are listed per endpoint as "also seen" but are not in the denominator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.core.registry import Registry


def compute(counts: dict[tuple[str, int], int], endpoints: Registry) -> dict[str, Any]:
    """The coverage report as data (what ``--wecom-errcode-coverage`` writes as JSON)."""
    rows = []
    declared_total = exercised_total = 0
    for ep in endpoints.endpoints():
        seen = {code: n for (path, code), n in counts.items() if path == ep.path}
        declared = sorted(set(ep.errcodes))
        exercised = [c for c in declared if c in seen]
        declared_total += len(declared)
        exercised_total += len(exercised)
        rows.append(
            {
                "endpoint": ep.name,
                "family": ep.family,
                "calls": sum(seen.values()),
                "success": seen.get(0, 0),
                "declared": declared,
                "exercised": exercised,
                "missing": [c for c in declared if c not in seen],
                "also_seen": sorted(c for c in seen if c != 0 and c not in declared),
            }
        )
    percent = round(100.0 * exercised_total / declared_total, 1) if declared_total else 100.0
    return {
        "declared_pairs": declared_total,
        "exercised_pairs": exercised_total,
        "percent": percent,
        "endpoints_called": sum(1 for r in rows if r["calls"]),
        "endpoints": len(rows),
        "rows": rows,
    }


def _codes(codes: Iterable[int], limit: int = 8) -> str:
    items = [str(c) for c in codes]
    if len(items) > limit:
        items = [*items[:limit], f"+{len(items) - limit}"]
    return " ".join(items) or "-"


def render_text(report: dict[str, Any]) -> str:
    """A text table: one line per endpoint, the never-exercised errcodes at the end."""
    lines = [
        f"{'endpoint':<44} {'calls':>6} {'ok':>5} {'errcodes':>9}  missing",
    ]
    for r in report["rows"]:
        ratio = f"{len(r['exercised'])}/{len(r['declared'])}"
        lines.append(
            f"{r['endpoint']:<44} {r['calls']:>6} {r['success']:>5} {ratio:>9}  {_codes(r['missing'])}"
        )
    lines.append(
        f"TOTAL {report['exercised_pairs']}/{report['declared_pairs']} endpoint x errcode pairs "
        f"({report['percent']}%), {report['endpoints_called']}/{report['endpoints']} endpoints called"
    )
    return "\n".join(lines)


def merge_counts(parts: Iterable[Iterable[list[Any]]]) -> dict[tuple[str, int], int]:
    out: dict[tuple[str, int], int] = {}
    for part in parts:
        for path, code, n in part:
            out[(path, int(code))] = out.get((path, int(code)), 0) + int(n)
    return out


def write_json(report: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
