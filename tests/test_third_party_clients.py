"""Real clients from PyPI against the emulator: wechatpy's enterprise WeChatClient and the
official ``weworkapi`` CorpApi (which posts JSON without a Content-Type header)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from mock_server import Emulator
from mock_server.web.server import ServerThread

with warnings.catch_warnings():  # the official sample has `is 0` (SyntaxWarning on 3.8+)
    warnings.simplefilter("ignore")
    from weworkapi import AbstractApi as _abstract
    from weworkapi.AbstractApi import ApiException
    from weworkapi.CorpApi import CORP_API_TYPE, CorpApi

CORPID = "wwdemo0000000000001"
CONTACTS_SECRET = "DEMO-contacts-secret-not-real"
APP_SECRET = "DEMO-app-1000002-secret-not-real"


class LiveWeChatClient(WeChatClient):
    """wechatpy hard-codes the gettoken URL; pointing a client elsewhere means overriding it."""

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )


def exercise_wechatpy(client: WeChatClient, reader: WeChatClient) -> None:
    client.user.create("xiaoming", "小明", department=[3], mobile="13912345678")
    user = reader.user.get("xiaoming")
    assert user["name"] == "小明" and user["department"] == [3]
    client.user.update("xiaoming", position="工程师")
    assert reader.user.get("xiaoming")["position"] == "工程师"
    depts = reader.department.get()
    assert [d["id"] for d in depts][:1] == [1]
    members = reader.user.list(3, simple=True)
    assert "xiaoming" in [u["userid"] for u in members]
    tagid = client.tag.create("骑行社")["tagid"]
    client.tag.add_users(tagid, user_ids=["xiaoming", "lisi"])
    assert {u["userid"] for u in client.tag.get_users(tagid)["userlist"]} == {"xiaoming", "lisi"}
    with pytest.raises(WeChatClientException) as exc:
        client.user.create("xiaoming", "重复", department=[3], mobile="13912345679")
    assert exc.value.errcode == 60102
    with pytest.raises(WeChatClientException) as exc:
        reader.user.create("nobody", "没人", department=[3], mobile="13912345670")
    assert exc.value.errcode == 48002
    client.user.delete("xiaoming")
    with pytest.raises(WeChatClientException) as exc:
        reader.user.get("xiaoming")
    assert exc.value.errcode == 60111


def test_wechatpy_in_process(wecom: Emulator) -> None:
    exercise_wechatpy(WeChatClient(CORPID, CONTACTS_SECRET), WeChatClient(CORPID, APP_SECRET))
    assert wecom.journal.entries(path="user/create", errcode=0)


def test_wechatpy_live_server(wecom_server: ServerThread) -> None:
    def client(secret: str) -> WeChatClient:
        c = LiveWeChatClient(CORPID, secret)
        c.API_BASE_URL = wecom_server.api_base + "/"
        return c

    writer, reader = client(CONTACTS_SECRET), client(APP_SECRET)
    try:
        exercise_wechatpy(writer, reader)
    finally:  # close keep-alive sockets now, not at some later test's garbage collection
        writer._http.close()
        reader._http.close()
    assert wecom_server.emulator.journal.entries(path="user/delete", errcode=0)


def test_wechatpy_refreshes_expired_token(wecom: Emulator) -> None:
    client = WeChatClient(CORPID, CONTACTS_SECRET)
    assert client.user.get("lisi")["name"] == "李四"
    wecom.advance(7201)
    assert client.user.get("lisi")["name"] == "李四"  # 42001, refetch, retry
    codes = [e["errcode"] for e in wecom.journal.entries()]
    assert 42001 in codes


def exercise_corpapi(api: CorpApi) -> None:
    api.httpCall(
        CORP_API_TYPE["USER_CREATE"],
        {"userid": "xiaohong", "name": "小红", "department": [4], "mobile": "13912340000"},
    )
    user = api.httpCall(CORP_API_TYPE["USER_GET"], {"userid": "xiaohong"})
    assert user["name"] == "小红"
    dept = api.httpCall(CORP_API_TYPE["DEPARTMENT_LIST"], {"id": "2"})
    assert [d["id"] for d in dept["department"]] == [2, 3, 4]
    with pytest.raises(ApiException) as exc:
        api.httpCall(CORP_API_TYPE["USER_GET"], {"userid": "ghost"})
    assert exc.value.err_code == 60111


def test_weworkapi_in_process(wecom: Emulator) -> None:
    exercise_corpapi(CorpApi(CORPID, CONTACTS_SECRET))
    entry = wecom.journal.entries(path="user/create")[0]
    assert entry["body"]["userid"] == "xiaohong"  # parsed though no Content-Type was sent


@pytest.fixture
def corpapi_base(wecom_server: ServerThread, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """weworkapi hard-codes https://qyapi.weixin.qq.com: point it at the live server."""
    base = wecom_server.url

    def make_url(path: str) -> str:
        return base + (path if path.startswith("/") else "/" + path)

    monkeypatch.setattr(_abstract.AbstractApi, "_AbstractApi__make_url", staticmethod(make_url))
    yield


@pytest.mark.usefixtures("corpapi_base")
def test_weworkapi_live_server(wecom_server: ServerThread) -> None:
    exercise_corpapi(CorpApi(CORPID, CONTACTS_SECRET))
    assert wecom_server.emulator.journal.entries(path="user/get", errcode=60111)
