"""``ses``: run, serve, migrate and administer the platform.

    ses up [--workers N]      every installed service, embedded defaults, N processes
                              sharing the port (default: one per core)
    ses serve <service>       one service (how Kubernetes runs each of them; --workers N)
    ses migrate [<service>]   upgrade service databases to head (a separate production step)
    ses <command> ...         administrative commands contributed by services
                              (e.g. ``ses tenants create`` from enrollment)
    ses login | complaints | respond | demo ...
                              the people commands, when ``ses-cli`` is installed

The people commands (sign in, work complaints, respond, ``ses demo``) live in the
``ses-cli`` distribution, built on the SDK. This command stays the one entry point: a
module registered under the ``ses.people_commands`` entry-point group names them and their
help lines cheaply (``ses_cli.entry``: no typer, rich or gRPC), ``ses --help`` lists them
beside the operator commands, and a command line naming one is handed to that module's
``main`` whole, before argparse sees it. Without ``ses-cli`` installed, ``ses`` is the
operator tool alone.

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
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING

from ses_core.errors import SesError
from ses_core.platform.runtime._command_index import cached_commands, remember_commands
from ses_core.platform.runtime._plugin import (
    CliCommand,
    ServicePlugin,
    UnknownService,
    commands_of,
    discover_plugins,
    installed_service_names,
    select_plugins,
)
from ses_core.platform.runtime._workers import WORKER_READY, WorkerPool, default_workers

# The host (SQLAlchemy, gRPC, NATS, alembic) is imported only by the commands that host
# or migrate: `ses --help` and the administrative commands start without it.
if TYPE_CHECKING:
    from ses_core.platform.runtime._host import ServiceHost
    from ses_core.platform.settings import Settings


PEOPLE_ENTRY_POINT_GROUP = "ses.people_commands"


def _parser(
    commands: Sequence[CliCommand | _ListedCommand], epilog: str | None = None
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ses", description="SES complaints platform", epilog=epilog
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run every installed service on embedded defaults")
    up.add_argument("--port", type=int, help="gRPC port (default 50051; 0 picks a free one)")
    _add_worker_options(up, default=default_workers())
    serve = sub.add_parser("serve", help="run one service")
    serve.add_argument("service", help="service name, e.g. enrollment")
    serve.add_argument(
        "--no-migrate",
        action="store_true",
        help="refuse to start unless the schema is at head (run `ses migrate` first)",
    )
    _add_worker_options(serve, default=1)
    migrate = sub.add_parser("migrate", help="upgrade service databases to head")
    migrate.add_argument("services", nargs="*", help="services to migrate (default: all)")
    for command in commands:
        command.configure(sub.add_parser(command.name, help=command.help))
    return parser


def _add_worker_options(parser: argparse.ArgumentParser, *, default: int) -> None:
    parser.add_argument(
        "--workers",
        type=_positive,
        default=default,
        help=f"host processes sharing the port (default {default})",
    )
    # Set by the supervisor of several workers on each worker it starts.
    parser.add_argument("--worker-index", type=int, help=argparse.SUPPRESS)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"needs at least 1 worker, not {value}")
    return number


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "port", None) is not None:
        overrides["grpc"] = {"port": args.port}
    from ses_core.platform.settings import settings_or_exit

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


async def _run_worker(host: ServiceHost, index: int) -> None:
    """One worker of several (``_workers``): the supervisor prints the banner."""
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested.set)
    try:
        await host.start()
        try:
            if index == 0:
                for line in _service_messages(host):
                    print(f"SES: {line}")
            print(WORKER_READY, flush=True)
            await stop_requested.wait()
        finally:
            await host.stop()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _run_pool(pool: WorkerPool, names: Sequence[str]) -> None:
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested.set)
    try:
        print(f"SES: starting {', '.join(names)} in {pool.workers} worker processes ...")
        await pool.run(stop_requested)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _service_messages(host: ServiceHost) -> list[str]:
    return [
        line
        for service in host.services
        if service.parts is not None
        for line in service.parts.ready_messages
    ]


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
    for line in _service_messages(host):
        print(f"SES: {line}")
    print("SES: ready; Ctrl-C stops everything.", flush=True)


BUILT_IN_COMMANDS = ("up", "serve", "migrate")


@dataclass(frozen=True)
class _ListedCommand:
    """A service's command as the help screen lists it (``_command_index``); never run."""

    name: str
    help: str

    def configure(self, parser: argparse.ArgumentParser) -> None:
        return None

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        raise AssertionError("a listed command is only ever shown in help")


