"""The SCRM story over HTTP against a live server: a contact way with a state, a WeChat user
scans it, the app gets the signed ``add_external_contact`` callback with the state and welcome
code, welcomes, tags, mass-messages (confirmed by the member), the member resigns, the customer
is assigned and accepted after 24 hours on the clock, and the statistics show all of it."""

from __future__ import annotations

import time
from typing import Any

import requests

from mock_server.services.external_contact.scrm_store import midnight
from mock_server.web.server import ServerThread
from tests.services.callbacks.test_callbacks_delivery import KEY, TOKEN, Receiver


def wait_for(predicate: Any, what: str) -> Any:
    deadline = time.monotonic() + 20  # generous: delivery is asynchronous in server mode
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_scrm_story_over_http(wecom_server: ServerThread) -> None:
    base, admin = wecom_server.api_base, wecom_server.url + "/__admin"
    s = requests.Session()

    def token() -> str:
        r = s.get(
            f"{base}/gettoken",
            params={
                "corpid": "wwdemo0000000000001",
                "corpsecret": "DEMO-app-1000003-secret-not-real",
            },
        )
        return str(r.json()["access_token"])

    tok = token()

    def api(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = s.post(
            f"{base}/externalcontact/{path}", params={"access_token": tok}, json=body, timeout=10
        ).json()
        assert r["errcode"] == 0, (path, r)
        return dict(r)

    def sandbox(action: str, body: dict[str, Any]) -> dict[str, Any]:
        r = s.post(f"{admin}/external/scrm/{action}", json=body, timeout=10)
        assert r.status_code == 200, r.text
        return dict(r.json())

    with Receiver() as rx:
        put = {
            "app": 1000003,
            "url": rx.url,
            "token": TOKEN,
            "encoding_aes_key": KEY,
            "verify": True,
        }
        assert s.put(f"{admin}/callbacks/config", json=put).status_code == 200

        # 1. a contact way with a state; a WeChat user scans it
        way = api(
            "add_contact_way", {"type": 1, "scene": 2, "state": "expo_2026", "user": ["xuqiang"]}
        )
        scan = sandbox(
            "contact_way/scan",
            {"config_id": way["config_id"], "customer": {"name": "周先生", "type": 1}},
        )
        eid = scan["external_userid"]

        # 2. the signed callback carries the state and the welcome code (decrypted by weworkapi)
        def added() -> dict[str, Any] | None:
            for got in rx.received:
                f = got["fields"]
                if f.get("ChangeType") == "add_external_contact" and f.get("ExternalUserID") == eid:
                    return dict(f)
            return None

        event = wait_for(added, "add_external_contact callback")
        assert event["State"] == "expo_2026" and event["UserID"] == "xuqiang"
        follow = s.get(
            f"{base}/externalcontact/get", params={"access_token": tok, "external_userid": eid}
        ).json()
        assert follow["follow_user"][0]["state"] == "expo_2026"

        # 3. welcome message with the code from the callback
        api(
            "send_welcome_msg",
            {"welcome_code": event["WelcomeCode"], "text": {"content": "欢迎光临展台"}},
        )

        # 4. tag the customer
        tag = api("add_corp_tag", {"group_name": "展会", "tag": [{"name": "2026展会"}]})[
            "tag_group"
        ]["tag"][0]["id"]
        api("mark_tag", {"userid": "xuqiang", "external_userid": eid, "add_tag": [tag]})

        # 5. mass message by tag, confirmed by the member in the client
        msg = api(
            "add_msg_template",
            {
                "sender": "xuqiang",
                "tag_filter": {"group_list": [{"tag_list": [tag]}]},
                "text": {"content": "展会回顾"},
            },
        )
        sandbox("groupmsg/confirm", {"msgid": msg["msgid"], "userid": "xuqiang"})
        rows = api("get_groupmsg_send_result", {"msgid": msg["msgid"], "userid": "xuqiang"})[
            "send_list"
        ]
        assert [(r["external_userid"], r["status"]) for r in rows] == [(eid, 1)]
        outbox = sandbox("outbox", {"external_userid": eid})["messages"]
        assert [m["kind"] for m in outbox] == ["welcome", "groupmsg"]

        # 6. the member resigns; the customer waits for assignment
        sandbox("member/resign", {"userid": "xuqiang"})
        unassigned = api("get_unassigned_list", {"page_size": 1000})["info"]
        assert eid in [x["external_userid"] for x in unassigned]
        started = api(
            "resigned/transfer_customer",
            {"handover_userid": "xuqiang", "takeover_userid": "sunli", "external_userid": [eid]},
        )
        assert started["customer"] == [{"external_userid": eid, "errcode": 0}]

        # 7. 24 hours later on the clock: accepted, and sunli gets the add callback
        day_start = midnight(wecom_server.emulator.clock.time())
        assert s.post(f"{admin}/clock/advance", json={"seconds": 86400}).status_code == 200
        tok = token()
        result = api(
            "resigned/transfer_result", {"handover_userid": "xuqiang", "takeover_userid": "sunli"}
        )
        assert result["customer"][0]["status"] == 1
        got = s.get(
            f"{base}/externalcontact/get", params={"access_token": tok, "external_userid": eid}
        ).json()
        assert [f["userid"] for f in got["follow_user"]] == ["sunli"]
        assert [t["tag_id"] for t in got["follow_user"][0]["tags"]] == [tag]
        wait_for(
            lambda: any(
                g["fields"].get("UserID") == "sunli" and g["fields"].get("ExternalUserID") == eid
                for g in rx.received
            ),
            "add_external_contact for the takeover member",
        )

        # 8. statistics show the day: xuqiang's new customer and two messages, sunli's takeover
        stats = api(
            "get_user_behavior_data",
            {"userid": ["xuqiang"], "start_time": day_start, "end_time": day_start},
        )
        assert stats["behavior_data"][0]["new_contact_cnt"] == 1
        assert (
            stats["behavior_data"][0]["message_cnt"] == 2
            and stats["behavior_data"][0]["chat_cnt"] == 1
        )
        sunli = api(
            "get_user_behavior_data",
            {"userid": ["sunli"], "start_time": day_start + 86400, "end_time": day_start + 86400},
        )
        assert sunli["behavior_data"][0]["new_contact_cnt"] == 1
