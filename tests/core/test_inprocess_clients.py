"""In-process routing of httpx (sync and async) and aiohttp, and the network guard."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import urllib.request

import aiohttp
import httpx
import pytest
import requests
import urllib3

from mock_server import Emulator, intercept
from mock_server.core import netguard
from mock_server.core.netguard import NetworkGuardError

API = "https://qyapi.weixin.qq.com/cgi-bin/"
CORPID = "wwdemo0000000000001"
CONTACTS = {"corpid": CORPID, "corpsecret": "DEMO-contacts-secret-not-real"}
APP = {"corpid": CORPID, "corpsecret": "DEMO-app-1000002-secret-not-real"}


def test_httpx_sync_state_change_visible_through_requests(wecom: Emulator) -> None:
    token = httpx.get(API + "gettoken", params=CONTACTS).json()["access_token"]
    body = {"userid": "xiaoming", "name": "小明", "department": [3], "mobile": "13912345678"}
    with httpx.Client() as client:
        r = client.post(API + "user/create", params={"access_token": token}, json=body)
    assert r.status_code == 200 and r.json() == {"errcode": 0, "errmsg": "created"}
    got = requests.get(API + "user/get", params={"access_token": token, "userid": "xiaoming"})
    assert got.json()["department"] == [3]
    assert wecom.journal.entries(path="user/create")[0]["body"]["userid"] == "xiaoming"


def test_httpx_async_and_error_headers(wecom: Emulator) -> None:
    async def run() -> tuple[int, str, str]:
        async with httpx.AsyncClient(base_url=API) as client:
            token = (await client.get("gettoken", params=APP)).json()["access_token"]
            r = await client.get("user/get", params={"access_token": token, "userid": "ghost"})
            return r.json()["errcode"], r.headers["Error-Code"], r.headers["Content-Type"]

    code, header, ctype = asyncio.run(run())
    assert (code, header) == (60111, "60111")
    assert ctype.startswith("application/json")


def test_aiohttp_json_query_and_multipart(wecom: Emulator) -> None:
    async def run() -> tuple[dict, dict, dict]:
        async with aiohttp.ClientSession() as session:
            async with session.get(API + "gettoken", params=APP) as r:
                token = (await r.json())["access_token"]
            q = {"access_token": token}
            async with session.get(API + "user/get", params={**q, "userid": "lisi"}) as r:
                user = await r.json()
            form = aiohttp.FormData()
            form.add_field(
                "media", b"hello world, twice", filename="a.txt", content_type="text/plain"
            )
            async with session.post(
                API + "media/upload", params={**q, "type": "file"}, data=form
            ) as r:
                media = await r.json()
            msg = {"touser": "lisi", "msgtype": "text", "agentid": 1000002}
            msg["text"] = {"content": "你好"}
            async with session.post(API + "message/send", params=q, json=msg) as r:
                sent = await r.json()
            return user, media, sent

    user, media, sent = asyncio.run(run())
    assert user["name"] == "李四"
    assert media["errcode"] == 0 and media["type"] == "file" and media["media_id"]
    assert sent["errcode"] == 0 and sent["msgid"]
    assert wecom.journal.entries(path="message/send")[0]["body"]["text"]["content"] == "你好"


def test_httpx_multipart_upload(wecom: Emulator) -> None:
    token = wecom.token("app", agentid=1000002)
    r = httpx.post(
        API + "media/upload",
        params={"access_token": token, "type": "file"},
        files={"media": ("a.txt", b"hello world, twice", "text/plain")},
    )
    assert r.json()["errcode"] == 0 and r.json()["type"] == "file"


def test_other_hosts_pass_through(wecom: Emulator, other_host: str) -> None:
    assert requests.get(other_host, timeout=10).text == "other host"
    assert httpx.get(other_host, timeout=10).text == "other host"

    async def run() -> str:
        async with httpx.AsyncClient() as client:
            a = (await client.get(other_host)).text
        async with aiohttp.ClientSession() as session, session.get(other_host) as r:
            b = await r.text()
        return a + "|" + b

    assert asyncio.run(run()) == "other host|other host"
    with urllib.request.urlopen(other_host, timeout=10) as resp:  # guarded, but not WeCom
        assert resp.read() == b"other host"
    assert not wecom.journal.entries()


@pytest.mark.wecom_fault(path="user/get", fault="reset")
def test_socket_faults_raise_each_librarys_own_error(wecom: Emulator) -> None:
    token = wecom.token("contacts")
    with pytest.raises(httpx.ReadError):
        httpx.get(API + "user/get", params={"access_token": token, "userid": "lisi"})

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            await session.get(API + "user/get", params={"access_token": token, "userid": "lisi"})

    with pytest.raises(aiohttp.ClientOSError):
        asyncio.run(run())


def test_guard_names_the_call_for_every_unrouted_way(wecom: Emulator) -> None:
    with pytest.raises(
        NetworkGuardError, match=r"urllib\.request\.urlopen .*test_inprocess_clients"
    ):
        urllib.request.urlopen(API + "gettoken")
    with pytest.raises(NetworkGuardError, match=r"qyapi\.weixin\.qq\.com:443"):
        http.client.HTTPSConnection("qyapi.weixin.qq.com").request("GET", "/cgi-bin/gettoken")
    with pytest.raises(NetworkGuardError):
        urllib3.PoolManager().request("GET", API + "gettoken", retries=False)
    with pytest.raises(NetworkGuardError, match=r"socket\.create_connection"):
        socket.create_connection(("qyapi.weixin.qq.com", 443), timeout=1)
    with pytest.raises(NetworkGuardError, match="getaddrinfo"):
        socket.getaddrinfo("QYAPI.weixin.qq.com.", 443)

    async def raw() -> None:
        await asyncio.open_connection("qyapi.weixin.qq.com", 443)

    with pytest.raises(NetworkGuardError):
        asyncio.run(raw())
    assert not wecom.journal.entries()


def test_guard_is_removed_on_exit_and_can_be_turned_off() -> None:
    original = socket.getaddrinfo
    with intercept():
        assert netguard.GUARD.active and socket.getaddrinfo is not original
        with intercept():  # nested: still guarded after the inner one exits
            pass
        assert netguard.GUARD.active
    assert not netguard.GUARD.active and socket.getaddrinfo is original
    with intercept(guard=False):
        assert socket.getaddrinfo is original


def test_guard_off_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECOM_MOCK_GUARD", "0")
    with intercept():
        assert not netguard.GUARD.active


@pytest.mark.wecom(guard=False)
def test_marker_turns_the_guard_off(wecom: Emulator) -> None:
    assert not netguard.GUARD.active
    assert httpx.get(API + "gettoken", params=CONTACTS).json()["errcode"] == 0


def test_wecom_server_fixture_guards_too(wecom_server: object) -> None:
    with pytest.raises(NetworkGuardError):
        urllib.request.urlopen(API + "gettoken")


def test_requests_retry_policy_applies_to_injected_status(wecom: Emulator) -> None:
    """A session that retries 503 retries the emulator's 503 as urllib3 does a server's."""
    from requests.adapters import HTTPAdapter

    wecom.fault("gettoken", status=503, response={"errcode": -1, "errmsg": "busy"}, times=2)
    with requests.Session() as session:
        retry = urllib3.Retry(total=3, status_forcelist=[503], backoff_factor=0)
        session.mount("https://", HTTPAdapter(max_retries=retry))
        r = session.get(API + "gettoken", params=CONTACTS)
    assert r.status_code == 200 and r.json()["errcode"] == 0
    assert [e["errcode"] for e in wecom.journal.entries(path="gettoken")] == [-1, -1, 0]

    wecom.fault("gettoken", status=503, response={"errcode": -1, "errmsg": "busy"}, times=5)
    with requests.Session() as session:
        retry = urllib3.Retry(total=1, status_forcelist=[503], backoff_factor=0)
        session.mount("https://", HTTPAdapter(max_retries=retry))
        with pytest.raises(requests.exceptions.RetryError):
            session.get(API + "gettoken", params=CONTACTS)


def test_requests_mock_started_before_keeps_its_hosts() -> None:
    """A ``responses`` mock the test started first still answers the hosts it mocks."""
    import responses

    with responses.RequestsMock() as other:
        other.get("https://api.example.test/ping", json={"pong": True})
        with intercept():
            assert requests.get("https://api.example.test/ping").json() == {"pong": True}
            got = requests.get(API + "gettoken", params=CONTACTS).json()
            assert got["errcode"] == 0
        assert requests.get("https://api.example.test/ping").json() == {"pong": True}


def test_requests_streaming_and_headers(wecom: Emulator) -> None:
    params = {"corpid": "nope", "corpsecret": "x"}
    with requests.get(API + "gettoken", params=params, stream=True) as r:
        raw = b"".join(r.iter_content(chunk_size=7))
    assert b'"errcode":40013' in raw
    assert r.headers["error-code"] == "40013"  # case-insensitive, as from a server
    assert r.headers["Content-Type"].startswith("application/json")


def test_requests_answer_read_as_after_a_socket(wecom: Emulator) -> None:
    """Not streamed: the answer comes already read, ``raw`` at its end, as requests leaves a
    server's answer; streamed: ``raw`` still holds every byte."""
    params = {"corpid": "nope", "corpsecret": "x"}
    r = requests.get(API + "gettoken", params=params)
    assert r.json()["errcode"] == 40013
    assert b"".join(r.iter_content(chunk_size=5)) == r.content
    assert r.raw.read() == b""
    with requests.get(API + "gettoken", params=params, stream=True) as streamed:
        assert json.loads(streamed.raw.read())["errcode"] == 40013  # (errmsg hints differ)
