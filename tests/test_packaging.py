"""A non-editable wheel carries schemas/, fixtures/, scenarios/ and the contract suite, and
works in a clean venv: shipped names resolve without paths, ``--version``, ``contract``."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_is_self_contained(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("wecom_mock-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("schemas", "fixtures", "scenarios"):
        shipped = [
            p.relative_to(ROOT / folder).as_posix()
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
        assert shipped, folder
        for rel in shipped:
            assert f"mock_server/_shipped/{folder}/{rel}" in names, (folder, rel)
    assert "mock_server/data/errcodes.json" in names
    assert "mock_server/data/errcodes_extra.json" in names
    assert "mock_server/data/real_endpoints.yaml" in names
    assert "mock_server/testing/_route/sitecustomize.py" in names  # wecom-mock run
    shipped_suite = {p.relative_to(ROOT).as_posix() for p in (ROOT / "contract_tests").glob("*.py")}
    assert shipped_suite and shipped_suite <= names
    for static in ("index.html", "app.js", "render.js", "style.css"):  # the dashboard, offline
        assert f"mock_server/web/dashboard/static/{static}" in names

    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = {
        re.split(r"[ ;<>=!\[]", line.split(":", 1)[1].strip())[0].lower()
        for line in zipfile.ZipFile(wheel).read(meta).decode().splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert {"flask", "waitress", "pyyaml", "jsonschema", "fastjsonschema", "requests"} <= requires

    # A fresh venv with the wheel installed non-editable. Its dependencies come from the test
    # venv through a plain path entry (a full resolve from the cache takes ~10-40 s here):
    # path entries are not site dirs, so the test venv's editable hook stays inactive.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    site = next((venv / "lib").glob("python3*/site-packages"))
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_dir())
    (site / "zz_test_deps.pth").write_text(str(deps) + "\n", encoding="utf-8")
    probe = (
        "import mock_server, mock_server.core.resources as r\n"
        "from mock_server import Emulator\n"
        "assert '/site-packages/' in mock_server.__file__, mock_server.__file__\n"
        "assert r.demo_fixture().is_file() and r.schemas_dir().is_dir()\n"
        "assert len(Emulator(['fixtures/demo.yaml']).corps) == 1  # the README's path, no clone\n"
        "assert len(Emulator(['demo']).corps) == 1\n"
        "e = Emulator()\n"
        "t = e.token('contacts')\n"
        "print(e.call('GET', 'user/get', params={'access_token': t, 'userid': 'lisi'})['name'])\n"
    )
    out = subprocess.run(
        [str(py), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "李四"
    eps = subprocess.run(
        [str(venv / "bin" / "wecom-mock"), "endpoints"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert eps.returncode == 0 and "/cgi-bin/user/create" in eps.stdout

    wecom_mock = str(venv / "bin" / "wecom-mock")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [wecom_mock, *args], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )

    ver = cli("--version")
    assert ver.returncode == 0 and re.fullmatch(r"wecom-mock \d+\.\d+\.\d+\S*\n", ver.stdout)
    listed = cli("scenario", "list").stdout.split()
    assert "token-expired" in listed
    valid = cli("scenario", "validate", "token-expired")  # by the listed name, not a path
    assert valid.returncode == 0, valid.stderr
    helptext = cli("scenario", "--help").stdout
    assert "-- COMMAND" in helptext
    suite = cli("contract", "--", "-q", "-p", "no:xdist", "-k", "getcallbackip")
    assert suite.returncode == 0, suite.stdout + suite.stderr
    assert "1 passed" in suite.stdout
