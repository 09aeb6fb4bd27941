"""Export jobs: status on the clock, encrypted files, links, permissions, errcodes."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
import requests
from Crypto.Cipher import AES

from mock_server import Emulator
from mock_server.core.clock import Clock

KEY = "IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg2"


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(frozen=True, start=1_700_000_000))


def api(emu: Emulator, scope: str = "contacts", agentid: int | None = None) -> Any:
    token = emu.token(scope, agentid)

    def call(method: str, name: str, body: Any = None, **params: Any) -> dict[str, Any]:
        return emu.call(method, name, params={"access_token": token, **params}, json=body)

    return call


def decrypt(data: bytes, key: str = KEY) -> Any:
    raw = base64.b64decode(key + "=")
    plain = AES.new(raw, AES.MODE_CBC, raw[:16]).decrypt(data)
    return json.loads(plain[: -plain[-1]].decode("utf-8"))


def finished(emu: Emulator, call: Any, path: str, body: dict[str, Any]) -> list[Any]:
    r = call("POST", path, {"encoding_aeskey": KEY, **body})
    assert r["errcode"] == 0, r
    emu.advance(3)
    result = call("GET", "export/get_result", jobid=r["jobid"])
    assert result["status"] == 2, result
    with emu.intercept():
        return [decrypt(requests.get(x["url"], timeout=10).content) for x in result["data_list"]]


def test_status_moves_on_the_clock_and_links_expire(emu: Emulator) -> None:
    call = api(emu)
    jobid = call("POST", "export/simple_user", {"encoding_aeskey": KEY})["jobid"]
    assert call("GET", "export/get_result", jobid=jobid) == {
        "errcode": 0,
        "errmsg": "ok",
        "status": 0,
    }
    emu.advance(1)
    assert call("GET", "export/get_result", jobid=jobid)["status"] == 1
    emu.advance(1)
    done = call("GET", "export/get_result", jobid=jobid)
    (item,) = done["data_list"]
    assert item["url"].startswith("https://qyapi.weixin.qq.com/")
    with emu.intercept():
        data = requests.get(item["url"], timeout=10).content
        assert (len(data), hashlib.md5(data).hexdigest()) == (item["size"], item["md5"])
        part = requests.get(item["url"], headers={"Range": "bytes=0-31"}, timeout=10)
        assert (part.status_code, part.content) == (206, data[:32])
        assert requests.get(item["url"] + "x", timeout=10).status_code == 404
        emu.advance(2 * 3600)
        assert requests.get(item["url"], timeout=10).status_code == 404


def test_simple_user_and_department_match_the_directory(emu: Emulator) -> None:
    call = api(emu)
    (users,) = finished(emu, call, "export/simple_user", {})
    listed = call("GET", "user/simplelist", department_id=1, fetch_child=1)["userlist"]
    assert sorted((u["userid"], u["name"], u["department"]) for u in users["userlist"]) == sorted(
        (u["userid"], u["name"], u["department"]) for u in listed
    )
    (depts,) = finished(emu, call, "export/department", {"block_size": 10000})
    assert depts["department"] == call("GET", "department/list")["department"]


def test_taguser_export(emu: Emulator) -> None:
    call = api(emu)
    tagid = call("POST", "tag/create", {"tagname": "导出测试"})["tagid"]
    call("POST", "tag/addtagusers", {"tagid": tagid, "userlist": ["zhangsan"], "partylist": [4]})
    (block,) = finished(emu, call, "export/taguser", {"tagid": tagid})
    assert block == {
        "tagname": "导出测试",
        "userlist": [{"userid": "zhangsan", "name": "张三"}],
        "partylist": [4],
    }


def test_an_app_exports_what_it_sees_and_only_it_reads_the_result(emu: Emulator) -> None:
    sales = api(emu, "app", 1000003)  # visible: department 5
    r = sales("POST", "export/user", {"encoding_aeskey": KEY})
    emu.advance(3)
    visible = sales("GET", "user/list", department_id=5, fetch_child=1)["userlist"]
    result = sales("GET", "export/get_result", jobid=r["jobid"])
    with emu.intercept():
        (block,) = [
            decrypt(requests.get(x["url"], timeout=10).content) for x in result["data_list"]
        ]
    assert sorted(u["userid"] for u in block["userlist"]) == sorted(u["userid"] for u in visible)
    assert api(emu)("GET", "export/get_result", jobid=r["jobid"])["errcode"] == 40088
    assert (
        api(emu, "app", 1000002)("GET", "export/get_result", jobid=r["jobid"])["errcode"] == 40088
    )


def test_restricted_app_gets_no_sensitive_fields(emu: Emulator) -> None:
    emu.corp().agents[1000002].restricted_fields = True
    call = api(emu, "app", 1000002)
    blocks = finished(emu, call, "export/user", {})
    first = blocks[0]["userlist"][0]
    assert "mobile" not in first and "email" not in first and "avatar" not in first
    assert first["userid"] and first["name"]


def test_empty_export_is_one_empty_file(emu: Emulator) -> None:
    emu.corp().agents[1000002].allow_party = []
    call = api(emu, "app", 1000002)
    assert finished(emu, call, "export/simple_user", {}) == [{"userlist": []}]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"encoding_aeskey": KEY[:-1]},
        {"encoding_aeskey": KEY[:-1] + "!"},
        {"encoding_aeskey": KEY, "block_size": 9999},
        {"encoding_aeskey": KEY, "block_size": 1_000_001},
        {"encoding_aeskey": KEY, "block_size": "many"},
    ],
)
@pytest.mark.parametrize("kind", ["simple_user", "user", "department", "taguser"])
def test_bad_parameters(emu: Emulator, body: dict[str, Any], kind: str) -> None:
    before = emu.state_fingerprint()
    assert api(emu)("POST", f"export/{kind}", {**body, "tagid": 1})["errcode"] == 40058
    assert emu.state_fingerprint() == before


def test_taguser_errors(emu: Emulator) -> None:
    call = api(emu)
    assert call("POST", "export/taguser", {"encoding_aeskey": KEY})["errcode"] == 40058
    assert (
        call("POST", "export/taguser", {"encoding_aeskey": KEY, "tagid": 999})["errcode"] == 40068
    )
    tagid = api(emu, "app", 1000002)("POST", "tag/create", {"tagname": "私有"})["tagid"]
    other = api(emu, "app", 1000003)
    body = {"encoding_aeskey": KEY, "tagid": tagid}
    assert other("POST", "export/taguser", body)["errcode"] == 60011


def test_get_result_unknown_job(emu: Emulator) -> None:
    call = api(emu)
    assert call("GET", "export/get_result", jobid="jobid_nosuch")["errcode"] == 40088
    assert call("GET", "export/get_result")["errcode"] == 40088


def test_other_secrets_cannot_export(emu: Emulator) -> None:
    r = api(emu, "external")("POST", "export/user", {"encoding_aeskey": KEY})
    assert r["errcode"] == 48002


def test_live_server_serves_the_files(wecom_server: Any) -> None:
    base = wecom_server.url
    token = requests.get(
        f"{base}/cgi-bin/gettoken",
        params={"corpid": "wwdemo0000000000001", "corpsecret": "DEMO-contacts-secret-not-real"},
        timeout=10,
    ).json()["access_token"]
    r = requests.post(
        f"{base}/cgi-bin/export/department",
        params={"access_token": token},
        json={"encoding_aeskey": KEY},
        timeout=10,
    ).json()
    wecom_server.emulator.advance(3)
    result = requests.get(
        f"{base}/cgi-bin/export/get_result",
        params={"access_token": token, "jobid": r["jobid"]},
        timeout=10,
    ).json()
    (item,) = result["data_list"]
    assert item["url"].startswith(base + "/")
    resp = requests.get(item["url"], timeout=10)
    assert resp.status_code == 200 and len(resp.content) == item["size"]
    assert decrypt(resp.content)["department"][0]["id"] == 1
    tail = requests.get(item["url"], headers={"Range": "bytes=-16"}, timeout=10)
    assert (tail.status_code, tail.content) == (206, resp.content[-16:])


def test_export_event_goes_to_the_submitting_apps_callback(emu: Emulator) -> None:
    import threading
    import xml.etree.ElementTree as ET

    from flask import Flask, request
    from werkzeug.serving import make_server
    from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

    token, key, corpid = (
        "AppT0ken",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        emu.corp().corpid,
    )
    got: list[ET.Element] = []
    app = Flask("export_receiver")

    @app.post("/cb")
    def cb() -> str:
        a = request.args
        ret, xml = WXBizMsgCrypt(token, key, corpid).DecryptMsg(
            request.get_data(), a["msg_signature"], a["timestamp"], a["nonce"]
        )
        assert ret == 0
        got.append(ET.fromstring(xml))
        return "success"

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    t.start()
    try:
        emu.set_callback(1000002, f"http://127.0.0.1:{srv.port}/cb", token, key, verify=False)
        call = api(emu, "app", 1000002)
        jobid = call("POST", "export/user", {"encoding_aeskey": KEY})["jobid"]
        api(emu)("POST", "export/department", {"encoding_aeskey": KEY})  # contacts: not this app
        emu.advance(3)
        emu.run_jobs()
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)
    (root,) = got
    assert root.findtext("Event") == "batch_job_result"
    assert root.findtext("BatchJob/JobId") == jobid
    assert root.findtext("BatchJob/JobType") == "export_user"
    assert root.findtext("BatchJob/ErrCode") == "0"
