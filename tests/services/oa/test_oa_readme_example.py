"""The approvals example of the README, verbatim: keep both in step."""

from __future__ import annotations

import requests

API = "https://qyapi.weixin.qq.com/cgi-bin"
LEAVE = "3WLJF6naF5jhnXvwisuPmE85wVMYcy2ghxLRr5Af"  # 请假 in fixtures/demo.yaml


def test_leave_request_is_approved(wecom):
    corp = wecom.corp()
    token = requests.get(
        f"{API}/gettoken",
        params={"corpid": corp.corpid, "corpsecret": "DEMO-app-1000004-secret-not-real"},
    ).json()["access_token"]
    leave = {
        "vacation": {
            "selector": {"type": "single", "options": [{"key": "1"}]},  # 年假
            "attendance": {
                "date_range": {"type": "halfday", "new_begin": 1767225600, "new_end": 1767484800},
                "type": 1,
            },
        }
    }
    sp_no = requests.post(
        f"{API}/oa/applyevent",
        params={"access_token": token},
        json={
            "creator_userid": "zhangsan",
            "template_id": LEAVE,
            "use_template_approver": 1,  # lisi or chenjing, then zhangwei; CC luoqing
            "apply_data": {
                "contents": [
                    {"control": "Vacation", "id": "Vacation-1563270927474", "value": leave},
                    {
                        "control": "Textarea",
                        "id": "Textarea-1563270927475",
                        "value": {"text": "回家"},
                    },
                ]
            },
            "summary_list": [{"summary_info": [{"text": "年假3天", "lang": "zh_CN"}]}],
        },
    ).json()["sp_no"]  # e.g. "202611250001"

    wecom.approve(sp_no, "lisi", speech="同意")  # level 1 (或签)
    wecom.approve(sp_no, "zhangwei")  # level 2: the application is approved

    info = requests.post(
        f"{API}/oa/getapprovaldetail", params={"access_token": token}, json={"sp_no": sp_no}
    ).json()["info"]
    assert info["sp_status"] == 2
    assert [r["sp_status"] for r in info["sp_record"]] == [2, 2]
    *_, last = wecom.events.history("sys_approval_change")
    assert last.data["ApprovalInfo"]["StatuChangeEvent"] == 2  # agreed
