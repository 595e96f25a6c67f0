"""Settings of the enrollment service, read from ``SES_ENROLLMENT__*`` environment variables.

``SES_ENROLLMENT__ACTIVATION_LINK_BASE``
    The activation token is appended to it (default
    ``http://127.0.0.1:8080/activate?token=``, for a local web front end).
``SES_ENROLLMENT__ACTIVATION_LINK_TTL``
    Lifetime of every activation link, enrollment invitations included (default ``P14D``).
``SES_ENROLLMENT__LOCKOUT_THRESHOLD``
    Consecutive failed sign-ins that lock an account (default 5).
``SES_ENROLLMENT__LOCKOUT_DURATION``
    How long a lockout lasts unless an Account Administrator lifts it sooner with
    ``UnlockUser`` (default ``PT15M``).
``SES_ENROLLMENT__EXPIRY_SWEEP_SECONDS``
    How often invitations that ran out unused are marked EXPIRED (default 60).
``SES_ENROLLMENT__AUDIT_CHECKPOINT_INTERVAL``
    How often the head of every audit chain that moved is signed (default ``PT1H``; at
    least a minute). Entries after the last checkpoint can be cut off unnoticed by someone
    who also rewrites the chain's head record: a shorter interval narrows that window.
``SES_ENROLLMENT__ARGON2_TIME_COST`` / ``_MEMORY_KIB`` / ``_PARALLELISM``
    argon2id cost (default 3 passes, 65536 KiB, 4 lanes: RFC 9106's second recommended
    option). Hashes made with other values stay valid and are re-hashed at the next
    sign-in.

Durations are seconds (``900``) or ISO 8601 (``PT15M``). The process-wide settings
(``ses_core.platform.settings.Settings``) have no enrollment group, so they log these
variables as unknown at start; that warning is harmless.
"""

from __future__ import annotations

import difflib
import os
from datetime import timedelta
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ses_core.platform.settings import Duration, SettingsError

ENV_PREFIX = "SES_ENROLLMENT__"
DEFAULT_LINK_BASE = "http://127.0.0.1:8080/activate?token="


class EnrollmentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", case_sensitive=False)

    activation_link_base: str = DEFAULT_LINK_BASE
    activation_link_ttl: Duration = timedelta(days=14)
    lockout_threshold: Annotated[int, Field(ge=1, le=100)] = 5
    lockout_duration: Duration = timedelta(minutes=15)
    expiry_sweep_seconds: Annotated[float, Field(gt=0, le=86400)] = 60.0
    audit_checkpoint_interval: Duration = timedelta(hours=1)
    argon2_time_cost: Annotated[int, Field(ge=1, le=20)] = 3
    argon2_memory_kib: Annotated[int, Field(ge=8, le=4 * 1024 * 1024)] = 65536
    argon2_parallelism: Annotated[int, Field(ge=1, le=64)] = 4

    @field_validator("activation_link_base")
    @classmethod
    def _link_base(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http:// or https:// URL to which the token is appended")
        return value

    @field_validator("activation_link_ttl", "lockout_duration")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration, e.g. P14D or PT15M")
        return value

    @field_validator("audit_checkpoint_interval")
    @classmethod
    def _at_least_a_minute(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("must be at least a minute, e.g. PT1H")
        return value


def load_enrollment_settings() -> EnrollmentSettings:
    """The settings from the environment; ``SettingsError`` naming each bad variable.

    A misspelt ``SES_ENROLLMENT__*`` variable is refused too, with the nearest name, as
    the platform refuses misspelt variables of its groups.
    """
    known = {ENV_PREFIX + name.upper() for name in EnrollmentSettings.model_fields}
    problems = []
    for variable in sorted(os.environ):
        upper = variable.upper()
        if upper.startswith(ENV_PREFIX) and upper not in known:
            hint = difflib.get_close_matches(upper, known, n=1)
            suggestion = f"; did you mean {hint[0]}?" if hint else ""
            problems.append(f"{variable}: not a known setting{suggestion}")
    try:
        settings = EnrollmentSettings()
    except ValidationError as error:
        problems += [
            f"{ENV_PREFIX}{'__'.join(str(part).upper() for part in detail['loc'])}: "
            f"{str(detail['msg']).removeprefix('Value error, ')}"
            for detail in error.errors()
        ]
    if problems:
        raise SettingsError(problems)
    return settings
