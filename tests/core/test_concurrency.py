"""Many threads over the live server: no lost writes, indexes consistent afterwards."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from mock_server.services.contacts import models as m
from mock_server.web.server import ServerThread

THREADS = 8
PER_THREAD = 15


def test_concurrent_creates_and_tag_changes(wecom_server: ServerThread) -> None:
    emu = wecom_server.emulator
    base = wecom_server.api_base
    token = emu.token("contacts")

    def worker(n: int) -> list[int]:
        codes = []
        with requests.Session() as s:
            for i in range(PER_THREAD):
                uid = f"t{n}u{i}"
                body: dict[str, Any] = {
                    "userid": uid,
                    "name": f"并发{n}-{i}",
                    "mobile": f"1390{n:03d}{i:04d}",
                    "department": [3 if i % 2 else 4],
                }
                r = s.post(f"{base}/user/create", params={"access_token": token}, json=body)
                codes.append(r.json()["errcode"])
                r = s.post(
                    f"{base}/tag/addtagusers",
                    params={"access_token": token},
                    json={"tagid": 1, "userlist": [uid]},
                )
                codes.append(r.json()["errcode"])
                if i % 3 == 0:  # remove every third again
                    r = s.post(
                        f"{base}/tag/deltagusers",
                        params={"access_token": token},
                        json={"tagid": 1, "userlist": [uid]},
                    )
                    codes.append(r.json()["errcode"])
                # A duplicate create from another thread's point of view must be refused.
                r = s.post(f"{base}/user/create", params={"access_token": token}, json=body)
                codes.append(r.json()["errcode"])
        return codes

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))

    for codes in results:
        per_user = codes
        assert per_user.count(60102) == PER_THREAD  # every duplicate refused
        assert all(c in (0, 60102) for c in per_user)

    store = m.contacts(emu.corp())
    created = {f"t{n}u{i}" for n in range(THREADS) for i in range(PER_THREAD)}
    assert created <= set(store.users)  # no lost writes
    # Indexes agree with the users.
    for user in store.users.values():
        if user.mobile:
            assert store.mobiles[m.normalize_mobile(user.mobile)] == user.key
    assert len(store.mobiles) == sum(1 for u in store.users.values() if u.mobile)
    expected_in_tag = {f"t{n}u{i}" for n in range(THREADS) for i in range(PER_THREAD) if i % 3}
    tag_users = set(store.tags[1].users)
    assert expected_in_tag <= tag_users
    assert not {f"t{n}u{i}" for n in range(THREADS) for i in range(0, PER_THREAD, 3)} & tag_users
    assert len(store.tags[1].users) == len(set(store.tags[1].users))  # no duplicates
    # And through the API: every new member is listed exactly once.
    r = requests.get(
        f"{base}/user/simplelist",
        params={"access_token": token, "department_id": 1, "fetch_child": 1},
    )
    listed = [u["userid"] for u in r.json()["userlist"]]
    assert len(listed) == len(set(listed))
    assert created <= set(listed)
    # The journal saw every call.
    assert len(emu.journal.entries(path="user/create")) == 2 * THREADS * PER_THREAD
