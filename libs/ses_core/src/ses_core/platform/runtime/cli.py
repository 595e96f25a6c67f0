"""``ses``: run, serve, migrate and administer the platform.

    ses up                    every installed service in one process, embedded defaults
    ses serve <service>       one service (how Kubernetes runs each of them)
    ses migrate [<service>]   upgrade service databases to head (a separate production step)
    ses <command> ...         administrative commands contributed by services
                              (e.g. ``ses tenants create`` from enrollment)

Settings come from ``SES_*`` environment variables (see ``ses_core.platform.settings``);
a bad one stops the command with exit status 2 and a message naming it. So does a host
that cannot start for a reason a person can fix (a ``SesError``: the data directory is
read-only or full, another ``ses up`` holds the NATS store, nats-server will not start):
one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from ses_core.errors import SesError
from ses_core.platform.runtime._host import ServiceHost, migrate_services
from ses_core.platform.runtime._plugin import (
    CliCommand,
    UnknownService,
    commands_of,
    discover_plugins,
    select_plugins,
)
from ses_core.platform.settings import Settings, settings_or_exit


def _parser(commands: Sequence[CliCommand]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ses", description="SES complaints platform")
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run every installed service on embedded defaults")
    up.add_argument("--port", type=int, help="gRPC port (default 50051; 0 picks a free one)")
    serve = sub.add_parser("serve", help="run one service")
    serve.add_argument("service", help="service name, e.g. enrollment")
    serve.add_argument(
        "--no-migrate",
        action="store_true",
        help="refuse to start unless the schema is at head (run `ses migrate` first)",
    )
    migrate = sub.add_parser("migrate", help="upgrade service databases to head")
    migrate.add_argument("services", nargs="*", help="services to migrate (default: all)")
    for command in commands:
        command.configure(sub.add_parser(command.name, help=command.help))
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "port", None) is not None:
        overrides["grpc"] = {"port": args.port}
    return settings_or_exit(**overrides)


async def _run_host(host: ServiceHost) -> None:
    # Signal handlers go in first: a Ctrl-C while starting (or right after "ready") must
    # still stop everything cleanly instead of killing the process mid-start.
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested.set)
    try:
        print("SES: starting " + ", ".join(plugin.name for plugin in host.plugins) + " ...")
        await host.start()  # stops what it started when it fails
        try:
            _print_ready(host)
            await stop_requested.wait()
        finally:
            print("SES: stopping ...", flush=True)
            await host.stop()
            print("SES: stopped.", flush=True)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _print_ready(host: ServiceHost) -> None:
    print(f"SES: gRPC listening on {host.address}")
    print(f"SES: data directory {host.settings.data_dir.resolve()}")
    if host.broker is not None:
        print(
            f"SES: NATS at {host.nats_url} (embedded nats-server pid {host.broker.pid}, "
            f"store {host.broker.store_dir.resolve()})"
        )
    else:
        print(f"SES: NATS at {host.nats_url}")
    for service in host.services:
        if service.parts is not None:
            for line in service.parts.ready_messages:
                print(f"SES: {line}")
    print("SES: ready; Ctrl-C stops everything.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    plugins = discover_plugins()
    commands = [command for plugin in plugins.values() for command in commands_of(plugin)]
    args = _parser(commands).parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "up":
            settings = _settings(args)
            host = ServiceHost(settings, select_plugins(), seed_demo=True)
            asyncio.run(_run_host(host))
            return 0
        if args.command == "serve":
            settings = _settings(args)
            host = ServiceHost(
                settings, select_plugins([args.service]), migrate=not args.no_migrate
            )
            asyncio.run(_run_host(host))
            return 0
        if args.command == "migrate":
            settings = _settings(args)
            chosen = select_plugins(args.services)
            migrate_services(settings, chosen)
            print("SES: migrated " + ", ".join(plugin.name for plugin in chosen))
            return 0
    except UnknownService as error:
        print(f"ses: {error}", file=sys.stderr)
        return 2
    except SesError as error:
        # The host could not start for a reason a person can fix (a data directory that
        # is read-only or full, a NATS store in use): one line, no traceback.
        print(f"ses: {error.message}", file=sys.stderr)
        return 2
    for command in commands:
        if command.name == args.command:
            return command.run(args, _settings(args))
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    raise SystemExit(main())
