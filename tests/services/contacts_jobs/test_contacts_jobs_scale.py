"""A 10,000-row replaceuser job and a 10,000-member export, checked row by row.

The export is decrypted with pycryptodome directly (not the emulator's crypto module) and
compared with what user/list_id and user/get answer; the job's event is decrypted with the
official weworkapi library.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from Crypto.Cipher import AES
from flask import Flask, request
from werkzeug.serving import make_server
from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

from mock_server import Emulator
from mock_server.core.clock import Clock
from mock_server.services.contacts_jobs import csvfile
from mock_server.services.messaging.media.models import add_media

CORPID = "wwdemo0000000000001"
TOKEN = "ScaleT0ken"
KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg"
EXPORT_KEY = "IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg2"
N = 10_000


def expected_code(i: int) -> int:
    if i % 1000 == 500:
        return 60112  # empty 姓名
    if i % 997 == 996:
        return 60104  # repeats the mobile of row i - 1
    return 0


def mobile(i: int) -> str:
    return f"139{(i - 1 if i % 997 == 996 else i):08d}"


@pytest.fixture(scope="module")
def scale() -> Iterator[dict[str, Any]]:
    emu = Emulator(clock=Clock(frozen=True, start=1_700_000_000))
    events: list[str] = []
    app = Flask("scale_receiver")

    @app.post("/cb")
    def cb() -> str:
        a = request.args
        crypt = WXBizMsgCrypt(TOKEN, KEY, CORPID)
        ret, xml = crypt.DecryptMsg(
            request.get_data(), a["msg_signature"], a["timestamp"], a["nonce"]
        )
        events.append(xml if ret == 0 else f"error {ret}")
        return "success"

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    token = emu.token("contacts")

    def call(method: str, name: str, body: Any = None, **params: Any) -> dict[str, Any]:
        return emu.call(method, name, params={"access_token": token, **params}, json=body)

    demo = sorted({r["userid"] for r in call("POST", "user/list_id", {})["dept_user"]})
    dropped = next(u for u in demo if u != "fengtao")
    rows = [{"name": u, "userid": u, "department": [1]} for u in demo if u != dropped]
    rows += [
        {
            "name": "" if expected_code(i) == 60112 else f"员工{i}",
            "userid": f"u{i:05d}",
            "mobile": mobile(i),
            "department": [2 + i % 6],
            "gender": 1 + i % 2,
        }
        for i in range(N)
    ]
    corp = emu.corp()
    with emu.transaction(corp):
        media = add_media(corp, type="file", data=csvfile.render_member_file(rows))
    callback = {"url": f"http://127.0.0.1:{srv.port}/cb", "token": TOKEN, "encodingaeskey": KEY}
    submit = call("POST", "batch/replaceuser", {"media_id": media.media_id, "callback": callback})
    assert submit["errcode"] == 0, submit
    emu.advance(5)
    running = call("GET", "batch/getresult", jobid=submit["jobid"])
    emu.advance(60)
    done = call("GET", "batch/getresult", jobid=submit["jobid"])
    yield {
        "emu": emu,
        "call": call,
        "jobid": submit["jobid"],
        "running": running,
        "done": done,
        "events": events,
        "dropped": dropped,
        "kept": [r["userid"] for r in rows[: len(demo) - 1]],
    }
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def test_replaceuser_of_10000_rows_row_by_row(scale: dict[str, Any]) -> None:
    running, done = scale["running"], scale["done"]
    kept = scale["kept"]
    assert running["status"] == 2 and 0 < running["percentage"] < 100
    assert done["status"] == 3 and done["percentage"] == 100
    assert done["total"] == 1 + len(kept) + N
    result = done["result"]
    assert result[0] == {"userid": scale["dropped"], "errcode": 0, "errmsg": ""}
    assert result[1 : 1 + len(kept)] == [{"userid": u, "errcode": 0, "errmsg": ""} for u in kept]
    rows = result[1 + len(kept) :]
    assert [r["userid"] for r in rows] == [f"u{i:05d}" for i in range(N)]
    assert [r["errcode"] for r in rows] == [expected_code(i) for i in range(N)]
    for i, r in enumerate(rows):
        if expected_code(i) == 60104:
            assert r["errmsg"] == f"mobile existed:u{i - 1:05d}"
        elif expected_code(i) == 0:
            assert r["errmsg"] == ""
    call = scale["call"]
    assert call("GET", "user/get", userid=scale["dropped"])["errcode"] == 60111
    u = call("GET", "user/get", userid="u09999")
    assert (u["name"], u["mobile"], u["department"], u["gender"]) == (
        "员工9999",
        mobile(9999),
        [2 + 9999 % 6],
        "2",
    )
    assert call("GET", "user/get", userid="u00500")["errcode"] == 60111


def test_batch_job_result_of_the_big_job_is_signed_and_encrypted(scale: dict[str, Any]) -> None:
    (xml,) = scale["events"]
    root = ET.fromstring(xml)
    job = root.find("BatchJob")
    assert job is not None
    assert root.findtext("Event") == "batch_job_result"
    assert job.findtext("JobId") == scale["jobid"]
    assert (job.findtext("JobType"), job.findtext("ErrCode")) == ("replace_user", "0")


def _decrypt(data: bytes, encoding_aeskey: str) -> Any:
    key = base64.b64decode(encoding_aeskey + "=")
    plain = AES.new(key, AES.MODE_CBC, key[:16]).decrypt(data)
    pad = plain[-1]
    assert 1 <= pad <= 32 and plain[-pad:] == bytes([pad]) * pad
    return json.loads(plain[:-pad].decode("utf-8"))


def test_export_of_the_10000_member_directory(scale: dict[str, Any]) -> None:
    emu, call = scale["emu"], scale["call"]
    submit = call("POST", "export/user", {"encoding_aeskey": EXPORT_KEY, "block_size": 10_000})
    assert submit["errcode"] == 0 and submit["jobid"].startswith("jobid_")
    emu.advance(5)
    result = call("GET", "export/get_result", jobid=submit["jobid"])
    assert result["status"] == 2
    exported: list[dict[str, Any]] = []
    with emu.intercept():
        for item in result["data_list"]:
            data = requests.get(item["url"], timeout=30).content
            assert (len(data), hashlib.md5(data).hexdigest()) == (item["size"], item["md5"])
            block = _decrypt(data, EXPORT_KEY)
            assert len(block["userlist"]) <= 10_000
            exported.extend(block["userlist"])
    listed = call("POST", "user/list_id", {"limit": 10_000})
    rows = list(listed["dept_user"])
    while listed["next_cursor"]:
        listed = call("POST", "user/list_id", {"limit": 10_000, "cursor": listed["next_cursor"]})
        rows.extend(listed["dept_user"])
    assert len(result["data_list"]) == 2 and len(exported) > N
    pairs = {(u["userid"], d) for u in exported for d in u["department"]}
    assert pairs == {(r["userid"], r["department"]) for r in rows}
    for u in exported:
        got = call("GET", "user/get", userid=u["userid"])
        del got["errcode"], got["errmsg"]
        assert {k: u[k] for k in got} == got
