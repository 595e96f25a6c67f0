"""Composition root of the complaints service (entry point ``ses.services: complaints``).

What a user of the service must know:

- Database: ``SES_DATABASE__COMPLAINTS`` (SQLite file under the data directory by
  default, or a PostgreSQL URL); migrations in ``migrations/`` (``ses migrate``).
- Events: it publishes ``ses.complaints.v1.*`` through its outbox and consumes the
  enrollment service's agencies, companies, users, contacts and enrollments
  (durable ``complaints-directory``) and the files service's completed uploads
  (durable ``complaints-files``).
- File grants: signed with the secret at ``SES_FILES__GRANT_SECRET_PATH`` (shared
  with the files service, created on first start), valid ``SES_FILES__GRANT_TTL``.
- Default due date of an IR sent without one: ``ses_core.lifecycle.DEFAULT_DUE_BUSINESS_DAYS``
  business days after the day it is sent.
- Reference numbers: ``<agency code>-<year>-<sequence>`` (``references.py``), the code
  learned from enrollment's ``AgencyCreated``; an agency whose code is not known yet
  numbers under ``SES``.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ses_complaints.consumers import build_consumers
from ses_complaints.handlers import Deps
from ses_complaints.servicer import SERVICE_NAME, ComplaintsServicer
from ses_complaints.unit_of_work import ComplaintsUnitOfWork
from ses_core.platform.db import read_only_session_factory
from ses_core.platform.grants import GrantSigner, load_or_create_grant_secret
from ses_core.platform.runtime import ServiceContext, ServiceParts

MIGRATIONS = Path(__file__).parent / "migrations"


class ComplaintsPlugin:
    name = "complaints"
    migrations = MIGRATIONS

    def build(self, context: ServiceContext) -> ServiceParts:
        secret_path = context.settings.files.grant_secret_path
        assert secret_path is not None  # filled in under the data directory by Settings
        deps = Deps(
            sessions=context.sessions,
            codec=context.codec,
            clock=context.clock,
            calendar=context.calendar,
            policy=context.upload_policy,
            signer=GrantSigner(load_or_create_grant_secret(secret_path)),
            grant_ttl=context.settings.files.grant_ttl,
            on_commit=context.outbox_committed,
            read_only_sessions=read_only_session_factory(context.engine),
        )
        unit_of_work = partial(_unit_of_work, deps)
        consumers = build_consumers(context, unit_of_work, context.codec)
        return ServiceParts(
            services=[ComplaintsServicer(deps).registration()],
            background=[consumer.run for consumer in consumers],
            # Issues a token and changes nothing: allowed during maintenance, never replayed.
            read_only_methods=[f"/{SERVICE_NAME}/IssueFileGrant"],
        )


def _unit_of_work(deps: Deps, tenant_id: str) -> ComplaintsUnitOfWork:
    return deps.unit_of_work(tenant_id)


plugin = ComplaintsPlugin()
