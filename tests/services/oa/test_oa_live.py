"""OA over a real socket: submit through HTTP, approve through the admin API, read back."""

from __future__ import annotations

import requests

from mock_server.web.server import ServerThread

GENERAL = "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa"


def test_approval_round_over_http(wecom_server: ServerThread) -> None:
    emu = wecom_server.emulator
    corp = emu.corp()
    base = wecom_server.api_base
    token = requests.get(
        f"{base}/gettoken",
        params={"corpid": corp.corpid, "corpsecret": corp.agents[1000004].secret},
        timeout=5,
    ).json()["access_token"]
    body = {
        "creator_userid": "hanxue",
        "template_id": GENERAL,
        "use_template_approver": 1,
        "apply_data": {
            "contents": [
                {"control": "Text", "id": "Text-1580000000001", "value": {"text": "年会场地"}}
            ]
        },
        "summary_list": [{"summary_info": [{"text": "年会场地", "lang": "zh_CN"}]}],
    }
    res = requests.post(
        f"{base}/oa/applyevent", params={"access_token": token}, json=body, timeout=5
    )
    sp_no = res.json()["sp_no"]
    admin = requests.post(
        f"{wecom_server.url}/__admin/oa/approvals/{sp_no}/approve",
        json={"userid": "fengtao", "speech": "同意"},
        timeout=5,
    )
    assert admin.status_code == 200
    detail = requests.post(
        f"{base}/oa/getapprovaldetail",
        params={"access_token": token},
        json={"sp_no": sp_no},
        timeout=5,
    ).json()["info"]
    assert detail["sp_status"] == 2
    assert detail["sp_record"][0]["details"][0]["speech"] == "同意"
    meeting = requests.post(
        f"{base}/meeting/create",
        params={"access_token": token},
        json={
            "admin_userid": "fengtao",
            "title": "评审",
            "meeting_start": 1,
            "meeting_duration": 600,
        },
        timeout=5,
    ).json()
    assert meeting["errcode"] == 400222
