"""Import jobs (batch/syncuser, replaceuser, replaceparty, getresult) on the emulator clock."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request
from werkzeug.serving import make_server
from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

from mock_server import Emulator
from mock_server.core.clock import Clock
from mock_server.services.contacts_jobs import csvfile
from mock_server.services.messaging.media.models import add_media

CORPID = "wwdemo0000000000001"
TOKEN = "JobT0ken"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
HEADER = csvfile.MEMBER_HEADER


class Receiver:
    """A callback endpoint on a loopback port that decrypts with the official weworkapi."""

    def __init__(self) -> None:
        self.crypt = WXBizMsgCrypt(TOKEN, KEY, CORPID)
        self.events: list[dict[str, str]] = []
        app = Flask("job_receiver")
        app.add_url_rule("/cb", "cb", self.handle, methods=["POST"])
        self.srv = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.srv.port}/cb"
        self.thread = threading.Thread(
            target=self.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def handle(self) -> Any:
        a = request.args
        ret, xml = self.crypt.DecryptMsg(
            request.get_data(), a["msg_signature"], a["timestamp"], a["nonce"]
        )
        assert ret == 0, f"signature or decryption failed: {ret}"
        root = ET.fromstring(xml)
        fields = {c.tag: (c.text or "") for c in root}
        fields.update({f"BatchJob.{c.tag}": (c.text or "") for c in root.find("BatchJob") or []})
        self.events.append(fields)
        return "success"

    def close(self) -> None:
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=Clock(frozen=True, start=1_700_000_000))


class Jobs:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.token = emu.token("contacts")

    def upload(self, data: bytes | str, type: str = "file") -> str:
        corp = self.emu.corp()
        raw = data.encode() if isinstance(data, str) else data
        with self.emu.transaction(corp):
            return add_media(corp, type=type, data=raw, filename="x.csv").media_id

    def call(self, method: str, name: str, body: Any = None, **params: Any) -> dict[str, Any]:
        return self.emu.call(method, name, params={"access_token": self.token, **params}, json=body)

    def submit(self, kind: str, data: bytes | str, **extra: Any) -> str:
        r = self.call("POST", f"batch/{kind}", {"media_id": self.upload(data), **extra})
        assert r["errcode"] == 0, r
        return str(r["jobid"])

    def result(self, jobid: str) -> dict[str, Any]:
        return self.call("GET", "batch/getresult", jobid=jobid)

    def finish(self, jobid: str) -> dict[str, Any]:
        self.emu.advance(60)
        r = self.result(jobid)
        assert r["status"] == 3, r
        return r

    def user(self, userid: str) -> dict[str, Any]:
        return self.call("GET", "user/get", userid=userid)


@pytest.fixture
def jobs(emu: Emulator) -> Jobs:
    return Jobs(emu)


def members(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


# -- lifecycle -------------------------------------------------------------------------------
def test_syncuser_runs_on_the_clock_row_by_row(emu: Emulator, jobs: Jobs) -> None:
    emu.set_import_rate(10)
    rows = [f"员工{i},imp{i:02d},1390000{i:04d},,2,,男,0,0,,,,0" for i in range(30)]
    jobid = jobs.submit("syncuser", members(*rows))
    first = jobs.result(jobid)
    assert first == {
        "errcode": 0,
        "errmsg": "ok",
        "status": 1,
        "type": "sync_user",
        "total": 30,
        "percentage": 0,
        "result": [],
    }
    assert jobs.user("imp00")["errcode"] == 60111
    emu.advance(1)
    running = jobs.result(jobid)
    assert (running["status"], running["percentage"], running["result"]) == (2, 33, [])
    assert jobs.user("imp09")["errcode"] == 0
    assert jobs.user("imp10")["errcode"] == 60111
    emu.advance(2)
    done = jobs.result(jobid)
    assert (done["status"], done["percentage"], done["total"]) == (3, 100, 30)
    assert done["result"] == [
        {"userid": f"imp{i:02d}", "errcode": 0, "errmsg": ""} for i in range(30)
    ]
    u = jobs.user("imp29")
    assert (u["name"], u["department"], u["gender"], u["status"]) == ("员工29", [2], "1", 4)
    assert emu.import_jobs()[-1]["percentage"] == 100


def test_syncuser_per_row_errcodes_and_only_listed_columns(emu: Emulator, jobs: Jobs) -> None:
    before = jobs.user("zhangsan")
    data = (
        "姓名,帐号,职位,禁用\n"
        "张三,zhangsan,架构师,1\n"
        ",noname,工程师,0\n"  # 60112 invalid name
        "王五,wangwu,工程师,0\n"  # new member without mobile or email: 60129
    )
    jobid = jobs.submit("syncuser", data)
    r = jobs.finish(jobid)
    assert [(x["userid"], x["errcode"]) for x in r["result"]] == [
        ("zhangsan", 0),
        ("noname", 60112),
        ("wangwu", 60129),
    ]
    assert all(x["errmsg"] for x in r["result"][1:])
    after = jobs.user("zhangsan")
    assert (after["position"], after["enable"]) == ("架构师", 0)
    # Columns absent from the file are left as they were.
    assert (after["mobile"], after["email"], after["department"]) == (
        before["mobile"],
        before["email"],
        before["department"],
    )
    assert jobs.user("wangwu")["errcode"] == 60111


def test_member_file_cells(emu: Emulator, jobs: Jobs) -> None:
    data = "\ufeff" + members(
        "新人,xinren,13800000111,xin@example.com,2;99,产品经理,女,1;0,10;5,阿新,广州,020-123456,0",
        "重复,dupmobile,+86 13825988000,,2,,,0,0,,,,0",  # zhangwei's mobile: 60104
        "坏部门,baddept,13800000113,,abc,,,0,0,,,,0",
        "坏性别,badgender,13800000114,,2,,未知,0,0,,,,0",
    ).replace("\n", "\r\n")
    r = jobs.finish(jobs.submit("syncuser", data))
    assert [(x["userid"], x["errcode"]) for x in r["result"]] == [
        ("xinren", 0),
        ("dupmobile", 60104),
        ("baddept", 60123),
        ("badgender", 40058),
    ]
    assert r["result"][1]["errmsg"] == "mobile existed:zhangwei"
    u = jobs.user("xinren")
    assert u["department"][0] == 2 and u["department"][1] != 2
    assert (u["gender"], u["is_leader_in_dept"], u["order"]) == ("2", [1, 0], [10, 5])
    assert (u["alias"], u["address"], u["telephone"], u["enable"]) == (
        "阿新",
        "广州",
        "020-123456",
        1,
    )
    # An unknown department id is created under the pending department (90980).
    dept = jobs.call("GET", "department/get", id=u["department"][1])["department"]
    parent = jobs.call("GET", "department/get", id=dept["parentid"])["department"]
    assert parent["name"] == "其他（待设置部门）"


def test_to_invite(emu: Emulator, jobs: Jobs) -> None:
    jobs.finish(jobs.submit("syncuser", members("甲,jia,13800000201,,2,,,0,0,,,,0")))
    jobs.finish(
        jobs.submit("syncuser", members("乙,yi,13800000202,,2,,,0,0,,,,0"), to_invite=False)
    )
    assert "jia" in emu.invited_users() and "yi" not in emu.invited_users()


# -- replace ------------------------------------------------------------------------------------
def test_replaceuser_deletes_absent_members_and_keeps_the_creator(jobs: Jobs) -> None:
    users = jobs.call("POST", "user/list_id", {})["dept_user"]
    keep = sorted({u["userid"] for u in users})
    dropped = [*[u for u in keep if u != "fengtao"][:3], "fengtao"]  # fengtao: the creator
    rows = [f"{u},{u},,,1,,,0,0,,,,0" for u in keep if u not in dropped]
    rows.append("新人,newbie,13800000301,,2,,,0,0,,,,0")
    r = jobs.finish(jobs.submit("replaceuser", members(*rows)))
    assert r["type"] == "replace_user"
    assert r["total"] == len(dropped) + len(rows)
    deletions = r["result"][: len(dropped)]
    assert sorted(x["userid"] for x in deletions) == sorted(dropped)
    creator = next(x for x in deletions if x["userid"] == "fengtao")
    assert creator == {
        "userid": "fengtao",
        "errcode": 301005,
        "errmsg": "not allow del corp creator",
    }
    assert all(x["errcode"] == 0 for x in r["result"] if x["userid"] != "fengtao")
    for u in dropped[:3]:
        assert jobs.user(u)["errcode"] == 60111
    assert jobs.user("fengtao")["errcode"] == 0
    assert jobs.user("newbie")["department"] == [2]


def test_replaceuser_deletion_protection_applies_nothing(emu: Emulator, jobs: Jobs) -> None:
    before = emu.state_fingerprint()["wwdemo0000000000001"]["stores"]["contacts"]
    jobid = jobs.submit("replaceuser", members("新人,newbie,13800000301,,2,,,0,0,,,,0"))
    r = jobs.finish(jobid)
    assert (r["status"], r["result"]) == (3, [])
    assert emu.import_jobs()[-1]["errcode"] == 45026
    assert emu.state_fingerprint()["wwdemo0000000000001"]["stores"]["contacts"] == before


def test_duplicate_userid_fails_the_job(emu: Emulator, jobs: Jobs) -> None:
    before = emu.state_fingerprint()["wwdemo0000000000001"]["stores"]["contacts"]
    data = members("甲,dup,13800000201,,2,,,0,0,,,,0", "乙,DUP,13800000202,,2,,,0,0,,,,0")
    jobs.finish(jobs.submit("syncuser", data))
    assert emu.import_jobs()[-1]["errcode"] == 302003
    assert emu.state_fingerprint()["wwdemo0000000000001"]["stores"]["contacts"] == before


def test_replaceparty_actions(jobs: Jobs) -> None:
    data = (
        "部门名称,部门ID,父部门ID,排序\n"
        "演示科技,1,0,\n"
        "研发中心,2,1,100\n"  # unchanged
        "后端平台组,3,2,90\n"  # renamed
        "前端组,4,5,\n"  # moved under 销售部
        "销售部,5,1,75\n"  # reordered
        "人事行政部,6,1,60\n"
        "新部门,20,2,1\n"  # created
        "新子部门,21,20,\n"
    )
    r = jobs.finish(jobs.submit("replaceparty", data))
    assert r["type"] == "replace_party" and r["total"] == 7  # the root row is not counted
    actions = {x["partyid"]: x["action"] for x in r["result"]}
    assert actions == {1: 2, 2: 0, 3: 2, 4: 4, 5: 8, 6: 0, 20: 1, 21: 1}
    assert all((x["errcode"], x["errmsg"]) == (0, "ok") for x in r["result"])
    assert jobs.call("GET", "department/get", id=4)["department"]["parentid"] == 5
    # 财务部 (7) is absent from the file: deleted only once it is empty.
    assert jobs.call("GET", "department/get", id=21)["department"]["parentid"] == 20
    still = jobs.call("GET", "department/get", id=7)
    has_members = jobs.call("GET", "user/simplelist", department_id=7)["userlist"]
    assert (still["errcode"] == 0) == bool(has_members)


def test_replaceparty_removes_empty_absent_departments_later(jobs: Jobs) -> None:
    users = jobs.call("GET", "user/simplelist", department_id=7)["userlist"]
    assert users, "the demo's 财务部 has members"
    rows = "部门名称,部门ID,父部门ID,排序\n" + "".join(
        f"{n},{i},{p},\n"
        for n, i, p in [
            ("研发中心", 2, 1),
            ("后端组", 3, 2),
            ("前端组", 4, 2),
            ("销售部", 5, 1),
            ("人事行政部", 6, 1),
        ]
    )
    jobs.finish(jobs.submit("replaceparty", rows))
    assert jobs.call("GET", "department/get", id=7)["errcode"] == 0
    # A member import that moves everyone out of 财务部 lets it go.
    moved = [f"{u['name']},{u['userid']},2" for u in users]
    jobs.finish(jobs.submit("syncuser", "姓名,帐号,所在部门\n" + "\n".join(moved)))
    assert jobs.call("GET", "department/get", id=7)["errcode"] == 60003


@pytest.mark.parametrize(
    ("rows", "errcode"),
    [
        ("部门a,2,1,\n部门b,2,1,\n", 302006),
        ("部门a,x,1,\n", 302004),
        ("部门a,30,31,\n部门b,31,30,\n", 302004),
        ("同名,30,1,\n同名,31,1,\n", 302007),
    ],
)
def test_replaceparty_file_errors(emu: Emulator, jobs: Jobs, rows: str, errcode: int) -> None:
    before = emu.state_fingerprint()["wwdemo0000000000001"]["stores"]["contacts"]
    jobs.finish(jobs.submit("replaceparty", "部门名称,部门ID,父部门ID,排序\n" + rows))
    assert emu.import_jobs()[-1]["errcode"] == errcode
    assert emu.state_fingerprint()["wwdemo0000000000001"]["stores"]["contacts"] == before


# -- submit errors ------------------------------------------------------------------------------
def test_one_import_at_a_time(emu: Emulator, jobs: Jobs) -> None:
    first = jobs.submit("syncuser", members("甲,jia,13800000201,,2,,,0,0,,,,0"))
    data = "部门名称,部门ID,父部门ID,排序\n新,30,1,\n"
    r = jobs.call("POST", "batch/replaceparty", {"media_id": jobs.upload(data)})
    assert r["errcode"] == 302008
    jobs.finish(first)
    assert jobs.call("POST", "batch/replaceparty", {"media_id": jobs.upload(data)})["errcode"] == 0


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ("", "syncuser"),
        ("姓名,帐号\n", "syncuser"),  # no rows
        ("名字,工号\n张三,zs\n", "syncuser"),  # no 姓名/帐号 columns
        ("姓名,帐号\n张三,\n", "replaceuser"),  # a row without 帐号
        ("部门名称,部门ID\n研发,2\n", "replaceparty"),
    ],
)
def test_unreadable_files_are_refused_at_submit(
    emu: Emulator, jobs: Jobs, data: str, kind: str
) -> None:
    media = jobs.upload(data + "          ")
    before = emu.state_fingerprint()
    r = jobs.call("POST", f"batch/{kind}", {"media_id": media})
    assert r["errcode"] == 40092
    assert emu.state_fingerprint() == before


def test_non_utf8_file_is_refused(emu: Emulator, jobs: Jobs) -> None:
    media = jobs.upload(members("张三,zhangsan,,,3,,,0,0,,,,0").encode("gbk"))
    assert jobs.call("POST", "batch/syncuser", {"media_id": media})["errcode"] == 40092
    assert emu.import_jobs() == []


KINDS = ("syncuser", "replaceuser", "replaceparty")


@pytest.mark.parametrize("kind", KINDS)
def test_media_errors(emu: Emulator, jobs: Jobs, kind: str) -> None:
    data = members("甲,jia,13800000201,,2,,,0,0,,,,0")
    path = f"batch/{kind}"
    assert jobs.call("POST", path, {})["errcode"] == 41006
    assert jobs.call("POST", path, {"media_id": "3nosuchmedia"})["errcode"] == 40007
    image = jobs.upload(data, type="image")
    assert jobs.call("POST", path, {"media_id": image})["errcode"] == 40007
    stale = jobs.upload(data)
    emu.advance(3 * 24 * 3600)
    jobs.token = emu.token("contacts")
    assert jobs.call("POST", path, {"media_id": stale})["errcode"] == 40007
    assert emu.import_jobs() == []


@pytest.mark.parametrize("kind", KINDS)
def test_bad_fields(emu: Emulator, jobs: Jobs, kind: str) -> None:
    media = jobs.upload(members("甲,jia,13800000201,,2,,,0,0,,,,0"))
    path = f"batch/{kind}"
    if kind != "replaceparty":
        r = jobs.call("POST", path, {"media_id": media, "to_invite": "yes"})
        assert r["errcode"] == 40058
    for bad_cb in (
        {"url": "ftp://x", "token": "t", "encodingaeskey": KEY},
        {"url": "http://[", "token": "t", "encodingaeskey": KEY},  # urllib refuses to split it
        {"url": "http://127.0.0.1:9/cb", "token": "", "encodingaeskey": KEY},
        {"url": "http://127.0.0.1:9/cb", "token": "t", "encodingaeskey": "short"},
        "http://127.0.0.1:9/cb",
    ):
        r = jobs.call("POST", path, {"media_id": media, "callback": bad_cb})
        assert r["errcode"] == 40058, bad_cb
    assert emu.import_jobs() == []


@pytest.mark.parametrize("kind", KINDS)
def test_one_import_at_a_time_whatever_the_kind(jobs: Jobs, kind: str) -> None:
    jobs.submit("replaceparty", "部门名称,部门ID,父部门ID,排序\n新,30,1,\n")
    media = jobs.upload(members("甲,jia,13800000201,,2,,,0,0,,,,0"))
    assert jobs.call("POST", f"batch/{kind}", {"media_id": media})["errcode"] == 302008


def test_getresult_unknown_and_purged(jobs: Jobs) -> None:
    assert jobs.result("nosuchjob")["errcode"] == 40088
    assert jobs.call("GET", "batch/getresult")["errcode"] == 40088
    ids = []
    for i in range(6):
        ids.append(jobs.submit("syncuser", members(f"甲,jia{i},1380000030{i},,2,,,0,0,,,,0")))
        jobs.finish(ids[-1])
    assert jobs.result(ids[0])["errcode"] == 40089
    assert jobs.result(ids[1])["status"] == 3


@pytest.mark.parametrize("path", [*(f"batch/{k}" for k in KINDS), "batch/getresult"])
def test_app_secret_cannot_import(emu: Emulator, path: str) -> None:
    token = emu.token("app", 1000002)
    method = "GET" if path == "batch/getresult" else "POST"
    params = {"access_token": token, "jobid": "x"}
    assert emu.call(method, path, params=params, json={"media_id": "x"})["errcode"] == 48002


# -- completion event ---------------------------------------------------------------------------
def test_batch_job_result_goes_to_the_jobs_own_callback(
    emu: Emulator, jobs: Jobs, receiver: Receiver
) -> None:
    callback = {"url": receiver.url, "token": TOKEN, "encodingaeskey": KEY}
    jobid = jobs.submit("syncuser", members("甲,jia,13800000201,,2,,,0,0,,,,0"), callback=callback)
    assert receiver.events == []
    jobs.finish(jobid)
    (event,) = receiver.events
    assert event["Event"] == "batch_job_result" and event["FromUserName"] == "sys"
    assert event["ToUserName"] == CORPID
    assert event["BatchJob.JobId"] == jobid
    assert (event["BatchJob.JobType"], event["BatchJob.ErrCode"]) == ("sync_user", "0")
    assert event["BatchJob.ErrMsg"] == "ok"


def test_failed_job_event_carries_the_errcode_to_the_contacts_callback(
    emu: Emulator, jobs: Jobs, receiver: Receiver
) -> None:
    emu.set_callback("contacts", receiver.url, TOKEN, KEY, verify=False)
    jobid = jobs.submit("replaceuser", members("新人,newbie,13800000301,,2,,,0,0,,,,0"))
    jobs.finish(jobid)
    (event,) = [e for e in receiver.events if e.get("Event") == "batch_job_result"]
    assert (event["BatchJob.JobId"], event["BatchJob.ErrCode"]) == (jobid, "45026")
    assert event["BatchJob.JobType"] == "replace_user"


def test_no_callback_no_delivery(emu: Emulator, jobs: Jobs) -> None:
    jobs.finish(jobs.submit("syncuser", members("甲,jia,13800000201,,2,,,0,0,,,,0")))
    assert emu.callback_deliveries(event="batch_job_result") == []


def test_readme_worked_example_runs() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- section:contacts_jobs -->")[1].split("<!-- /section")[0]
    code = section.split("```python\n")[1].split("```")[0]
    scope: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), scope)
    emu = scope["wecom"]
    assert emu.user("xintongshi")["department"][:1] == [2]
    assert emu.user("zhangsan")["position"] == "架构师"
    assert emu.import_jobs()[-1]["percentage"] == 100