def _service_commands(argv: Sequence[str]) -> Sequence[CliCommand | _ListedCommand]:
    """What the parser needs of the services' commands for this command line: nothing for
    the built-in commands, the index for a help screen, else the commands themselves."""
    word = _command_word(argv)
    if word in BUILT_IN_COMMANDS:
        return []
    if word is None:
        listed = cached_commands()
        if listed is not None:
            return [_ListedCommand(name, help_) for name, help_ in listed]
    commands = [
        command for plugin in discover_plugins().values() for command in commands_of(plugin)
    ]
    remember_commands((command.name, command.help) for command in commands)
    return commands


def _command_word(argv: Sequence[str], valued: Sequence[str] = ()) -> str | None:
    """The command a command line names (the first word that is no option), if any;
    ``valued`` are further options that take a value (the people commands' globals)."""
    words = iter(argv)
    for word in words:
        if word == "--log-level" or word in valued:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _people_commands() -> ModuleType | None:
    """The module of the installed people commands (``ses_cli.entry``), if any."""
    for entry in entry_points(group=PEOPLE_ENTRY_POINT_GROUP):
        module = entry.load()
        if isinstance(module, ModuleType):
            return module
    return None


def _without_log_level(argv: Sequence[str]) -> list[str]:
    kept, words = [], iter(argv)
    for word in words:
        if word == "--log-level":
            next(words, None)
        else:
            kept.append(word)
    return kept


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    people = _people_commands() if _command_word(arguments) not in BUILT_IN_COMMANDS else None
    if people is not None:
        word = _command_word(arguments, people.OPTIONS_WITH_VALUES)
        if word in [name for name, _ in people.COMMANDS]:
            exit_status: int = people.main(_without_log_level(arguments))
            return exit_status
    commands = _service_commands(arguments)
    listed = [_ListedCommand(name, help_) for name, help_ in people.COMMANDS] if people else []
    epilog = people.EXIT_STATUS if people is not None else None
    args = _parser([*commands, *listed], epilog).parse_args(arguments)
    try:
        # Loaded before logging is set up: what the services' imports log is not news.
        plugins = _plugins_for(args)
    except UnknownService as error:
        print(f"ses: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command in ("up", "serve"):
            return _host_command(args, plugins)
        if args.command == "migrate":
            settings = _settings(args)
            chosen = plugins or []
            from ses_core.platform.runtime._host import migrate_services

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


def _is_supervisor(args: argparse.Namespace) -> bool:
    return args.command in ("up", "serve") and args.worker_index is None and args.workers > 1


def _plugins_for(args: argparse.Namespace) -> list[ServicePlugin] | None:
    """The plugins a command hosts or migrates; None for the rest, and for the supervisor
    of several workers, which only needs their names (it imports no service)."""
    if args.command == "migrate":
        return select_plugins(args.services)
    if args.command not in ("up", "serve"):
        return None
    wanted = None if args.command == "up" else [args.service]
    if _is_supervisor(args):
        installed_service_names(wanted)  # an unknown name fails here, in one line
        return None
    return select_plugins(wanted)


def _host_command(args: argparse.Namespace, plugins: list[ServicePlugin] | None) -> int:
    """``ses up`` / ``ses serve``: one host, a supervisor of several, or one worker."""
    settings = _settings(args)
    up = args.command == "up"
    if _is_supervisor(args):
        command = ["up"] if up else ["serve", args.service]
        if not up and args.no_migrate:
            command.append("--no-migrate")
        pool = WorkerPool(settings, command, args.workers, log_level=args.log_level)
        names = installed_service_names(None if up else [args.service])
        asyncio.run(_run_pool(pool, names))
        return 0
    from ses_core.platform.runtime._host import ServiceHost

    assert plugins is not None
    migrate = up or not args.no_migrate
    if args.worker_index is None:
        host = ServiceHost(settings, plugins, migrate=migrate, seed_demo=up)
        asyncio.run(_run_host(host))
        return 0
    first = args.worker_index == 0  # migrates and seeds (_workers)
    host = ServiceHost(settings, plugins, migrate=migrate and first, seed_demo=up and first)
    asyncio.run(_run_worker(host, args.worker_index))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
