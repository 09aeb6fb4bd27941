"""``wecom-mock run``, ``ca`` and ``contract``: unmodified clients, the HTTPS mode's CA, the
shipped contract suite; and the version."""

from __future__ import annotations

import argparse
import sys

from mock_server.cli.base import Commands

cli = Commands()


def _ca_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", action="store_true", help="print only the CA certificate's path")
    p.add_argument(
        "--remove", action="store_true", help="delete this user's CA (undo any trust first)"
    )


@cli.command(
    "ca", "the local CA of the HTTPS mode: where it is, how to trust and untrust it", _ca_args
)
def _ca(args: argparse.Namespace) -> int:
    from mock_server.web.localca import ensure_ca, remove_ca, trust_help

    if args.remove:
        removed = remove_ca()
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print("no local CA to remove")
        return 0
    ca = ensure_ca()
    print(ca.cert_path if args.path else trust_help(ca))
    return 0


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--url",
        default=None,
        help="use this running server (default: $WECOM_MOCK_URL, else start one on a free port)",
    )
    p.add_argument(
        "--fixture",
        action="append",
        metavar="FILE",
        help="corp fixture for a started server (repeatable; default: the demo company)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of generated ids")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing of our own")
    p.set_defaults(_accepts_rest=True)


@cli.command(
    "run",
    "run a Python app with its WeCom calls routed to the emulator: run [options] -- CMD ARGS",
    _run_args,
)
def _run(args: argparse.Namespace) -> int:
    from mock_server.testing.launcher import run

    rest = list(getattr(args, "rest", None) or [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    if not rest:
        print("wecom-mock: run [options] -- COMMAND ARGS: the command is missing", file=sys.stderr)
        return 2
    return run(rest, url=args.url, fixtures=args.fixture, seed=args.seed, quiet=args.quiet)


def _contract_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--target",
        default="inprocess",
        help="inprocess (default) | live | http://127.0.0.1:PORT | real (see the README)",
    )
    p.set_defaults(_accepts_rest=True)


_contract_args.epilog = (  # type: ignore[attr-defined]
    "Arguments after `--` go to pytest, e.g. wecom-mock contract --target live -- -x -k user\n"
    "Same as: pytest <site-packages>/contract_tests --wecom-target=TARGET"
)


@cli.command(
    "contract",
    "run the shipped contract suite (pytest) against the emulator, a server or the real API",
    _contract_args,
)
def _contract(args: argparse.Namespace) -> int:
    import importlib.util
    import os
    import subprocess

    missing = [
        m for m in ("contract_tests", "pytest", "hypothesis") if not importlib.util.find_spec(m)
    ]
    if missing:
        print(
            f"wecom-mock: the contract suite needs {', '.join(missing)}: "
            "pip install 'wecom-mock[contract]'",
            file=sys.stderr,
        )
        return 2
    rest = list(getattr(args, "rest", None) or [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    spec = importlib.util.find_spec("contract_tests")
    assert spec is not None and spec.submodule_search_locations
    suite = next(iter(spec.submodule_search_locations))
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        suite,  # a path, not --pyargs: its conftest adds --wecom-target
        f"--wecom-target={args.target}",
        "-c",
        os.devnull,  # the caller's own pytest configuration is not the suite's
        "--rootdir",
        os.path.dirname(suite),
        "-p",
        "no:cacheprovider",
        "-o",
        "wecom_conformance=true",
        *rest,
    ]
    return subprocess.run(cmd, check=False).returncode


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("wecom-mock")
    except PackageNotFoundError:  # a source checkout that was never installed
        from mock_server import __version__

        return __version__
