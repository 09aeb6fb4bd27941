"""The CLI on bad input: one clear line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import http.client
import socket
from pathlib import Path

import pytest

from mock_server import Emulator, __version__
from mock_server.cli import main
from mock_server.web.server import ServerThread

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse exits; main() returns otherwise
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    return code, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["serve", "--port", "99999"], "99999 is out of range"),
        (["serve", "--port", "-1"], "out of range"),
        (["serve", "--port", "eighty"], "not an integer"),
        (["serve", "--threads", "0"], "--threads: 0 is out of range"),
        (["serve", "--journal-size", "0"], "--journal-size"),
        (["fixture", "generate", "--users", "-5"], "--users: -5 is out of range"),
        (["proxy", "--port", "70000"], "out of range"),
        (["nosuchcommand"], "invalid choice"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(args, capsys)
    assert code == 2
    assert words in one_line(err)


def test_missing_and_unwritable_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["fixture", "from-cassette", str(tmp_path / "none.jsonl")], capsys)
    assert code == 2 and "No such file or directory" in one_line(err)
    code, err = run(["openapi", "-o", str(tmp_path / "no" / "dir" / "x.json")], capsys)
    assert code == 2 and "No such file or directory" in one_line(err)


# waitress leaves the socket it failed to bind for the garbage collector (its own code).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_busy_port_and_unbindable_host(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, err = run(["serve", "--port", str(port)], capsys)
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in one_line(err)
    code, err = run(["serve", "--host", "256.0.0.1", "--port", "0"], capsys)
    assert code == 2 and "cannot listen on 256.0.0.1:0" in one_line(err)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"wecom-mock {__version__}"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (503, "Service Unavailable"),
        (502, "Bad Gateway"),
        (500, "Internal Server Error"),
        (429, "Too Many Requests"),
    ],
)
def test_injected_statuses_carry_their_reason_phrase(status: int, reason: str) -> None:
    emu = Emulator(mode="server")
    emu.fault("user/get", status=status, response={"errcode": -1, "errmsg": "system busy"})
    with ServerThread(emu, port=0) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/cgi-bin/user/get")
        resp = conn.getresponse()
        resp.read()
        conn.close()
    assert (resp.status, resp.reason) == (status, reason)


def test_readme_says_state_is_in_memory_and_the_limits() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "### Where state lives; memory is bounded by bytes" in text
    assert "stopping the server loses it" in text
    assert "What the admin API accepts and refuses" in text
