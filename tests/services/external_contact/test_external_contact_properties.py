"""Properties: cursor paging under interleaved changes; rejected calls change no state."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import Emulator
from mock_server.services.external_contact import models as m
from mock_server.services.external_contact.fixture import demo_follow_users
from tests.conftest import Api

SALES = demo_follow_users()  # the demo sales department, in fixture order
EMU = Emulator()

step = st.tuples(
    st.integers(min_value=1, max_value=120),  # page size
    st.lists(
        st.tuples(st.sampled_from(["add", "delete"]), st.integers(0, 9), st.integers(0, 10_000)),
        max_size=4,
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(step, min_size=1, max_size=12), users=st.sets(st.sampled_from(SALES), min_size=1)
)
def test_paging_with_changes_between_pages(steps: list[Any], users: set[str]) -> None:
    EMU.reset()
    api = Api(EMU, "external")
    userids = sorted(users)
    store = m.external_contact(EMU.corp())
    start = {(f.external_userid, f.user) for u in userids for f in store.by_user.get(u, [])}
    deleted: set[tuple[str, str]] = set()
    returned: list[tuple[str, str]] = []
    cursor = ""
    for i in range(1000):
        limit, changes = steps[i % len(steps)]
        r = api.post(
            "externalcontact/batch/get_by_user",
            {"userid_list": userids, "cursor": cursor, "limit": limit},
        )
        assert r["errcode"] == 0, r
        returned += [
            (x["external_contact"]["external_userid"], x["follow_info"]["userid"])
            for x in r["external_contact_list"]
        ]
        cursor = r["next_cursor"]
        if not cursor:
            break
        # Changes happen during the first pages only: with one add per one-row page forever
        # the walk could never end, which says nothing about the cursor.
        for kind, who, n in changes if i < 30 else ():
            user = SALES[who]
            if kind == "add":
                EMU.customer_add_follow(user, customer={"name": f"客户{n}", "type": 1 + n % 2})
            else:
                rels = store.by_user.get(user, [])
                if rels:
                    f = rels[n % len(rels)]
                    EMU.follow_delete_customer(user, f.external_userid)
                    deleted.add((f.external_userid, user))
    assert not cursor
    assert len(returned) == len(set(returned))
    assert start - deleted <= set(returned)


def _snapshot(emu: Emulator) -> str:
    return repr(vars(m.external_contact(emu.corp())))


def test_rejected_calls_change_no_state(emu: Emulator) -> None:
    api = Api(emu, "app", 1000003)
    eid = api.get("externalcontact/list", userid="xuqiang")["external_userid"][0]
    console_group = api.post("externalcontact/get_corp_tag_list")["tag_group"][0]
    rejected: list[tuple[str, dict[str, Any]]] = [
        ("remark", {"userid": "xuqiang", "external_userid": eid, "remark": "x" * 21}),
        (
            "remark",
            {
                "userid": "xuqiang",
                "external_userid": eid,
                "remark": "x",
                "remark_pic_mediaid": "no",
            },
        ),
        (
            "mark_tag",
            {
                "userid": "xuqiang",
                "external_userid": eid,
                "add_tag": [console_group["tag"][0]["id"], "etNOPE"],
            },
        ),
        ("add_corp_tag", {"group_name": "新", "tag": [{"name": "ok"}, {"name": "x" * 31}]}),
        ("add_corp_tag", {"group_id": console_group["group_id"], "tag": [{"name": "新标签"}]}),
        ("edit_corp_tag", {"id": console_group["group_id"], "name": "改名"}),
        ("del_corp_tag", {"tag_id": [console_group["tag"][0]["id"], "etNOPE"]}),
        ("del_corp_tag", {"group_id": [console_group["group_id"]]}),
    ]
    before = _snapshot(emu)
    events_before = len(emu.events.history())
    for name, body in rejected:
        r = api.post(f"externalcontact/{name}", body)
        assert r["errcode"] != 0, (name, body)
        assert _snapshot(emu) == before, (name, body)
    assert len(emu.events.history()) == events_before
