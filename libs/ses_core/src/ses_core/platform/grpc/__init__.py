"""The gRPC server kit: a ``grpc.aio`` server factory and the interceptors every service uses.

Two interceptors at most (``build_interceptors``): OpenTelemetry's, outermost, when
telemetry is on, then the kit's ``CallInterceptor``, which runs steps 2–5 below in
that order in a handler it builds once per method. Outermost first:

1. OpenTelemetry (when telemetry is on): the span covers everything below and
   records the final status.
2. Error mapping: a request id per call (``x-request-id``), requests parsed
   tolerantly (malformed bytes → INVALID_ARGUMENT), ``SesError`` → status with
   the standard ``google.rpc`` details (AIP-193); anything else → INTERNAL with
   the request id. Outermost of ours, so the refusals of the steps below
   (which raise ``SesError``) are mapped the same way as the handlers' errors.
2a. Access audit (when the host gives an access log): opens the call's audit record,
   records refused access decisions and restricted reads (``_audit``).
3. Authentication: verifies the bearer token (identity), reads the caller's
   authority from the directory (``AuthorityRouter``), binds ``current_actor()``.
4. Maintenance guard: refuses mutating calls during a window. After
   authentication, so an anonymous caller learns first that it must sign in.
5. Idempotency: innermost, so refused calls are never stored and a replay
   still requires a valid token and an open system.
"""

from ses_core.platform.db.platform_tables import idempotency_table
from ses_core.platform.grpc._audit import AccessLog, AccessRecording
from ses_core.platform.grpc._auth import (
    AUTHORIZATION_KEY,
    Authenticator,
    AuthorityRouter,
    bearer_token,
)
from ses_core.platform.grpc._context import (
    acting_as,
    bind_token,
    current_actor,
    current_actor_or_none,
    current_token,
)
from ses_core.platform.grpc._idempotency import (
    IDEMPOTENCY_KEY,
    REPLAY_KEY,
    Idempotency,
    request_fingerprint,
)
from ses_core.platform.grpc._idempotency_store import (
    DEFAULT_RETENTION,
    Claim,
    ClaimOutcome,
    IdempotencyScope,
    IdempotencyStore,
)
from ses_core.platform.grpc._interceptor import CallInterceptor
from ses_core.platform.grpc._maintenance import (
    FixedMaintenanceSchedule,
    MaintenanceGuard,
    MaintenanceSchedule,
    eastern_time,
)
from ses_core.platform.grpc._methods import (
    DEFAULT_MAINTENANCE_EXEMPT_METHODS,
    DEFAULT_PUBLIC_METHODS,
    MethodSet,
    ReadOnlyMethods,
    is_read_verb,
)
from ses_core.platform.grpc._request_id import REQUEST_ID_KEY, current_request_id
from ses_core.platform.grpc._status import (
    ERROR_DOMAIN,
    STATUS_BY_KIND,
    rich_status,
    status_for,
)
from ses_core.platform.grpc.server import (
    MAX_FILE_CHUNK_BYTES,
    MAX_MESSAGE_BYTES,
    GrpcServer,
    ServerConfig,
    ServiceRegistration,
    build_interceptors,
    create_server,
)

__all__ = [
    "AUTHORIZATION_KEY",
    "DEFAULT_MAINTENANCE_EXEMPT_METHODS",
    "DEFAULT_PUBLIC_METHODS",
    "DEFAULT_RETENTION",
    "ERROR_DOMAIN",
    "IDEMPOTENCY_KEY",
    "MAX_FILE_CHUNK_BYTES",
    "MAX_MESSAGE_BYTES",
    "REPLAY_KEY",
    "REQUEST_ID_KEY",
    "STATUS_BY_KIND",
    "AccessLog",
    "AccessRecording",
    "Authenticator",
    "AuthorityRouter",
    "CallInterceptor",
    "Claim",
    "ClaimOutcome",
    "FixedMaintenanceSchedule",
    "GrpcServer",
    "Idempotency",
    "IdempotencyScope",
    "IdempotencyStore",
    "MaintenanceGuard",
    "MaintenanceSchedule",
    "MethodSet",
    "ReadOnlyMethods",
    "ServerConfig",
    "ServiceRegistration",
    "acting_as",
    "bearer_token",
    "bind_token",
    "build_interceptors",
    "create_server",
    "current_actor",
    "current_actor_or_none",
    "current_request_id",
    "current_token",
    "eastern_time",
    "idempotency_table",
    "is_read_verb",
    "request_fingerprint",
    "rich_status",
    "status_for",
]
