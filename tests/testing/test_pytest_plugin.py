"""The pytest plugin, as a user's test suite sees it (pytester runs a suite in a subprocess)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")

USER_SUITE = """
import http.server
import threading

import pytest
import requests

API = "https://qyapi.weixin.qq.com/cgi-bin/"
CORPID = "wwdemo0000000000001"


def token(secret="DEMO-contacts-secret-not-real"):
    r = requests.get(API + "gettoken", params={"corpid": CORPID, "corpsecret": secret})
    return r.json()["access_token"]


@pytest.mark.parametrize("n", range(4))
def test_fresh_state_each_test(wecom, n):
    t = token()
    assert requests.get(API + "user/get", params={"access_token": t, "userid": "lisi"}).json()["errcode"] == 0
    r = requests.get(API + "user/delete", params={"access_token": t, "userid": "lisi"})
    assert r.json()["errmsg"] == "deleted"
    assert len(wecom.journal.entries()) == 3


def test_other_hosts_pass_through(wecom):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"real")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with requests.Session() as s:
            assert s.get(f"http://127.0.0.1:{server.server_port}/x").text == "real"
    finally:
        server.shutdown()
        server.server_close()


def test_wecom_server_free_port(wecom_server):
    assert wecom_server.port not in (0, 8000)
    with requests.Session() as s:
        assert s.get(wecom_server.url + "/__admin/health").json()["status"] == "ok"
        t = s.get(wecom_server.api_base + "/gettoken",
                  params={"corpid": CORPID, "corpsecret": "DEMO-contacts-secret-not-real"}).json()
        r = s.get(wecom_server.api_base + "/user/delete",
                  params={"access_token": t["access_token"], "userid": "lisi"})
        assert r.json()["errcode"] == 0


def test_wecom_server_reset_between_tests(wecom_server):
    emu = wecom_server.emulator
    assert emu.corp().store("contacts").find_user("lisi") is not None


@pytest.mark.wecom(fixtures=[{"corpid": "wwmarker0001", "secrets": {"contacts": "M-not-real"}}])
def test_marker_fixture(wecom):
    assert list(wecom.corps) == ["wwmarker0001"]
    r = requests.get(API + "gettoken", params={"corpid": "wwmarker0001", "corpsecret": "M-not-real"})
    assert r.json()["errcode"] == 0
"""


def test_plugin_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_suite=USER_SUITE)
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)


def test_plugin_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_suite=USER_SUITE)
    result = pytester.runpytest_subprocess("-n", "2", "-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.wecom(fixtures=None, seed=None):*"])
