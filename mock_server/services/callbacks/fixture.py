"""Fixture: ``callbacks`` (system apps) and each agent's ``callback`` (validated here).

```yaml
agents:
- agentid: 1000002
  ...
  callback: {url: http://127.0.0.1:9000/wecom, token: T0ken, encoding_aes_key: <43 chars>}
callbacks:
  contacts: {url: ..., token: ..., encoding_aes_key: ...}
  external: {...}
  approval: {...}
```
Fixture callbacks are not URL-verified (the server may start before the app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.core.fixtures import FixtureError
from mock_server.core.plugin import FixtureSection
from mock_server.services.callbacks import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host
    from mock_server.core.state import Corp

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {name: m.CONFIG_SCHEMA for name in m.SYSTEM_APPS},
}


def load(emu: Host, corp: Corp, section: Any) -> None:
    for index, agent in enumerate(corp.agents.values()):
        raw = agent.extra.get("callback")
        if raw is None:
            continue
        where = f"agents[{index}].callback"
        try:
            config = m.parse_config(raw, where)
        except ValueError as exc:
            path, _, reason = str(exc).partition(": ")
            raise FixtureError("<fixture>", path, reason) from None
        m.set_config(corp, str(agent.agentid), config)
    for name, raw in (section or {}).items():
        try:
            config = m.parse_config(raw, f"callbacks.{name}")
        except ValueError as exc:
            path, _, reason = str(exc).partition(": ")
            raise FixtureError("<fixture>", path, reason) from None
        m.set_config(corp, name, config)


section = FixtureSection("callbacks", SCHEMA, load, order=90)
