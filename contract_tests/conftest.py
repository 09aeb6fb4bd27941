"""The contract suite's target: ``--wecom-target=inprocess|live|http://HOST:PORT|real``.

* ``inprocess`` (default): a fresh emulator in this process.
* ``live``: the emulator served on a free loopback port, tested over real HTTP.
* ``http://127.0.0.1:PORT``: any running emulator (``wecom-mock serve``), or a proxy.
* ``real``: the real API with credentials from ``WECOM_CORP_ID``, ``WECOM_CONTACT_SECRET``,
  ``WECOM_APP_SECRET``, ``WECOM_AGENT_ID``, ``WECOM_EXTERNAL_SECRET``, ``WECOM_APPROVAL_SECRET``
  (skipped with the reason when they are absent); ``webhook/*`` with ``WECOM_ROBOT_KEY``
  (a url target too; else skipped). Writes only with ``--allow-writes``, and
  then inside a sandbox department the suite creates and deletes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests.target import (
    REAL_API,
    HttpTarget,
    InProcessTarget,
    NoCredentials,
    Target,
    env_credentials,
    url_target,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wecom-contract", "wecom-mock contract suite")
    group.addoption(
        "--wecom-target",
        default="inprocess",
        help="inprocess (default) | live | http://127.0.0.1:PORT | real",
    )
    group.addoption(
        "--allow-writes",
        action="store_true",
        default=False,
        help="against the real API: run the write tests (inside a sandbox department)",
    )


def pytest_configure(config: pytest.Config) -> None:
    spec = config.getoption("--wecom-target")
    workers = getattr(config.option, "numprocesses", None)
    if spec not in ("inprocess", "live") and workers not in (None, 0):
        # Every test resets or mutates the one shared server (or corp): parallel workers would
        # trample each other's state. inprocess and live give each worker its own emulator.
        raise pytest.UsageError(
            f"--wecom-target={spec} is one shared server: run without xdist (-n 0 or -p no:xdist)"
        )


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Iterator[Target]:
    """The system under contract test."""
    spec = pytestconfig.getoption("--wecom-target")
    writes = bool(pytestconfig.getoption("--allow-writes"))
    if spec == "inprocess":
        yield InProcessTarget()
    elif spec == "live":
        from mock_server import Emulator
        from mock_server.web.server import ServerThread

        server = ServerThread(Emulator(mode="server"), port=0).start()
        corp = server.emulator.corp()
        from contract_tests.target import _emulator_secrets, emulator_robot_key

        t = HttpTarget(
            server.url,
            "live",
            corpid=corp.corpid,
            secrets=_emulator_secrets(corp),
            robot_key=emulator_robot_key(server.emulator),
        )
        yield t
        t.close()
        server.stop()
    elif spec == "real":
        creds = env_credentials()
        if creds is None:
            pytest.skip(
                "--wecom-target=real needs WECOM_CORP_ID and at least one of "
                "WECOM_CONTACT_SECRET / WECOM_APP_SECRET (+WECOM_AGENT_ID) / "
                "WECOM_EXTERNAL_SECRET / WECOM_APPROVAL_SECRET in the environment"
            )
        t = HttpTarget(REAL_API, "real", writes_allowed=writes, **creds)
        yield t
        t.close()
    elif spec.startswith("http://") or spec.startswith("https://"):
        t = url_target(spec)
        yield t
        t.close()
    else:
        raise pytest.UsageError(f"--wecom-target: unknown target {spec!r}")


@pytest.fixture
def fresh(target: Target) -> Target:
    """The target reset to its fixture state (a no-op for the real API)."""
    target.reset()
    return target


@pytest.fixture
def writer(fresh: Target) -> Target:
    """A target that may be written to (the real API only with ``--allow-writes``)."""
    if not fresh.writes_allowed:
        pytest.skip("write test against the real API: pass --allow-writes")
    return fresh


def call_or_skip(target: Target, name: str, **kw: object) -> dict:
    try:
        return target.call(name, **kw)  # type: ignore[arg-type]
    except NoCredentials as exc:
        pytest.skip(str(exc))
