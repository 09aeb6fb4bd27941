"""Run by ``test_oa_wechatpy2.py`` in a subprocess with wechatpy 2.x first on ``sys.path``.

wechatpy 2.x (the release line with ``client.oa`` check-in methods) shares its package name
with the 1.8 line the rest of the suite imports, so it cannot load in the test process.
``python wechatpy2_oa_scenario.py inprocess|http`` exits 0 and prints ``OK`` on success.
"""

from __future__ import annotations

import base64
import datetime as dt
import sys
from typing import Any

import wechatpy
from wechatpy.exceptions import WeChatClientException
from wechatpy.work import WeChatClient

from mock_server import Emulator
from mock_server.clock import Clock
from mock_server.web.server import ServerThread

CORPID = "wwdemo0000000000001"
SECRET = "DEMO-app-1000004-secret-not-real"
LEAVE = "3WLJF6naF5jhnXvwisuPmE85wVMYcy2ghxLRr5Af"
CN = dt.timezone(dt.timedelta(hours=8))
DAY = 86400
MAR1 = int(dt.datetime(2026, 3, 1, tzinfo=CN).timestamp())
WED = MAR1 + 3 * DAY  # 2026-03-04
HQ = {"wifiname": "DEMO-Office", "wifimac": "a4:5e:60:00:00:01"}


class LiveClient(WeChatClient):
    """wechatpy hard-codes the gettoken URL; a live server needs it on its own base."""

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )


def scenario(emu: Emulator, client: WeChatClient) -> None:
    oa = client.oa
    groups = oa.get_corp_checkin_option()["group"]
    assert [g["groupid"] for g in groups] == [1, 2], groups
    option = oa.get_checkin_option(WED, ["zhangsan"])
    assert option["info"][0]["group"]["groupname"] == "总部固定班"
    emu.oa.punch("zhangsan", checkin_time=WED + 9 * 3600 + 12 * 60, **HQ)
    emu.oa.punch("zhangsan", checkin_time=WED + 18 * 3600 + 2 * 60, **HQ)
    rows = oa.get_checkin_data(3, WED, WED + DAY - 1, ["zhangsan"])["checkindata"]
    assert [(r["checkin_type"], r["exception_type"]) for r in rows] == [
        ("上班打卡", "时间异常"),
        ("下班打卡", ""),
    ], rows
    days = oa.get_checkin_daydata(WED, WED + DAY, ["zhangsan"])["datas"]
    assert len(days) == 2 and days[0]["exception_infos"] == [
        {"exception": 1, "count": 1, "duration": 720}
    ]
    month = oa.get_checkin_monthdata(MAR1, MAR1 + 8 * DAY, ["zhangsan"])["datas"][0]
    assert month["summary_info"]["work_days"] == 6, month
    oa.set_checkin_schedu_list(2, [{"userid": "wuxia", "day": 20, "schedule_id": 1}], 202603)
    listed = oa.get_checkin_schedu_list(MAR1 + 18 * DAY, MAR1 + 20 * DAY, ["wuxia"])
    assert listed["schedule_list"][0]["schedule"]["scheduleList"][0]["day"] == 20, listed
    face = base64.b64encode(b"\xff\xd8\xff\xe0" + b"face" * 8).decode()
    assert oa.add_checkin_userface("zhangsan", face)["errcode"] == 0
    try:
        oa.get_checkin_data(3, WED, WED + DAY, ["ghost"])
        raise AssertionError("an unknown userid must fail")
    except WeChatClientException as exc:
        assert exc.errcode == 301021, exc
    # Approvals with the same client: a two-day leave, approved, in the quota and reports.
    names = oa.get_template_detail(LEAVE)["template_names"]
    assert names == [{"text": "请假", "lang": "zh_CN"}]
    tue = MAR1 + 9 * DAY  # 2026-03-10, the clock's day
    leave = {
        "vacation": {
            "selector": {"type": "single", "options": [{"key": "1"}]},
            "attendance": {
                "date_range": {"type": "halfday", "new_begin": tue + DAY, "new_end": tue + 3 * DAY,
                               "new_duration": 2 * DAY},
                "type": 1,
            },
        }
    }  # fmt: skip
    contents = [
        {"control": "Vacation", "id": "Vacation-1563270927474", "value": leave},
        {"control": "Textarea", "id": "Textarea-1563270927475", "value": {"text": "回家"}},
    ]
    sp_no = oa.apply_event(
        "zhangsan", LEAVE, 1, None, {"contents": contents},
        [{"summary_info": [{"text": "年假2天", "lang": "zh_CN"}]}],
    )["sp_no"]  # fmt: skip
    emu.approve(sp_no, "lisi")
    emu.approve(sp_no, "zhangwei")
    found = oa.get_approval_info(tue - DAY, tue + DAY, 0)["sp_no_list"]
    assert found == [sp_no], found
    assert oa.get_approval_detail(sp_no)["info"]["sp_status"] == 2
    annual = next(q for q in emu.oa.vacation_quota("zhangsan") if q["id"] == 1)
    assert annual["usedduration"] == 2 * DAY, annual
    emu.advance(3 * DAY)
    later = oa.get_checkin_daydata(tue + DAY, tue + 2 * DAY, ["zhangsan"])["datas"]
    assert all(d["holiday_infos"][0]["sp_number"] == sp_no for d in later), later
    assert all(d["exception_infos"] == [] for d in later), later


def main(mode: str) -> int:
    assert wechatpy.__version__.startswith("2."), wechatpy.__version__
    start = int(dt.datetime(2026, 3, 10, 10, tzinfo=CN).timestamp())
    emu = Emulator(clock=Clock(start=start, frozen=True))
    if mode == "inprocess":
        with emu.intercept():
            scenario(emu, WeChatClient(CORPID, SECRET))
    else:
        with ServerThread(emu) as server:
            client = LiveClient(CORPID, SECRET)
            client.API_BASE_URL = server.api_base + "/"
            try:
                scenario(emu, client)
            finally:
                client._http.close()
            assert emu.journal.entries(path="checkin/getcheckin_daydata", errcode=0)
    print("OK", mode, wechatpy.__version__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
