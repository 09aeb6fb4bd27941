"""Subcommands: ``openapi``, ``schemas``, ``proxy``; ``serve --replay`` and
``fixture from-cassette`` are added to the core's commands without editing them."""

from __future__ import annotations

import argparse
import json
import sys

from mock_server.cli.base import PORT, Commands

cli = Commands()


# -- openapi -----------------------------------------------------------------------------
def _openapi_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", default="http://127.0.0.1:8000", help="servers[0].url")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default stdout)")
    p.add_argument("--yaml", action="store_true", help="YAML instead of JSON")


@cli.command("openapi", "print an OpenAPI 3.1 document of every emulated endpoint", _openapi_args)
def _openapi(args: argparse.Namespace) -> int:
    from mock_server.contracts.openapi import build
    from mock_server.emulator import default_registry

    doc = build(default_registry(), server_url=args.server)
    if args.yaml:
        import yaml

        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200)
    else:
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


# -- schemas -----------------------------------------------------------------------------
def _schemas_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sync-errcodes",
        action="store_true",
        help="rewrite each response schema's x-errcodes from the registry (the source of truth)",
    )


@cli.command(
    "schemas", "check that every endpoint has valid schemas whose errcodes agree", _schemas_args
)
def _schemas(args: argparse.Namespace) -> int:
    from mock_server.contracts.schemas import default_store
    from mock_server.emulator import default_registry

    store = default_store()
    problems = 0
    endpoints = default_registry().endpoints
    for ep in endpoints():
        for kind in ("request", "response"):
            rel = store.relpath(ep, kind)
            if not store.exists(rel):
                print(f"missing  schemas/{rel}")
                problems += 1
                continue
            try:
                store.compile(rel)
            except Exception as exc:  # report every broken file, not just the first
                print(f"invalid  schemas/{rel}: {exc}")
                problems += 1
        rel = store.relpath(ep, "response")
        if not store.exists(rel):
            continue
        declared = store.raw(rel).get("x-errcodes")
        if declared is None:
            declared = store.declared_errcodes(ep)
        want = sorted(set(ep.errcodes))
        if declared is None or sorted(set(declared)) != want:
            if args.sync_errcodes:
                path = store.root / rel
                doc = json.loads(path.read_text(encoding="utf-8"))
                doc["x-errcodes"] = want
                path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")
                print(f"synced   schemas/{rel}: x-errcodes {want}")
            else:
                print(f"errcodes schemas/{rel}: x-errcodes {declared} != registry {want}")
                problems += 1
    print(f"{len(endpoints())} endpoints, {problems} problem(s)")
    return 1 if problems else 0


# -- proxy -------------------------------------------------------------------------------
def _proxy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--upstream", default="https://qyapi.weixin.qq.com", help="the API to forward to"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=PORT, default=8001, help="port (0 = any free)")
    p.add_argument("--record", metavar="FILE", help="write a cassette (secrets redacted)")
    p.add_argument(
        "--report",
        metavar="FILE",
        default="wecom-drift.json",
        help="drift report JSON written on exit (default wecom-drift.json)",
    )


@cli.command(
    "proxy",
    "forward to an upstream API, validate both ways against the schemas, report drift",
    _proxy_args,
)
def _proxy(args: argparse.Namespace) -> int:
    from mock_server.web.proxy import run_proxy

    return run_proxy(
        args.upstream, host=args.host, port=args.port, record=args.record, report=args.report
    )


# -- serve --replay and fixture from-cassette: extend the core's commands -------------------
def _replay_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--replay",
        metavar="CASSETTE",
        help="answer recorded requests from a proxy cassette (others are emulated)",
    )


def _replay_run(args: argparse.Namespace) -> int | None:
    if not getattr(args, "replay", None):
        return None
    from mock_server.contracts.cassette import replay
    from mock_server.emulator import Emulator
    from mock_server.web.server import serve

    emu = Emulator(
        args.fixture,
        seed=args.seed or 0,
        journal_size=args.journal_size,
        strict=args.strict,
        mode="server",
    )
    replay(emu, args.replay)  # recorded requests first; everything else is emulated
    return serve(
        host=args.host,
        port=args.port,
        seed=args.seed,
        threads=args.threads,
        admin_remote=args.admin_remote,
        admin_hosts=args.admin_host,
        emulator=emu,
    )


def _from_cassette_args(p: argparse.ArgumentParser) -> None:
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return
    c = subs[0].add_parser("from-cassette", help="turn a proxy cassette into a corp fixture")
    c.add_argument("cassette")
    c.add_argument("-o", "--output", metavar="FILE", help="write YAML to FILE (default stdout)")


def _from_cassette_run(args: argparse.Namespace) -> int | None:
    if getattr(args, "fixture_command", None) != "from-cassette":
        return None
    import yaml

    from mock_server.contracts.cassette import fixture_from_cassette

    doc = fixture_from_cassette(args.cassette)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


cli.extend("serve", _replay_args, _replay_run)
cli.extend("fixture", _from_cassette_args, _from_cassette_run)
