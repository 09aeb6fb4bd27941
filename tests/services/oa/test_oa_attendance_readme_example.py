"""The attendance example of the README, verbatim: keep both in step."""

from __future__ import annotations

import requests

API = "https://qyapi.weixin.qq.com/cgi-bin"
WED = 1772553600  # 2026-03-04 00:00 in China (UTC+8): a working day of 总部固定班


def test_late_arrival_and_missed_clock_out(wecom):
    wecom.oa.punch("zhangsan", checkin_time=WED + 9 * 3600 + 12 * 60, wifimac="a4:5e:60:00:00:01")
    token = requests.get(
        f"{API}/gettoken",
        params={"corpid": wecom.corp().corpid, "corpsecret": "DEMO-app-1000004-secret-not-real"},
    ).json()["access_token"]
    report = requests.post(
        f"{API}/checkin/getcheckin_daydata",
        params={"access_token": token},
        json={"starttime": WED, "endtime": WED, "useridlist": ["zhangsan"]},
    ).json()["datas"][0]
    assert report["exception_infos"] == [
        {"exception": 1, "count": 1, "duration": 720},  # 12 minutes late
        {"exception": 3, "count": 1, "duration": 0},  # no clock-out at 18:00
    ]
    records = requests.post(
        f"{API}/checkin/getcheckindata",
        params={"access_token": token},
        json={
            "opencheckindatatype": 3,
            "starttime": WED,
            "endtime": WED + 86399,
            "useridlist": ["zhangsan"],
        },
    ).json()["checkindata"]
    assert [(r["checkin_type"], r["exception_type"]) for r in records] == [
        ("上班打卡", "时间异常"),
        ("下班打卡", "未打卡"),
    ]
