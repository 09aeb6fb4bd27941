"""Paging 50,000 customers while customers are added: each existing pair exactly once.

The real API documents no guarantee for concurrent changes. The emulator's cursor is the
(member index, last relation seq) position, relations are ordered by creation, so every
relation that existed when paging started is returned exactly once, and new ones at most once.
"""

from __future__ import annotations

import random
import threading

import requests

from mock_server import Emulator
from mock_server.cli.fixture import generate
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.fixture import generate_section
from mock_server.web.server import ServerThread
from tests.conftest import Api


def test_50k_customers_paged_exactly_once_while_customers_are_added() -> None:
    doc = generate(120, 6, 0)
    emu = Emulator([doc])
    userids = [u["userid"] for u in doc["contacts"]["users"]]
    section = generate_section(userids, 50_000, random.Random(7))
    section["group_chats"] = []
    emu.load_external_contact(section)
    follow_users = section["follow_users"]
    st = m.external_contact(emu.corp())
    before = {(f.external_userid, f.user) for rels in st.by_user.values() for f in rels}
    assert len({e for e, _ in before}) == 50_000

    api = Api(emu, "external")
    stop = threading.Event()
    added: list[str] = []

    def add_customers() -> None:
        i = 0
        while not stop.is_set() and i < 5000:
            r = emu.customer_add_follow(
                follow_users[i % len(follow_users)], customer={"name": f"新客户{i}", "type": 1}
            )
            added.append(r["external_userid"])
            i += 1

    writer = threading.Thread(target=add_customers)
    writer.start()
    pairs: list[tuple[str, str]] = []
    cursor = ""
    try:
        for _ in range(10_000):
            r = api.post(
                "externalcontact/batch/get_by_user",
                {"userid_list": follow_users, "cursor": cursor, "limit": 100},
            )
            assert r["errcode"] == 0, r
            pairs += [
                (x["external_contact"]["external_userid"], x["follow_info"]["userid"])
                for x in r["external_contact_list"]
            ]
            cursor = r["next_cursor"]
            if not cursor:
                break
    finally:
        stop.set()
        writer.join()
    assert not cursor
    assert added, "the writer thread added nothing while paging"
    assert len(pairs) == len(set(pairs)), "a pair was returned twice"
    assert before <= set(pairs), "a pre-existing pair was skipped"
    assert set(pairs) - before <= {(e, u) for e in added for u in follow_users}


def test_batch_get_by_user_over_http(wecom_server: ServerThread) -> None:
    url = wecom_server.url
    with requests.Session() as s:
        token = s.get(
            f"{url}/cgi-bin/gettoken",
            params={
                "corpid": "wwdemo0000000000001",
                "corpsecret": "DEMO-app-1000003-secret-not-real",
            },
        ).json()["access_token"]
        cursor, n = "", 0
        for _ in range(100):
            r = s.post(
                f"{url}/cgi-bin/externalcontact/batch/get_by_user",
                params={"access_token": token},
                json={"userid_list": ["wuxia", "xuqiang", "sunli"], "cursor": cursor, "limit": 7},
            ).json()
            assert r["errcode"] == 0
            n += len(r["external_contact_list"])
            cursor = r["next_cursor"]
            if not cursor:
                break
    api = Api(wecom_server.emulator, "external")
    expected = sum(
        len(api.get("externalcontact/list", userid=u)["external_userid"])
        for u in ("wuxia", "xuqiang", "sunli")
    )
    assert n == expected > 0
