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
    assert [(c["external_userid"], c["status"]) for c in scope["moved"]] == [(eid, 1)]
    follow = emu.external_contact(eid)["follow_user"]
    assert [f["userid"] for f in follow] == ["sunli"]
    assert [t["tag_id"] for t in follow[0]["tags"]] == [scope["tag"]]  # the tag moved along
    day = scope["day"]
    assert (day["new_contact_cnt"], day["message_cnt"], day["chat_cnt"]) == (1, 2, 1)
