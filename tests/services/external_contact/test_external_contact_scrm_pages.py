"""The big SCRM lists are rendered once and served as slices: answers must still follow
every change, be byte-identical to a plain encoding, and never let a caller edit them."""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server import Emulator
from mock_server.core.pipeline import ApiRequest
from mock_server.services.external_contact import paging
from mock_server.services.external_contact.scrm_store import external_scrm
from tests.conftest import Api


@pytest.fixture
def crm(emu: Emulator) -> Api:
    return Api(emu, "app", 1000003)


def customers(api: Api, userid: str) -> list[str]:
    return list(api.get("externalcontact/list", userid=userid)["external_userid"])


def unassigned(api: Api, page_size: int = 5) -> list[str]:
    out, cursor = [], ""
    for _ in range(200):
        r = api.post(
            "externalcontact/get_unassigned_list", {"page_size": page_size, "cursor": cursor}
        )
        assert r["errcode"] == 0, r
        out += [x["external_userid"] for x in r["info"]]
        cursor = r["next_cursor"]
        if not cursor:
            return out
    raise AssertionError("cursor never ended")


def add_msg(api: Api, **body: Any) -> str:
    r = api.post("externalcontact/add_msg_template", {"text": {"content": "会员日"}, **body})
    assert r["errcode"] == 0, r
    return str(r["msgid"])


def send_status(api: Api, msgid: str, userid: str = "xuqiang") -> dict[str, int]:
    r = api.post("externalcontact/get_groupmsg_send_result", {"msgid": msgid, "userid": userid})
    assert r["errcode"] == 0, r
    return {x["external_userid"]: x["status"] for x in r["send_list"]}


def test_send_result_read_before_and_after_confirm(emu: Emulator, crm: Api) -> None:
    a, b = customers(crm, "xuqiang")[:2]
    msgid = add_msg(crm, sender="xuqiang", external_userid=[a, b])
    assert send_status(crm, msgid) == {a: 0, b: 0}
    emu.confirm_groupmsg(msgid, "xuqiang", exclude=[b])
    assert send_status(crm, msgid) == {a: 1, b: 0}


def test_unassigned_list_follows_assignment_acceptance_and_new_resignations(
    emu: Emulator, crm: Api
) -> None:
    mine = customers(crm, "xuqiang")
    emu.member_resigns("xuqiang")
    assert unassigned(crm) == mine
    body = {"handover_userid": "xuqiang", "takeover_userid": "sunli", "external_userid": mine[:2]}
    assert crm.post("externalcontact/resigned/transfer_customer", body)["errcode"] == 0
    assert unassigned(crm) == mine[2:]  # under assignment: left out
    emu.advance(86400)
    crm.token = emu.token("app", 1000003)
    assert unassigned(crm) == mine[2:]  # accepted: the relations moved to sunli
    theirs = customers(crm, "mahao")
    emu.member_resigns("mahao")
    assert unassigned(crm, page_size=3) == mine[2:] + theirs


def test_answer_rows_are_read_only_and_copy_to_plain_dicts(emu: Emulator, crm: Api) -> None:
    emu.member_resigns("xuqiang")
    row = crm.post("externalcontact/get_unassigned_list", {})["info"][0]
    with pytest.raises(TypeError):
        row["external_userid"] = "wmEDITED"
    with pytest.raises(TypeError):
        row.update(external_userid="wmEDITED")
    again = crm.post("externalcontact/get_unassigned_list", {})["info"][0]
    assert again == row and again["external_userid"] != "wmEDITED"
    for plain in (dict(row), copy.copy(row), copy.deepcopy(row)):
        assert type(plain) is dict and plain == row
        plain["status"] = 1  # an ordinary dict
    assert json.loads(json.dumps(row)) == row


def _handle(emu: Emulator, path: str, body: dict[str, Any]) -> Any:
    token = emu.token("app", 1000003)
    raw = json.dumps(body).encode()
    return emu.handle(
        ApiRequest("POST", f"/cgi-bin/externalcontact/{path}", {"access_token": token}, raw)
    )


def test_page_bytes_equal_a_plain_encoding_and_follow_later_edits(emu: Emulator, crm: Api) -> None:
    msgid = add_msg(crm, sender="xuqiang")
    emu.member_resigns("xuqiang")
    for path, body in (
        ("get_unassigned_list", {"page_size": 7}),
        ("get_groupmsg_send_result", {"msgid": msgid, "userid": "xuqiang", "limit": 3}),
    ):
        resp = _handle(emu, path, body)
        assert resp.body["errcode"] == 0 and resp.body["next_cursor"]
        assert resp.payload() == orjson.dumps(resp.body)
        resp.body["errcode"] = 45009  # what an after-the-fact hook may do
        assert json.loads(resp.payload())["errcode"] == 45009
        resp = _handle(emu, path, body)
        key = "info" if "info" in resp.body else "send_list"
        resp.body[key] = resp.body[key][:1]
        assert len(json.loads(resp.payload())[key]) == 1


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    body=st.dictionaries(st.text(), _json, max_size=5),
    at=st.integers(0, 5),
    rows=st.lists(st.dictionaries(st.text(), _json, max_size=3), max_size=4),
)
def test_spliced_encoding_equals_orjson(body: dict[str, Any], at: int, rows: list[Any]) -> None:
    """The page encoder splices row bytes into the rest of the answer: the same bytes as
    encoding the whole answer, wherever the list's key sits among the others."""
    key = "\u0000rows"
    items = [(k, v) for k, v in body.items() if k != key]
    items.insert(min(at, len(items)), (key, rows))
    whole = dict(items)
    raws = [memoryview(b"".join(orjson.dumps(r) + b"," for r in rows))] if rows else []
    assert paging.encode({**whole, key: None}, key, raws) == orjson.dumps(whole)


def test_renderings_are_bounded_in_rows(
    emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "CACHE_ROWS_MAX", 45)
    mine: list[str] = []
    for userid in ("xuqiang", "mahao", "sunli"):
        theirs = customers(crm, userid)
        assert 10 < len(theirs) <= 45
        mine += theirs
        emu.member_resigns(userid)
    assert unassigned(crm, page_size=1000) == mine
    cached = paging._caches[external_scrm(emu.corp())]
    assert list(cached) == [("unassigned", "sunli")]  # the older renderings were dropped
    assert unassigned(crm, page_size=7) == mine


@pytest.mark.parametrize("kept_whole", [True, False])
def test_journal_shows_a_page_cut_to_its_first_rows(
    emu: Emulator, crm: Api, monkeypatch: pytest.MonkeyPatch, kept_whole: bool
) -> None:
    """Small answers are journaled whole and cut on read; big ones are cut when recorded,
    from the rendered rows without building the page's list. Both read the same."""
    from mock_server.core import engine

    if not kept_whole:
        monkeypatch.setattr(engine, "ANSWER_BYTES_KEPT", 100)
    emu.member_resigns("xuqiang")
    resp = _handle(emu, "get_unassigned_list", {"page_size": 25})
    sent = orjson.loads(resp.payload())
    assert len(sent["info"]) == 25
    kept = emu.journal.entries(path="externalcontact/get_unassigned_list")[-1]["response"]
    assert kept["info"] == [*sent["info"][:20], "... 5 more"]
    assert {k: v for k, v in kept.items() if k != "info"} == {
        k: v for k, v in sent.items() if k != "info"
    }
    assert resp.body == sent  # read afterwards, the list is built and matches the bytes
