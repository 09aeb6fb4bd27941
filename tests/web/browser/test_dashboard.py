"""The dashboard in a real browser: what a developer sees while the app under test runs."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_server import Emulator
from mock_server.web.server import ServerThread
from tests.web.browser.conftest import shot

CORP = "wwdemo0000000000001"


def token(server: ServerThread, secret: str) -> str:
    r = requests.get(
        f"{server.api_base}/gettoken", params={"corpid": CORP, "corpsecret": secret}, timeout=10
    )
    return str(r.json()["access_token"])


def post(server: ServerThread, path: str, tok: str, body: dict[str, Any]) -> dict[str, Any]:
    r = requests.post(
        f"{server.api_base}/{path}", params={"access_token": tok}, json=body, timeout=10
    )
    return dict(r.json())


def open_view(page: Any, server: ServerThread, view: str) -> None:
    page.goto(f"{server.url}/#{view}")
    page.wait_for_selector(f"body[data-ready='{view}']")


def test_page_loads_with_the_company(page: Any, server: ServerThread) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready='company']")
    assert page.locator("main h2").first.inner_text().startswith("演示科技有限公司")
    # Agents with their secrets and copy buttons, the department tree, robots.
    assert page.locator("text=DEMO-app-1000002-secret-not-real").count() == 1
    assert page.locator("button.copy").count() > 5
    assert page.locator(".tree b").count() > 3
    paint = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
    )
    view = page.evaluate(
        "() => (performance.getEntriesByName('wecom-mock-first-view')[0] || {}).startTime"
    )
    print(f"\ndashboard first paint {paint:.0f} ms, company view ready {view:.0f} ms")
    shot(page, "company")
    # The same page for a browser at /__admin; JSON for machines.
    page.goto(server.url + "/__admin")
    page.wait_for_selector("body[data-ready='company']")
    assert requests.get(server.url + "/__admin", timeout=10).json()["routes"]


def test_a_sent_message_appears_in_the_inbox_without_reload(
    page: Any, server: ServerThread
) -> None:
    tok = token(server, "DEMO-app-1000002-secret-not-real")
    open_view(page, server, "inbox")
    page.evaluate("() => { window.__marker = 'same page'; }")
    base = {"touser": "zhangsan", "agentid": 1000002}
    bodies = [
        {"msgtype": "text", "text": {"content": "部署完成：order-service v2.3.1"}},
        {
            "msgtype": "markdown",
            "markdown": {
                "content": '# 告警\n**CPU** 使用率 <font color="warning">92%</font>\n'
                '> 主机 <font color="comment">web-03</font>\n状态 <font color="info">已恢复</font>'
            },
        },
        {
            "msgtype": "textcard",
            "textcard": {
                "title": "报销审批通过",
                "description": '<div class="gray">2026年12月1日</div><div class="highlight">金额 ¥1,280.00</div>',
                "url": "https://example.com/expense/42",
                "btntxt": "查看",
            },
        },
        {
            "msgtype": "news",
            "news": {
                "articles": [
                    {
                        "title": "季度之星：销售团队",
                        "description": "本季度业绩提升 35%",
                        "url": "https://example.com/news/1",
                        "picurl": "https://example.com/p.png",
                    }
                ]
            },
        },
        {
            "msgtype": "template_card",
            "template_card": {
                "card_type": "text_notice",
                "source": {"desc": "运维平台"},
                "main_title": {"title": "发布申请", "desc": "order-service 上线"},
                "emphasis_content": {"title": "3", "desc": "待处理"},
                "horizontal_content_list": [{"keyname": "申请人", "value": "张三"}],
                "card_action": {"type": 1, "url": "https://example.com/release"},
            },
        },
    ]
    for body in bodies:
        assert post(server, "message/send", tok, {**base, **body})["errcode"] == 0
    page.wait_for_selector("text=部署完成：order-service v2.3.1")
    page.get_by_text("季度之星：销售团队").wait_for()
    page.get_by_text("发布申请").wait_for()
    # Rendered like the client: <font color> becomes a coloured span, not raw markup.
    assert page.locator(".font-warning", has_text="92%").count() == 1
    assert page.locator("text=<font").count() == 0
    assert page.evaluate("() => window.__marker") == "same page"  # never reloaded
    shot(page, "inbox")


def test_approve_from_the_page(page: Any, server: ServerThread, receiver: str) -> None:
    emu = server.emulator
    emu.set_callback("approval", receiver, "sandboxToken", "a" * 43, verify=False, corpid=CORP)
    tok = token(server, "DEMO-app-1000004-secret-not-real")
    created = post(
        server,
        "oa/applyevent",
        tok,
        {
            "creator_userid": "zhangsan",
            "template_id": "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa",
            "use_template_approver": 1,
            "apply_data": {
                "contents": [
                    {"control": "Text", "id": "Text-1580000000001", "value": {"text": "申请外出"}}
                ]
            },
            "summary_list": [{"summary_info": [{"text": "外出半天", "lang": "zh_CN"}]}],
        },
    )
    assert created["errcode"] == 0, created
    sp_no = created["sp_no"]
    before = post(server, "oa/getapprovaldetail", tok, {"sp_no": sp_no})["info"]
    approver = before["sp_record"][0]["details"][0]["approver"]["userid"]
    open_view(page, server, "act")
    page.select_option("#sp", sp_no)
    page.wait_for_selector(f"#approver option:text-is('{approver}')", state="attached")
    page.select_option("#approver", approver)
    page.fill("#speech", "同意")
    page.click("button[data-act='approve']")
    row = page.wait_for_selector("#sp-caused tr.delivery")
    assert "sys_approval_change" in row.inner_text()
    assert "delivered" in row.inner_text()
    after = post(server, "oa/getapprovaldetail", tok, {"sp_no": sp_no})["info"]
    detail = after["sp_record"][0]["details"][0]
    assert detail["sp_status"] == 2 and detail["speech"] == "同意"
    shot(page, "act")
    open_view(page, server, "callbacks")
    assert page.locator("td", has_text=receiver).count() == 1  # the configured receiver
    page.click("tr.delivery >> nth=0")
    page.wait_for_selector("tr.detail:not([hidden]) pre")
    shot(page, "callbacks")


def test_a_fault_from_a_template_fails_the_next_call(page: Any, server: ServerThread) -> None:
    tok = token(server, "DEMO-contacts-secret-not-real")

    def user_get() -> dict[str, Any]:
        r = requests.get(
            f"{server.api_base}/user/get",
            params={"access_token": tok, "userid": "zhangsan"},
            timeout=10,
        )
        return dict(r.json())

    assert user_get()["errcode"] == 0
    open_view(page, server, "faults")
    page.fill("#fpath", "user/get")
    page.locator("tr", has_text="system busy (-1)").locator("button[data-template]").click()
    page.locator("td code", has_text="user/get").first.wait_for()
    assert user_get()["errcode"] == -1
    shot(page, "faults")
    open_view(page, server, "journal")
    page.locator("a.errlink", has_text="-1").first.click()
    page.wait_for_selector(".explain")
    assert "系统繁忙" in page.locator(".explain").inner_text()
    shot(page, "journal")
    for rule in server.emulator.faults():
        server.emulator.remove_fault(rule["id"])
    deadline = time.monotonic() + 5
    while user_get()["errcode"] != 0 and time.monotonic() < deadline:
        pass
    assert user_get()["errcode"] == 0


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    """A 10,000-member, 50,000-customer corp kept in a state file, as a big sandbox is."""
    tmp = tmp_path_factory.mktemp("big")
    fixture = tmp / "big.yaml"
    with fixture.open("w") as f:
        subprocess.run(
            [
                *(sys.executable, "-m", "mock_server.cli", "fixture", "generate", "-q"),
                *("--users", "10000", "--customers", "50000", "--departments", "200"),
            ],
            stdout=f,
            check=True,
        )
    Emulator([str(fixture)], state=tmp / "big.db").storage.close()
    emu = Emulator(state=tmp / "big.db", mode="server")
    with ServerThread(emu) as srv:
        yield srv
    emu.storage.close()


def test_company_view_of_a_big_corp_comes_a_page_at_a_time(
    page: Any, big_server: ServerThread
) -> None:
    page.goto(big_server.url + "/")
    page.wait_for_selector("body[data-ready='company']", timeout=60_000)
    paint = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
    )
    view = page.evaluate(
        "() => (performance.getEntriesByName('wecom-mock-first-view')[0] || {}).startTime"
    )
    # Reported, not asserted (a shared machine's timings say little).
    print(
        f"\n10,000 members, 50,000 customers: first paint {paint:.0f} ms, "
        f"company view ready {view:.0f} ms"
    )
    members = page.locator("#members tr")
    assert members.count() == 101  # the header row and the first page
    assert page.locator("#members-count").text_content() == "10000, 100 shown"
    page.click("#members-more")
    page.wait_for_function("() => document.querySelectorAll('#members tr').length === 201")
    assert page.locator("#members-count").text_content() == "10000, 200 shown"
    assert page.locator("#customers tr").count() == 101
    assert page.locator("#customers-count").text_content() == "50000, 100 shown"
    # Each department lists its first members and says how many there are.
    assert page.locator(".tree .members .muted").first.text_content().endswith("in all")
