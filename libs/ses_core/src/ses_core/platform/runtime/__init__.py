"""Hosting services: the plugin contract, the host process and the ``ses`` command.

The host and its parts are imported on first use (PEP 562 ``__getattr__``): a service
plugin that only needs the contract, or ``ses --help``, does not import the whole
platform (SQLAlchemy, gRPC, NATS).
"""

from typing import TYPE_CHECKING, Any

from ses_core.platform.runtime._plugin import (
    ENTRY_POINT_GROUP,
    BackgroundLoop,
    CliCommand,
    ServiceContext,
    ServiceParts,
    ServicePlugin,
    UnknownService,
    commands_of,
    discover_plugins,
    select_plugins,
)

if TYPE_CHECKING:
    from ses_core.platform.runtime._host import (
        ServiceHost,
        calendar_from,
        migrate_services,
        upload_policy_from,
    )
    from ses_core.platform.runtime._idempotency import RoutingIdempotencyStore
    from ses_core.platform.runtime._maintenance_feed import StreamMaintenanceSchedule

_LAZY = {
    "ServiceHost": "_host",
    "calendar_from": "_host",
    "migrate_services": "_host",
    "upload_policy_from": "_host",
    "RoutingIdempotencyStore": "_idempotency",
    "StreamMaintenanceSchedule": "_maintenance_feed",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "ENTRY_POINT_GROUP",
    "BackgroundLoop",
    "CliCommand",
    "RoutingIdempotencyStore",
    "ServiceContext",
    "ServiceHost",
    "ServiceParts",
    "ServicePlugin",
    "StreamMaintenanceSchedule",
    "UnknownService",
    "calendar_from",
    "commands_of",
    "discover_plugins",
    "migrate_services",
    "select_plugins",
    "upload_policy_from",
]
