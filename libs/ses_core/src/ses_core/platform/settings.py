"""Process settings, read from ``SES_*`` environment variables when a process starts.

Nothing here runs at import time: a process calls ``load_settings()`` (or
``settings_or_exit()`` from its ``main``) once and hands the typed groups to
whatever it builds. Nested groups use ``__``: ``SES_GRPC__PORT=50052``,
``SES_IDENTITY__OIDC_ISSUER=https://login.example.gov``.

Design choices where the spec is silent:

* Every default runs the embedded single-machine setup: SQLite files and the
  NATS store under ``data_dir``, an embedded identity provider, no telemetry
  export. Production sets database URLs, ``SES_NATS__URL`` and, optionally, an
  external OIDC issuer.
* A bad value raises ``SettingsError`` naming the environment variable, what
  it must be and what it got; ``settings_or_exit`` turns that into exit status 2
  (the conventional "usage error") so an orchestrator shows it and stops.
* A misspelt variable inside a group (``SES_GRPC__PROT``) is refused like a
  bad value. A top-level ``SES_*`` variable matching no setting is only logged
  as a warning with the nearest known name, because one environment may serve
  several processes whose setting classes differ.
* ``SES_GRPC__PORT=0`` is allowed: the OS picks a free port (tests, side-by-side
  embedded processes); the bound port is what the server reports.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import sys
import typing
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

import annotated_types
import pydantic_settings
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

from ses_core.notifications import AllowedTargets

logger = logging.getLogger(__name__)

ENV_PREFIX = "SES_"
NESTED_DELIMITER = "__"
MIB = 1024 * 1024
GIB = 1024 * MIB

SERVICES = ("enrollment", "complaints", "files", "notify")
DEFAULT_PORTAL_URL = "http://localhost:8080"

# = ses_core.platform.messaging.jetstream.EVENTS_MAX_AGE (a test pins them equal; importing
# it here would load the NATS client into every process that reads settings).
PROCESSED_EVENTS_FLOOR = timedelta(days=30)


def _seconds_or_iso(value: Any) -> Any:
    """Read a bare number of seconds ("600", "1.5") as such; anything else goes to pydantic.

    Environment variables arrive as text, and pydantic reads a numeric *string* as an
    ISO 8601 duration only, so "600" would be refused although it is the obvious spelling.
    """
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        return timedelta(seconds=float(value))
    return value


Duration = Annotated[timedelta, BeforeValidator(_seconds_or_iso)]
"""A duration setting: seconds (``600``) or ISO 8601 (``PT10M``)."""


class SettingsError(Exception):
    """One or more settings are invalid; the message names each one and what it must be."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GrpcSettings(_Group):
    """Where the gRPC server listens and how it treats messages and shutdown."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 50051
    # Never raised to fit whole files: files stream in chunks of at most 1 MiB.
    max_receive_message_bytes: Annotated[int, Field(ge=64 * 1024, le=16 * MIB)] = 4 * MIB
    max_send_message_bytes: Annotated[int, Field(ge=64 * 1024, le=16 * MIB)] = 4 * MIB
    shutdown_grace_seconds: Annotated[float, Field(ge=0, le=600)] = 30.0
    # Share the port with other processes that set it too (the workers of `ses up
    # --workers N` set it; a process alone keeps it off so a busy port fails loudly).
    reuse_port: bool = False

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


class DatabaseSettings(_Group):
    """One database per service; an empty URL means ``<data_dir>/<service>.db`` (SQLite)."""

    enrollment: str = ""
    complaints: str = ""
    files: str = ""
    notify: str = ""

    def url_for(self, service: str) -> str:
        if service not in SERVICES:
            raise KeyError(f"Unknown service {service!r}; expected one of {', '.join(SERVICES)}.")
        url: str = getattr(self, service)
        return url


class NatsSettings(_Group):
    """An empty URL starts an embedded ``nats-server`` storing under ``store_dir``.

    A cluster is several URLs separated by commas (``nats://a:4222,nats://b:4222``): the
    client connects to any of them and moves to another when its server goes.
    """

    url: str = ""
    store_dir: Path | None = None
    # JetStream replication of the SES streams: 1 embedded, 3 on a production cluster.
    stream_replicas: Annotated[int, Field(ge=1, le=5)] = 1


class IdentitySettings(_Group):
    """How tokens are issued (embedded provider) and verified (every service).

    Verification trusts exactly one source, picked by which setting is set:
    ``oidc_issuer`` (discovery document → JWKS URL, e.g. Okta or Keycloak),
    else ``jwks_url`` (a JWKS published elsewhere, e.g. the enrollment
    service's), else the local signing keys at ``signing_key_path``.

    A token proves identity only; authority comes from the directory
    (``ses_core.platform.authority``):

    * ``mfa_methods``: the RFC 8176 ``amr`` values that prove a second factor
      (``require_mfa``): one-time code (``otp``), the issuer's own "multi-factor"
      (``mfa``), a hardware- or software-held key (``hwk``, ``swk``: FIDO2,
      passkeys) or a smart card (``sc``). A password (``pwd``) alone never does.
    * ``oidc_user_match``: how an external issuer's token names the SES user:
      ``email`` (its verified ``email`` claim is looked up in the directory) or
      ``subject`` (its ``sub`` is the SES user id).
    * ``authority_cache_seconds``: how long a service reuses a user's authority
      before reading the directory again (0.5 s; at most 1 s, so that a change
      reaches every replica within 2 s of its event, the rest of the budget being
      the time the event takes to arrive).
    * ``authority_wait_seconds``: how long a call from a user the directory has
      not heard of yet waits for it (a user created a moment ago) before it is
      answered UNAVAILABLE, to be retried.
    """

    issuer: str = "urn:ses:identity"
    audience: str = "ses"
    jwks_url: str = ""
    oidc_issuer: str = ""
    access_token_ttl: Duration = timedelta(minutes=10)
    refresh_token_ttl: Duration = timedelta(hours=12)
    signing_key_path: Path | None = None
    require_mfa: bool = True
    jwks_cache_seconds: Annotated[float, Field(ge=1, le=86400)] = 300.0
    jwks_min_refresh_seconds: Annotated[float, Field(ge=0, le=3600)] = 30.0
    clock_skew_seconds: Annotated[float, Field(ge=0, le=300)] = 30.0
    mfa_methods: list[str] = Field(default_factory=lambda: ["otp", "mfa", "hwk", "swk", "sc"])
    oidc_user_match: Literal["email", "subject"] = "email"
    authority_cache_seconds: Annotated[float, Field(ge=0, le=1)] = 0.5
    authority_wait_seconds: Annotated[float, Field(ge=0, le=10)] = 2.0

    @model_validator(mode="after")
    def _one_trust_source(self) -> IdentitySettings:
        if self.oidc_issuer and self.jwks_url:
            raise ValueError(
                "SES_IDENTITY__OIDC_ISSUER and SES_IDENTITY__JWKS_URL are both set; set only "
                "one (the issuer's discovery document already names its JWKS URL)"
            )
        single_factor = sorted({"pwd", "kba"} & set(self.mfa_methods))
        if single_factor:
            raise ValueError(
                f"SES_IDENTITY__MFA_METHODS lists {', '.join(single_factor)}, which prove no "
                "second factor; list methods such as otp, mfa, hwk, swk or sc"
            )
        return self

    @property
    def trust_source(self) -> Literal["oidc", "jwks_url", "local"]:
        if self.oidc_issuer:
            return "oidc"
        if self.jwks_url:
            return "jwks_url"
        return "local"

    @property
    def expected_issuer(self) -> str:
        # Exactly as configured: tokens carry the issuer string verbatim, slash or not.
        return self.oidc_issuer or self.issuer


class TelemetrySettings(_Group):
    """``none`` disables tracing and metrics; ``memory`` keeps spans in memory (tests)."""

    exporter: Literal["none", "console", "otlp", "memory"] = "none"
    service_name: str = "ses"
    otlp_endpoint: str = ""

    @property
    def enabled(self) -> bool:
        return self.exporter != "none"


class MaintenanceSettings(_Group):
    """The maintenance guard and the calendar policy it relies on."""

    enforce: bool = True
    observed_holidays_limited: bool = True
    read_only_methods: list[str] = Field(default_factory=list)


class UploadSettings(_Group):
    """Per-deployment overrides of the upload limits (DESIGN §2)."""

    max_file_bytes: Annotated[int, Field(ge=1)] = GIB
    max_interaction_file_bytes: Annotated[int, Field(ge=1)] = 25 * MIB
    max_files_per_batch: Annotated[int, Field(ge=1, le=1000)] = 25
    max_response_chars: Annotated[int, Field(ge=1)] = 4000
    max_link_chars: Annotated[int, Field(ge=1)] = 2048
    chunk_bytes: Annotated[int, Field(ge=16 * 1024, le=MIB)] = MIB


class FilesSettings(_Group):
    """Where file bytes live and how downloads are authorised (files + complaints services).

    ``grant_secret_path`` holds the key both services use for signed file grants;
    the embedded default creates it under ``data_dir`` on first start.
    """

    blob_store: Literal["local", "s3"] = "local"
    blob_dir: Path | None = None
    s3_endpoint_url: str = ""
    s3_bucket: str = "ses-files"
    s3_region: str = "us-east-1"
    grant_secret_path: Path | None = None
    grant_ttl: Duration = timedelta(minutes=5)
    upload_expiry: Duration = timedelta(hours=24)
    clamd_address: str = ""


class NotifySettings(_Group):
    """How notifications leave the system.

    ``mail_transport="maildir"`` (embedded default) writes each e-mail as an ``.eml``
    file under ``mail_dir``; ``smtp`` sends through ``smtp_host:smtp_port``.
    ``portal_url`` is where people open SES in a browser: notices about a complaint
    link to ``<portal_url>/complaints/<reference number>``. The embedded setup serves
    no web pages, so its default names a portal running beside it on this machine.

    Webhooks go to public addresses only (``ses_core.notifications.WebhookTargetPolicy``).
    ``webhook_allow_private_targets`` also opens loopback, private, shared and
    unique-local addresses and plain ``http://`` to them: for trying webhooks on one
    machine, never in production (``ses up`` included, it is off unless set).
    ``webhook_allowed_targets`` names host names and networks (a JSON list, e.g.
    ``["hooks.internal.example", "10.20.0.0/16"]``) that may be reached although not
    public, such as an in-cluster receiver; link-local and reserved ones only this way.
    """

    mail_transport: Literal["maildir", "smtp"] = "maildir"
    mail_dir: Path | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    mail_from: str = "SES Notifications <no-reply@ses.local>"
    due_soon_business_days: Annotated[int, Field(ge=0, le=30)] = 3
    portal_url: str = DEFAULT_PORTAL_URL
    webhook_allow_private_targets: bool = False
    webhook_allowed_targets: list[str] = Field(default_factory=list)

    @field_validator("portal_url")
    @classmethod
    def _absolute_web_address(cls, value: str) -> str:
        parsed = urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(
                "must be the web address of the SES portal, such as https://ses.example.gov"
            )
        if parsed.query or parsed.fragment:
            raise ValueError("must be the portal's address without a query or fragment")
        return value.strip().rstrip("/")

    @field_validator("webhook_allowed_targets")
    @classmethod
    def _webhook_targets_parse(cls, entries: list[str]) -> list[str]:
        AllowedTargets.parse(entries)  # its ValueError names the entry at fault
        return entries


class RetentionSettings(_Group):
    """How long the platform tables of every service database keep rows, and how often the
    host trims them (``SES_RETENTION__*``). Durations are seconds or ISO 8601: ``P7D``, ``PT1H``.

    * ``outbox_published`` (7 days): an outbox row is a log of what left the service once
      the broker acknowledged it; the relay never reads it again, so any length is safe.
      A week covers looking back over an incident and a long weekend.
    * ``processed_events`` (35 days): a consumer's claim on an event id must outlive every
      way the same id can come back. JetStream drops a republished id inside its duplicate
      window (30 minutes) only; redelivery of a message the consumer could not ack (broker
      away, process killed) comes back within the consumer's backoff once the broker is
      reachable; but a durable consumer that is deleted and created again is handed the
      whole retained stream again (``DeliverPolicy.ALL``), and the stream keeps events
      30 days (``EVENTS_MAX_AGE``). So the floor is 30 days, and the default adds five
      days for a relay that republishes after being down (it only republishes rows it
      published but had not yet marked).
    * ``idempotency_keys`` (24 hours): the window promised to clients for an
      ``idempotency-key``; a deployment may keep keys longer, never shorter.
    * ``purge_interval`` (1 hour) and ``purge_batch_size`` (1,000 rows per transaction):
      each purge runs bounded ``DELETE`` statements over rows older than the cutoff, so
      two replicas purging one database at once only share the work.
    """

    outbox_published: Duration = timedelta(days=7)
    processed_events: Duration = timedelta(days=35)
    idempotency_keys: Duration = timedelta(hours=24)
    purge_interval: Duration = timedelta(hours=1)
    purge_batch_size: Annotated[int, Field(ge=1, le=100_000)] = 1000

    @model_validator(mode="after")
    def _at_least_the_promised_floors(self) -> RetentionSettings:
        floors = {
            "outbox_published": (timedelta(hours=1), "an hour"),
            "processed_events": (PROCESSED_EVENTS_FLOOR, "30 days, the event stream's max age"),
            "idempotency_keys": (timedelta(hours=24), "24 hours, the window promised to clients"),
            "purge_interval": (timedelta(seconds=1), "a second"),
        }
        for name, (floor, said) in floors.items():
            value = getattr(self, name)
            if value < floor:
                raise ValueError(
                    f"{env_name(('retention', name))} must be at least {said}, got {value}"
                )
        return self


class Settings(BaseSettings):
    """Everything a process needs to start; services may subclass it to add groups."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        extra="forbid",
        case_sensitive=False,
    )

    data_dir: Path = Path(".ses-data")
    grpc: GrpcSettings = Field(default_factory=GrpcSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nats: NatsSettings = Field(default_factory=NatsSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    maintenance: MaintenanceSettings = Field(default_factory=MaintenanceSettings)
    uploads: UploadSettings = Field(default_factory=UploadSettings)
    files: FilesSettings = Field(default_factory=FilesSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @model_validator(mode="after")
    def _fill_paths_under_data_dir(self) -> Settings:
        for service in SERVICES:
            if not getattr(self.database, service):
                setattr(self.database, service, _sqlite_url(self.data_dir, service))
        if self.nats.store_dir is None:
            self.nats.store_dir = self.data_dir / "nats"
        if self.files.blob_dir is None:
            self.files.blob_dir = self.data_dir / "blobs"
        if self.files.grant_secret_path is None:
            self.files.grant_secret_path = self.data_dir / "identity" / "file-grants.key"
        if self.notify.mail_dir is None:
            self.notify.mail_dir = self.data_dir / "mail"
        if self.identity.signing_key_path is None:
            self.identity.signing_key_path = self.data_dir / "identity" / "signing-keys.json"
        return self


SettingsT = TypeVar("SettingsT", bound=Settings)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; keyword overrides win (``grpc={"port": 0}``)."""
    return load_settings_as(Settings, **overrides)


def load_settings_as(cls: type[SettingsT], /, **overrides: Any) -> SettingsT:
    """Like ``load_settings`` for a service's ``Settings`` subclass."""
    try:
        settings = cls(**overrides)
    except ValidationError as error:
        raise SettingsError([_describe(cls, detail) for detail in error.errors()]) from None
    except pydantic_settings.SettingsError as error:
        raise SettingsError([_describe_source_error(error)]) from None
    _warn_about_unknown_variables(cls)
    return settings


def settings_or_exit(**overrides: Any) -> Settings:
    """For a ``main``: the settings, or the problem on stderr and exit status 2."""
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        print(f"ses: invalid settings: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def env_name(loc: tuple[str | int, ...]) -> str:
    """``("grpc", "port")`` → ``SES_GRPC__PORT``."""
    return ENV_PREFIX + NESTED_DELIMITER.join(str(part).upper() for part in loc)


_CONSTRAINT_ERRORS = {
    "int_parsing",
    "int_type",
    "int_from_float",
    "float_parsing",
    "float_type",
    "bool_parsing",
    "bool_type",
    "literal_error",
    "greater_than_equal",
    "less_than_equal",
    "greater_than",
    "less_than",
    "time_delta_parsing",
    "time_delta_type",
}


def _describe(cls: type[BaseModel], detail: Any) -> str:
    loc: tuple[str | int, ...] = tuple(detail["loc"])
    kind: str = detail["type"]
    message = str(detail["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return f"{env_name(loc)}: not a known setting"
    if kind == "value_error" and isinstance(detail.get("input"), dict):
        # A group-level check: its message already names the settings involved.
        return message if message.startswith(ENV_PREFIX) else f"{env_name(loc)}: {message}"
    field = _field_at(cls, loc)
    if kind in _CONSTRAINT_ERRORS and field is not None:
        expectation = _expectation(field)
    else:
        expectation = message[:1].lower() + message[1:]
    got = f", got {detail['input']!r}" if "input" in detail and kind != "missing" else ""
    return f"{env_name(loc)}: {expectation}{got}"


def _describe_source_error(error: pydantic_settings.SettingsError) -> str:
    # pydantic-settings fails before validation when a list or group value is not JSON.
    match = re.search(r'field "([^"]+)"', str(error))
    where = env_name((match.group(1),)) if match else ENV_PREFIX + "*"
    return (
        f"{where}: a value under it could not be parsed; write lists and groups as JSON, "
        "e.g. '[\"/ses.notify.v1.NotifyService/ScheduleMaintenance\"]'"
    )


def _field_at(cls: type[BaseModel], loc: tuple[str | int, ...]) -> FieldInfo | None:
    model: type[BaseModel] | None = cls
    field: FieldInfo | None = None
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        field = model.model_fields[part]
        model = _group_model(field)
    return field


def _group_model(field: FieldInfo) -> type[BaseModel] | None:
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _expectation(field: FieldInfo) -> str:
    annotation = field.annotation
    low = high = None
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Ge):
            low = constraint.ge
        elif isinstance(constraint, annotated_types.Le):
            high = constraint.le
    if typing.get_origin(annotation) is Literal:
        return "must be one of " + ", ".join(repr(choice) for choice in typing.get_args(annotation))
    if annotation is bool:
        return "must be true or false"
    if annotation is timedelta:
        return "must be a duration in seconds (600) or ISO 8601 (PT10M)"
    noun = "an integer" if annotation is int else "a number" if annotation is float else "valid"
    if low is not None and high is not None:
        return f"must be {noun} between {low} and {high}"
    if low is not None:
        return f"must be {noun} of at least {low}"
    if high is not None:
        return f"must be {noun} of at most {high}"
    return f"must be {noun}"


def _known_env_names(cls: type[BaseModel], prefix: tuple[str, ...] = ()) -> set[str]:
    names: set[str] = set()
    for name, field in cls.model_fields.items():
        loc = (*prefix, name)
        names.add(env_name(loc))
        group = _group_model(field)
        if group is not None:
            names |= _known_env_names(group, loc)
    return names


def _warn_about_unknown_variables(cls: type[BaseModel]) -> None:
    known = _known_env_names(cls)
    # A service may own a settings group of its own (SES_ENROLLMENT__...), read and checked
    # by that service's loader: not this loader's business.
    service_groups = tuple(
        f"{ENV_PREFIX}{service.upper()}{NESTED_DELIMITER}" for service in SERVICES
    )
    for variable in sorted(os.environ):
        upper = variable.upper()
        if not upper.startswith(ENV_PREFIX) or upper in known or upper.startswith(service_groups):
            continue
        hint = difflib.get_close_matches(upper, known, n=1)
        suggestion = f"; did you mean {hint[0]}?" if hint else ""
        logger.warning("%s matches no setting and is ignored%s", variable, suggestion)


__all__ = [
    "SERVICES",
    "DatabaseSettings",
    "FilesSettings",
    "GrpcSettings",
    "IdentitySettings",
    "MaintenanceSettings",
    "NatsSettings",
    "NotifySettings",
    "RetentionSettings",
    "Settings",
    "SettingsError",
    "TelemetrySettings",
    "UploadSettings",
    "env_name",
    "load_settings",
    "load_settings_as",
    "settings_or_exit",
]


def _sqlite_url(data_dir: Path, service: str) -> str:
    from ses_core.platform.db._urls import sqlite_url

    return sqlite_url(data_dir, service)
