"""The dashboard's files and the admin read routes it uses (no browser needed)."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from mock_server import Emulator
from mock_server.web.app import create_app
from mock_server.web.dashboard.reads import with_iso
from tests.conftest import Api


def client(emu: Emulator | None = None) -> FlaskClient:
    return create_app(emu or Emulator(mode="server")).test_client()


def test_dashboard_is_served_at_root_and_ui_with_its_modules() -> None:
    c = client()
    for path in ("/", "/__admin/ui"):
        resp = c.get(path)
        assert resp.status_code == 200 and resp.mimetype == "text/html"
        assert b'<script type="module" src="/__admin/ui/app.js">' in resp.data
    for name, mime in (
        ("app.js", "text/javascript"),
        ("render.js", "text/javascript"),
        ("style.css", "text/css"),
    ):
        resp = c.get(f"/__admin/ui/{name}")
        assert resp.status_code == 200 and resp.mimetype == mime
    # No CDN, no remote origin anywhere in the shipped files.
    for name in ("index.html", "app.js", "render.js", "style.css"):
        body = c.get(f"/__admin/ui/{name}" if name != "index.html" else "/").get_data(as_text=True)
        assert "//cdn" not in body and "googleapis" not in body and "unpkg" not in body
    assert c.get("/__admin/ui/nope.js").status_code == 404
    assert c.get("/__admin/ui/..%2Fadmin.py").status_code == 404


def test_admin_index_is_json_for_machines_and_the_ui_for_browsers() -> None:
    c = client()
    data = c.get("/__admin", headers={"Accept": "application/json"}).get_json()
    paths = {r["path"] for r in data["routes"]}
    assert {"/__admin/contacts/members", "/__admin/journal", "/__admin/faults"} <= paths
    assert data["state"]["backend"] == "memory"
    html = c.get("/__admin", headers={"Accept": "text/html,application/xhtml+xml"})
    assert html.mimetype == "text/html"


def test_contacts_read_routes_follow_api_changes() -> None:
    emu = Emulator(mode="server")
    c = client(emu)
    api = Api(emu, "contacts")
    assert (
        api.post("department/create", {"name": "新部门", "parentid": 1, "id": 50})["errcode"] == 0
    )
    assert (
        api.post(
            "user/create",
            {"userid": "xinren", "name": "新人", "department": [50], "email": "x@example.com"},
        )["errcode"]
        == 0
    )
    depts = c.get("/__admin/contacts/departments").get_json()["departments"]
    new = next(d for d in depts if d["id"] == 50)
    assert new["members"] == ["xinren"] and new["depth"] == 2
    members = c.get("/__admin/contacts/members?department=50").get_json()
    assert members["total"] == 1 and members["members"][0]["name"] == "新人"
    assert c.get("/__admin/contacts/members?department=x").status_code == 400
    tags = c.get("/__admin/contacts/tags").get_json()["tags"]
    assert any(t["tagname"] == "值班" for t in tags)
    assert c.get("/__admin/contacts/tags?corpid=nope").status_code == 404


def test_company_and_external_overview() -> None:
    c = client()
    comp = c.get("/__admin/company?limit=5").get_json()
    assert comp["corpid"] == "wwdemo0000000000001"
    assert len(comp["members"]) == 5 and comp["total"] > 5
    assert comp["robots"] and comp["robots"][0]["key"]
    ext = c.get("/__admin/external/overview?limit=3").get_json()
    assert len(ext["customers"]) == 3 and ext["total"] >= 3
    assert all("follow_users" in x for x in ext["customers"])
    assert ext["groupchats"] and ext["tag_groups"]


def test_times_get_an_iso_twin_and_errcodes_explain() -> None:
    emu = Emulator(mode="server")
    c = client(emu)
    emu.token("contacts")
    entry = c.get("/__admin/journal").get_json()["entries"][-1]
    assert entry["time_iso"].endswith("+08:00")
    assert "time_iso" not in c.get("/__admin/journal?raw=1").get_json()["entries"][-1]
    assert "now_iso" in c.get("/__admin/clock").get_json()
    assert with_iso({"time": 5}) == {"time": 5}  # not a plausible unix time: left alone
    assert c.get("/__admin/errcodes?errcode=45009").get_json()["45009"]["meaning_en"]
    assert c.get("/__admin/errcodes?errcode=123456789").status_code == 404
    assert len(c.get("/__admin/fault-templates").get_json()["templates"]) >= 3


def test_journal_keeps_the_answer_with_long_lists_cut() -> None:
    emu = Emulator(mode="server")
    api = Api(emu, "contacts")
    api.get("user/simplelist", department_id=1, fetch_child=1)
    entry = emu.journal.entries()[-1]
    users = entry["response"]["userlist"]
    assert entry["response"]["errcode"] == 0
    assert len(users) == 21 and users[-1].endswith("more")


def test_state_route_reports_memory() -> None:
    data = client().get("/__admin/state").get_json()
    assert data["backend"] == "memory" and len(data["fingerprint"]) == 64


def test_request_log_lines_name_method_path_errcode_and_ms() -> None:
    lines: list[str] = []
    emu = Emulator(mode="server")
    c = create_app(emu, request_log=lines.append).test_client()
    c.get("/cgi-bin/user/get", query_string={"access_token": "bogus", "userid": "lisi"})
    c.post("/__admin/clock/advance", json={"seconds": 1})
    c.get("/__admin/journal")  # reads are not logged (the dashboard polls)
    assert len(lines) == 2
    assert lines[0].startswith("GET") and "/cgi-bin/user/get" in lines[0]
    assert "errcode 40014" in lines[0] and lines[0].endswith("ms")
    assert lines[1].startswith("POST") and "/__admin/clock/advance  HTTP 200" in lines[1]


def test_members_and_customers_come_a_page_at_a_time() -> None:
    emu = Emulator(mode="server")
    c = client(emu)
    everyone = c.get("/__admin/contacts/members").get_json()
    page = c.get("/__admin/contacts/members?offset=2&limit=3").get_json()
    assert page["total"] == everyone["total"] and page["offset"] == 2
    assert page["members"] == everyone["members"][2:5]
    assert c.get("/__admin/contacts/members?offset=-1").status_code == 400
    customers = c.get("/__admin/external/overview").get_json()
    second = c.get("/__admin/external/overview?offset=1&limit=1").get_json()
    assert second["customers"] == customers["customers"][1:2]
    # Each department names its first members and counts them all.
    depts = c.get("/__admin/company?limit=1").get_json()["departments"]
    assert all(d["member_count"] >= len(d["members"]) for d in depts)


def test_dashboard_reads_leave_no_write_behind(tmp_path: Path) -> None:
    """Reading the Company view marks no whole store as reached: the next write of a
    ``--state`` server does not compare every member and customer again."""
    emu = Emulator(mode="server", state=tmp_path / "state.db")
    c = client(emu)
    Api(emu, "contacts").get("user/get", userid="zhangsan")  # a flush: nothing pending
    assert c.get("/__admin/company").status_code == 200
    corp = emu.corp()
    contacts, ext = (
        dict.__getitem__(corp.stores, "contacts"),
        dict.__getitem__(corp.stores, "external_contact"),
    )
    assert not contacts.users._all and not contacts.departments._all
    assert not ext.customers._all and not ext.follows._all
