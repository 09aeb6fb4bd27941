"""The SCRM example of the README runs as written, and does what its comments say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[3] / "README.md"


def example() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### SCRM: contact ways")
    block = text.index("```python", start) + len("```python")
    return text[block : text.index("```", block)]


def test_readme_scrm_example_runs() -> None:
    scope: dict[str, Any] = {}
    exec(compile(example(), "README.md (SCRM)", "exec"), scope)
    emu, eid = scope["emu"], scope["eid"]
    assert [m["kind"] for m in emu.customer_messages(eid)] == ["welcome", "groupmsg"]
    scope["token"] = emu.token("app", 1000003)  # the old one expired with the 24 hours
    with emu.intercept():
        r = scope["call"](
            "resigned/transfer_result", {"handover_userid": "xuqiang", "takeover_userid": "sunli"}
        )
    assert r["customer"][0]["status"] == 1
    assert [f["userid"] for f in emu.external_contact(eid)["follow_user"]] == ["sunli"]
