"""wechatpy 2.x's own ``batch_get_by_user`` / ``gen_all_by_user`` (unmodified) against the
emulator: the older one-member body is accepted and pages to the end.

The 2.x release installs as ``wechatpy`` like the 1.8 line the other client tests use, so
``make venv`` puts it in ``.venv/wechatpy2`` and the scenario runs in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WECHATPY2 = Path(sys.prefix) / "wechatpy2"


def test_wechatpy2_batch_get_by_user_pages_every_customer() -> None:
    assert (WECHATPY2 / "wechatpy").is_dir(), (
        f"wechatpy 2.x is missing from {WECHATPY2}: run `make venv` (Makefile installs it)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WECHATPY2), str(HERE.parents[2])])}
    proc = subprocess.run(
        [sys.executable, str(HERE / "wechatpy2_crm_scenario.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("OK 2."), proc.stdout
