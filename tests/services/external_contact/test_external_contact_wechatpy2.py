"""wechatpy 2.x's own ``batch_get_by_user`` / ``gen_all_by_user`` (unmodified) against the
emulator: the older one-member body is accepted and pages to the end."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_wechatpy2

HERE = Path(__file__).resolve().parent


def test_wechatpy2_batch_get_by_user_pages_every_customer() -> None:
    out = run_wechatpy2(HERE / "wechatpy2_crm_scenario.py")
    assert out.startswith("OK 2."), out
