"""Progress on long work: shown on a terminal, silent in pipes and CI, and with --quiet."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

import pytest

WECOM_MOCK = [str(Path(sys.executable).parent / "wecom-mock")]


def _run_with_tty_stderr(args: list[str]) -> tuple[str, str]:
    """Run with stderr on a pseudo-terminal (as in an interactive shell); stdout to a file."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "WECOM_MOCK_QUIET"}
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(args, stdout=stdout, stderr=slave, env=env)
        os.close(slave)
        err = _drain(master)
        proc.wait(timeout=300)
        os.close(master)
        assert proc.returncode == 0, err
        stdout.seek(0)
        return stdout.read().decode("utf-8"), err


def _drain(master: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("quiet", [False, True])
def test_fixture_generate_shows_progress_on_a_terminal_only(quiet: bool) -> None:
    args = [*WECOM_MOCK, "fixture", "generate", "--users", "3000"]
    out, err = _run_with_tty_stderr(args + (["--quiet"] if quiet else []))
    assert len(json.loads(out)["contacts"]["users"]) == 3000  # stdout stays clean JSON
    if quiet:
        assert "generating" not in err
    else:
        assert "generating members" in err and "member" in err


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: object) -> None:
    out = subprocess.run(
        [*WECOM_MOCK, "fixture", "generate", "--users", "500"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0 and out.stderr == ""


def test_fixture_validate_reports_loading_stages(tmp_path: object) -> None:
    from pathlib import Path

    big = Path(str(tmp_path)) / "big.yaml"
    gen = subprocess.run(
        [*WECOM_MOCK, "fixture", "generate", "--users", "2000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    big.write_text(gen.stdout, encoding="utf-8")
    out, err = _run_with_tty_stderr([*WECOM_MOCK, "fixture", "validate", str(big)])
    assert out.strip() == f"{big}: ok"
    assert f"reading and validating {big}" in err
    assert "loading wwgen0000000000001" in err
