"""Endpoints of the real API that the emulator lacks answer "not emulated", distinct from a
typo; docs/COVERAGE.md is generated from the same list (tests/test_readme.py keeps it current)."""

from __future__ import annotations

import requests

from mock_server import Emulator
from mock_server.core.real_api import markdown, not_emulated, real_endpoints
from mock_server.emulator import default_registry

API = "https://qyapi.weixin.qq.com/cgi-bin/"


def _missing() -> str:
    """A real endpoint the emulator does not have (whichever, as families keep growing)."""
    for path in real_endpoints():
        if not_emulated(path, default_registry()) is not None:
            return path
    raise AssertionError("every real endpoint is emulated: pick another check")


def test_not_emulated_is_distinct_from_a_typo(wecom: Emulator) -> None:
    path = _missing()
    token = wecom.token("contacts")
    r = requests.post(API + path[len("/cgi-bin/") :], params={"access_token": token}, json={})
    body = r.json()
    assert r.status_code == 200 and body["errcode"] == 48001
    assert body["errmsg"].startswith(f"api not emulated by wecom-mock: {path} exists")
    assert "more info at" in body["errmsg"]  # the real envelope's errmsg tail
    assert r.headers["Error-Code"] == "48001"
    entry = wecom.journal.entries()[-1]
    assert entry["warnings"] and "not emulated" in entry["warnings"][0]

    typo = requests.get(API + "user/gett", params={"access_token": token}).json()
    assert typo["errcode"] == 48001 and typo["errmsg"].startswith("api not found")
    assert "warnings" not in wecom.journal.entries()[-1]


def test_emulated_endpoints_never_answer_not_emulated() -> None:
    registry = default_registry()
    for ep in registry.endpoints():
        assert not_emulated(ep.path, registry) is None


def test_reference_list_is_well_formed() -> None:
    real = real_endpoints()
    assert len(real) > 150
    for path, ep in real.items():
        assert path == "/cgi-bin/" + ep.name and "?" not in path
        assert ep.method in ("GET", "POST")
        assert ep.doc == "" or ep.doc.isdigit(), ep
    page = markdown(default_registry())
    emulated = {ep.path for ep in default_registry().endpoints()}
    for path in emulated:
        assert f"`{path}`" in page
    assert f"of {len(set(real) | emulated)} endpoints emulated" in page
