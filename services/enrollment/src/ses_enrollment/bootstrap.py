"""The enrollment service's composition root: ``plugin`` is what ``ses`` hosts.

``build`` assembles the handlers, mounts ``EnrollmentService``, ``AuditService`` and
(unless an external OIDC issuer signs tokens) ``AuthService``, starts the invitation-expiry
sweep, the audit log's consumer of every event and the signing of its checkpoints
(``ses_enrollment.audit``), and under ``ses up`` seeds the demo agency and prints how to
sign in to it.

This service is the source of every user's authority (``ses_enrollment.authority``): it
writes its own ``user_authority`` rows as users change (so the host runs no projection
of them here), and on start it states the authority of users who have none yet (an
installation upgraded from a release without it), which also publishes it to the
other services.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from ses_core.platform.identity import KeyRing
from ses_core.platform.runtime import (
    BackgroundLoop,
    CliCommand,
    ServiceContext,
    ServiceParts,
)
from ses_enrollment.audit.checkpoints import checkpoint_loop
from ses_enrollment.audit.command import AuditCommand
from ses_enrollment.audit.consumer import audit_consumer
from ses_enrollment.audit.servicer import EXPORT_METHOD, AuditServicer
from ses_enrollment.audit.signatures import CheckpointSigner, trusted_keys
from ses_enrollment.auth_servicer import AuthServicer
from ses_enrollment.authority import restate
from ses_enrollment.cli import AuthorityCommand, OperatorsCommand, SigninCommand, TenantsCommand
from ses_enrollment.composition import MIGRATIONS, make_deps, tokens_for
from ses_enrollment.demo import DEMO_AGENCY_CODE, demo_instructions, seed_demo
from ses_enrollment.handlers.common import Deps
from ses_enrollment.handlers.enrollment import expire_invitations
from ses_enrollment.scopes import DIRECTORY
from ses_enrollment.servicer import EnrollmentServicer
from ses_enrollment.settings import EnrollmentSettings, load_enrollment_settings

_log = logging.getLogger(__name__)


class EnrollmentPlugin:
    name = "enrollment"
    migrations: Path = MIGRATIONS

    def __init__(self, settings: EnrollmentSettings | None = None) -> None:
        # None: read SES_ENROLLMENT__* when the host builds the service (never at import).
        self._settings = settings

    @property
    def commands(self) -> Sequence[CliCommand]:
        return (
            TenantsCommand(),
            OperatorsCommand(),
            SigninCommand(),
            AuthorityCommand(),
            AuditCommand(),
        )

    def build(self, context: ServiceContext) -> ServiceParts:
        settings = self._settings or load_enrollment_settings()
        tokens = tokens_for(context)
        deps = make_deps(
            settings,
            context.engine,
            codec=context.codec,
            clock=context.clock,
            tokens=tokens,
            on_commit=context.outbox_committed,
            authority_stated=context.authority.forget if context.authority else None,
        )
        services = [EnrollmentServicer(deps).registration(), AuditServicer(deps).registration()]
        if tokens is not None:
            services.append(AuthServicer(deps).registration())
        restated = restate(deps)
        if restated:
            _log.info("stated the authority of %d user(s) who had none yet", restated)
        ready: list[str] = []
        if context.seed_demo:
            ready = _demo(deps, context)
        return ServiceParts(
            services=services,
            background=[
                expiry_sweep(deps, settings.expiry_sweep_seconds),
                *audit_loops(context, settings),
            ],
            read_only_methods=[EXPORT_METHOD],
            ready_messages=ready,
            states_authority=True,
        )


def audit_loops(context: ServiceContext, settings: EnrollmentSettings) -> list[BackgroundLoop]:
    """The audit log's consumer of every event, and the signing of its chain heads."""
    consumer = audit_consumer(context.js, context.sessions, context.codec, context.clock)
    ring = KeyRing.load_or_create(context.key_ring_path)
    signing = checkpoint_loop(
        context.sessions,
        CheckpointSigner(ring),
        context.clock,
        trusted_keys(ring.jwks()),
        settings.audit_checkpoint_interval.total_seconds(),
    )
    return [consumer.run, signing]


def expiry_sweep(deps: Deps, interval: float) -> BackgroundLoop:
    """Marks invitations that ran out unused EXPIRED, every ``interval`` seconds."""

    async def sweep() -> None:
        while True:
            try:
                expired = await asyncio.to_thread(expire_invitations, deps)
                if expired:
                    _log.info("%d enrollment invitation(s) expired", expired)
            except Exception:  # the next round tries again; the host keeps serving
                _log.exception("The enrollment expiry sweep failed")
            await asyncio.sleep(interval)

    return sweep


def _demo(deps: Deps, context: ServiceContext) -> list[str]:
    if seed_demo(deps):
        _log.info("seeded the demo agency %s", DEMO_AGENCY_CODE)
    with deps.unit_of_work(DIRECTORY) as uow:
        if uow.lookups.agency_with_code(DEMO_AGENCY_CODE) is None:
            return []
    grpc_settings = context.settings.grpc
    address = grpc_settings.address if grpc_settings.port else "<the address printed above>"
    return demo_instructions(address)


plugin = EnrollmentPlugin()
