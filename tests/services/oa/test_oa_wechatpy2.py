"""wechatpy 2.x's own check-in and OA client methods (unmodified) against the emulator.

The 2.x release installs as ``wechatpy`` like the 1.8 line the other client tests use, so
``make venv`` puts it in ``.venv/wechatpy2`` and the scenario runs in a subprocess with that
folder first on ``PYTHONPATH``: once in-process (``intercept``), once over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_wechatpy2

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("mode", ["inprocess", "http"])
def test_wechatpy2_checkin_and_oa(mode: str) -> None:
    out = run_wechatpy2(HERE / "wechatpy2_oa_scenario.py", mode)
    assert out.startswith(f"OK {mode} 2."), out
