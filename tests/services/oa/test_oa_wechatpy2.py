"""wechatpy 2.x's own check-in and OA client methods (unmodified) against the emulator.

The 2.x release installs as ``wechatpy`` like the 1.8 line the other client tests use, so
``make venv`` puts it in ``.venv/wechatpy2`` and the scenario runs in a subprocess with that
folder first on ``PYTHONPATH``: once in-process (``intercept``), once over HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
WECHATPY2 = Path(sys.prefix) / "wechatpy2"


@pytest.mark.parametrize("mode", ["inprocess", "http"])
def test_wechatpy2_checkin_and_oa(mode: str) -> None:
    assert (WECHATPY2 / "wechatpy").is_dir(), (
        f"wechatpy 2.x is missing from {WECHATPY2}: run `make venv` (Makefile installs it)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WECHATPY2), str(HERE.parents[2])])}
    proc = subprocess.run(
        [sys.executable, str(HERE / "wechatpy2_oa_scenario.py"), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"OK {mode} 2."), proc.stdout
