"""The engine is built from plugin specs: nothing is registered by importing a module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mock_server.core.admin import AdminError
from mock_server.core.engine import Engine
from mock_server.emulator import PLUGINS, Emulator, default_registry
from mock_server.services.contacts.plugin import plugin as contacts_plugin


def test_an_engine_has_only_the_endpoints_of_its_plugins() -> None:
    from mock_server.services.auth.plugin import plugin as auth_plugin

    corp = {
        "corpid": "wwplugin0000001",
        "secrets": {"contacts": "FAKE-contacts-secret"},
        "contacts": {
            "users": [
                {"userid": "zhangsan", "name": "张三", "department": [1], "mobile": "13800000001"}
            ]
        },
    }
    engine = Engine([auth_plugin, contacts_plugin], [corp])
    families = {ep.family for ep in engine.registry.endpoints()}
    assert families == {"auth", "contacts"}
    token = engine.token("contacts")
    user = engine.call("GET", "user/get", params={"access_token": token, "userid": "zhangsan"})
    assert user["name"] == "张三"
    # A section of a plugin the engine does not have is an error, not silently ignored.
    with pytest.raises(ValueError, match="robots"):
        Engine([auth_plugin, contacts_plugin], [{**corp, "robots": []}])
    # A messaging path is unknown to this engine, known to the full emulator.
    assert engine.registry.resolve("/cgi-bin/message/send") is None
    assert default_registry().resolve("/cgi-bin/message/send") is not None


def test_every_plugin_api_object_is_typed_on_the_emulator() -> None:
    emu = Emulator()
    for plugin in PLUGINS:
        if plugin.api is not None:
            assert isinstance(getattr(emu, plugin.name), plugin.api)  # type: ignore[arg-type]


def test_api_lookup_checks_the_type() -> None:
    emu = Emulator()
    with pytest.raises(LookupError):
        emu.api("contacts", int)


def test_admin_actions_run_in_process_without_flask() -> None:
    emu = Emulator()
    assert emu.admin("GET", "/health")["status"] == "ok"
    before = emu.clock.time()
    assert emu.admin("POST", "/clock/advance", {"seconds": 60})["now"] >= before + 60
    with pytest.raises(AdminError) as exc:
        emu.admin("GET", "/messages", corpid="wwnosuchcorp000")
    assert exc.value.status == 404
    with pytest.raises(AdminError) as exc:
        emu.admin("GET", "/no/such/route")
    assert exc.value.status == 404


def test_in_process_use_loads_no_web_framework() -> None:
    code = (
        "import sys, requests\n"
        "import mock_server\n"
        "from mock_server import Emulator, intercept\n"
        "Emulator()\n"
        "with intercept():\n"
        "    requests.get('https://qyapi.weixin.qq.com/cgi-bin/gettoken', timeout=5)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'werkzeug', 'waitress'))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_service_comes_from_the_plugin_that_provides_it() -> None:
    from mock_server.core.services import APP_MESSAGES
    from mock_server.services.auth.plugin import plugin as auth_plugin

    emu = Emulator()
    corp = emu.corp()
    agentid = next(iter(corp.agents))
    messages = emu.service(APP_MESSAGES)
    with emu.transaction(corp):
        content = messages.check(
            corp, "text", {"text": {"content": "周报"}}, safe=0, agentid=agentid
        )
        msgid = messages.send(corp, "text", content, ["zhangsan"], agentid=agentid, safe=0)
    sent = emu.assert_sent("zhangsan", text="周报", count=1)
    assert sent[0].msgid == msgid
    # An engine without messaging has no provider: the user is told, not handed None.
    engine = Engine([auth_plugin, contacts_plugin], [{"corpid": "wwplugin0000002"}])
    with pytest.raises(LookupError, match="app_messages"):
        engine.service(APP_MESSAGES)
