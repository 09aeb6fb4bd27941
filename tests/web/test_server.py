"""The HTTP face over a live server: headers, HEAD, odd bodies, the admin API next to /cgi-bin."""

from __future__ import annotations

import socket

import requests

from mock_server.web.server import RequestLog, ServerThread

CORPID = "wwdemo0000000000001"


def token(server: ServerThread, s: requests.Session) -> str:
    r = s.get(
        server.api_base + "/gettoken",
        params={"corpid": CORPID, "corpsecret": "DEMO-contacts-secret-not-real"},
    )
    return str(r.json()["access_token"])


def test_error_headers_like_the_real_api(wecom_server: ServerThread) -> None:
    with requests.Session() as s:
        r = s.get(wecom_server.api_base + "/gettoken", params={"corpid": CORPID})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert r.headers["Error-Code"] == "41004"
    assert r.headers["Error-Msg"] == r.json()["errmsg"]
    assert r.headers["Server"] == "nginx"


def test_body_without_content_type_and_utf8_query(wecom_server: ServerThread) -> None:
    with requests.Session() as s:
        t = token(wecom_server, s)
        body = '{"userid":"xiaoming","name":"小明","mobile":"13912345678","department":[3]}'
        r = s.post(
            wecom_server.api_base + "/user/create",
            params={"access_token": t},
            data=body.encode("utf-8"),  # no Content-Type, as the official SDK sends it
        )
        assert r.json() == {"errcode": 0, "errmsg": "created"}
        r = s.get(wecom_server.api_base + "/user/get", params={"access_token": t, "userid": "小明"})
        assert r.json()["errcode"] == 60111
        r = s.get(
            wecom_server.api_base + "/user/get", params={"access_token": t, "userid": "xiaoming"}
        )
        assert r.json()["name"] == "小明"


def test_invalid_json_gets_the_warning_prefix(wecom_server: ServerThread) -> None:
    with requests.Session() as s:
        t = token(wecom_server, s)
        r = s.post(wecom_server.api_base + "/user/create", params={"access_token": t}, data=b"{no")
    assert r.status_code == 200
    assert r.json()["errmsg"].startswith("Warning: wrong json format. ")


def test_chunked_body(wecom_server: ServerThread) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"tagname":'
        yield '"分块"}'.encode()

    with requests.Session() as s:
        t = token(wecom_server, s)
        r = s.post(wecom_server.api_base + "/tag/create", params={"access_token": t}, data=chunks())
    assert r.json()["errcode"] == 0


def test_head_and_unknown_methods(wecom_server: ServerThread) -> None:
    with requests.Session() as s:
        r = s.head(wecom_server.api_base + "/user/get")
        assert r.status_code == 200 and r.content == b""
        r = s.request("PATCH", wecom_server.api_base + "/user/get")
        assert r.json()["errcode"] == 48001
        r = s.get(wecom_server.url + "/nothing/here")
        assert r.status_code == 200 and r.json()["errcode"] == 48001


def test_garbage_on_the_socket_does_not_kill_the_server(wecom_server: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", wecom_server.port), timeout=5) as sock:
        sock.sendall(b"\x00\x01garbage\r\n\r\n")
        sock.recv(1024)
    with requests.Session() as s:
        assert s.get(wecom_server.url + "/__admin/health").json()["status"] == "ok"


def test_admin_and_api_share_state(wecom_server: ServerThread) -> None:
    with requests.Session() as s:
        t = token(wecom_server, s)
        s.get(wecom_server.api_base + "/user/delete", params={"access_token": t, "userid": "lisi"})
        entries = s.get(wecom_server.url + "/__admin/journal", params={"path": "user/delete"})
        assert entries.json()["entries"][0]["errcode"] == 0
        s.post(wecom_server.url + "/__admin/reset")
        t = token(wecom_server, s)
        r = s.get(wecom_server.api_base + "/user/get", params={"access_token": t, "userid": "lisi"})
        assert r.json()["errcode"] == 0


def test_stop_closes_keep_alive_connections() -> None:
    from mock_server import Emulator

    server = ServerThread(Emulator(mode="server"), port=0).start()
    with requests.Session() as s:
        assert s.get(server.url + "/__admin/health").status_code == 200  # connection kept open
        server.stop(timeout=10)
        assert server._thread is not None and not server._thread.is_alive()
        try:
            s.get(server.url + "/__admin/health", timeout=2)
            raise AssertionError("still serving")
        except requests.ConnectionError:
            pass


def test_request_log_writes_queued_lines_in_order_with_a_timestamp() -> None:
    import re
    import threading

    writes: list[str] = []
    written = threading.Event()

    def write(text: str) -> None:
        writes.append(text)
        written.set()

    log = RequestLog(write, interval=0.01)
    for i in range(3):
        log(f"GET    /cgi-bin/user/get  errcode {i}  0.1 ms")
    assert written.wait(10), "the writer thread never wrote"
    log.flush()
    lines = "".join(writes).splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        f"GET    /cgi-bin/user/get  errcode {i}  0.1 ms" for i in range(3)
    ]
    assert all(re.match(r"\d\d:\d\d:\d\d ", line) for line in lines)


def test_request_log_is_bounded_when_stdout_blocks() -> None:
    writes: list[str] = []
    log = RequestLog(writes.append, interval=60)  # the writer thread waits: nothing drains
    log.max_pending = 2
    for i in range(5):
        log(f"line {i}")
    log.flush()
    lines = "".join(writes).splitlines()
    assert lines[0] == "(3 request log lines dropped: stdout was blocked)"
    assert [line.split(" ", 1)[1] for line in lines[1:]] == ["line 3", "line 4"]
