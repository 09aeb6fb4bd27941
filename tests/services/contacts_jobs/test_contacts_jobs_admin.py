"""Job progress and member activation through the admin API and ``wecom-mock jobs``."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from mock_server.cli import main
from mock_server.services.contacts_jobs import csvfile

CORPID = "wwdemo0000000000001"


def _token(base: str) -> str:
    r = requests.get(
        f"{base}/cgi-bin/gettoken",
        params={"corpid": CORPID, "corpsecret": "DEMO-contacts-secret-not-real"},
        timeout=10,
    )
    return str(r.json()["access_token"])


def test_progress_and_activation_over_http(
    wecom_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    base = wecom_server.url
    admin = f"{base}/__admin/contacts_jobs"
    assert (
        requests.post(f"{admin}/rate", json={"rows_per_second": 0}, timeout=10).status_code == 400
    )
    assert (
        requests.post(f"{admin}/rate", json={"rows_per_second": 1}, timeout=10).status_code == 200
    )
    token = _token(base)
    rows = [
        {"name": f"员工{i}", "userid": f"adm{i}", "mobile": f"1370000000{i}"} for i in range(10)
    ]
    media = requests.post(
        f"{base}/cgi-bin/media/upload",
        params={"access_token": token, "type": "file"},
        files={"media": ("members.csv", csvfile.render_member_file(rows))},
        timeout=10,
    ).json()["media_id"]
    jobid = requests.post(
        f"{base}/cgi-bin/batch/syncuser",
        params={"access_token": token},
        json={"media_id": media},
        timeout=10,
    ).json()["jobid"]
    # The live server's clock also runs with wall time: bounds, not exact figures.
    wecom_server.emulator.clock.advance(2)
    (job,) = requests.get(f"{admin}/jobs", timeout=10).json()["imports"]
    assert (job["jobid"], job["status"]) == (jobid, 2)
    assert 20 <= job["percentage"] < 100 and job["done"] * 10 == job["percentage"]
    assert main(["jobs", "--url", base]) == 0
    out = capsys.readouterr().out
    assert re.search(r"import sync_user +\[#+\.+\] +\d+% \d/10 running +" + jobid, out), out
    wecom_server.emulator.clock.advance(20)
    assert main(["jobs", "--url", base, "--watch", "--interval", "0.01"]) == 0
    assert "100% 10/10 done" in capsys.readouterr().out

    r = requests.post(f"{admin}/activate", json={"userid": "adm3"}, timeout=10)
    assert r.json() == {"userid": "adm3", "status": 1, "previous_status": 4}
    user = requests.get(
        f"{base}/cgi-bin/user/get", params={"access_token": token, "userid": "adm3"}, timeout=10
    ).json()
    assert user["status"] == 1
    bad = requests.post(f"{admin}/activate", json={"userid": "ghost"}, timeout=10)
    assert bad.status_code == 400 and "no member" in bad.json()["error"]
    assert requests.get(f"{admin}/jobs", params={"corpid": "nope"}, timeout=10).status_code == 404


def test_cli_without_a_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "--url", "http://127.0.0.1:9"]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_admin_actions_in_process() -> None:
    from mock_server import Emulator
    from mock_server.core.admin import AdminError

    emu = Emulator()
    assert emu.admin("GET", "/contacts_jobs/jobs") == {"imports": [], "exports": []}
    assert emu.admin("POST", "/contacts_jobs/rate", {"rows_per_second": 50}) == {
        "rows_per_second": 50
    }
    out = emu.admin("POST", "/contacts_jobs/activate", {"userid": "zhangsan"})
    assert out["userid"] == "zhangsan" and out["status"] == 1
    with pytest.raises(AdminError):
        emu.admin("POST", "/contacts_jobs/rate", {"rows_per_second": "fast"})
