"""Arbitrary bodies never crash the messaging endpoints, and a rejected call changes nothing."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import Emulator
from mock_server.services.messaging import models as m
from mock_server.services.messaging.media import media_store

EMU = Emulator()
TOKEN = EMU.token("app", 1000002)
KEY = "DEMO-ops-alerts-robot-key-not-real"

scalars = st.none() | st.booleans() | st.integers(-5, 1000003) | st.text(max_size=12)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
MSGTYPES = [
    "text",
    "image",
    "news",
    "mpnews",
    "textcard",
    "markdown",
    "miniprogram_notice",
    "template_card",
    "fax",
]
bodies = st.fixed_dictionaries(
    {"msgtype": st.sampled_from(MSGTYPES)},
    optional={
        "touser": st.sampled_from(["zhangsan", "@all", "ghost|lisi", ""]) | values,
        "toparty": values,
        "totag": values,
        "agentid": st.sampled_from([1000002, 1000003, "1000002", None]) | values,
        "safe": values,
        "enable_duplicate_check": values,
        "duplicate_check_interval": values,
        "text": values,
        "news": values,
        "template_card": values,
        "markdown": values,
        "chatid": values,
        "userlist": values,
    },
)


def snapshot() -> Any:
    corp = EMU.corp()
    store = copy.deepcopy(m.messaging(corp))
    store.member_sends = {}  # the quota counts deliveries only; compared separately
    return store, copy.deepcopy(media_store(corp))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=bodies,
    path=st.sampled_from(["message/send", "appchat/create", "appchat/send", "webhook/send"]),
)
def test_no_crash_and_rejections_change_nothing(body: dict[str, Any], path: str) -> None:
    before = snapshot()
    params = {"key": KEY} if path.startswith("webhook") else {"access_token": TOKEN}
    resp = EMU.call("POST", path, params=params, json=body)
    assert resp["errcode"] != -1, resp
    assert isinstance(resp["errmsg"], str)
    if resp["errcode"] != 0:
        assert snapshot() == before
