"""Hosting services: the plugin contract, the host process and the ``ses`` command."""

from ses_core.platform.runtime._host import (
    ServiceHost,
    calendar_from,
    migrate_services,
    upload_policy_from,
)
from ses_core.platform.runtime._idempotency import RoutingIdempotencyStore
from ses_core.platform.runtime._maintenance_feed import StreamMaintenanceSchedule
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
