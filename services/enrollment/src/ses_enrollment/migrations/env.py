"""Alembic environment of the enrollment service (see ses_core.platform.db.migrations)."""

from ses_core.platform.authority import authority_metadata
from ses_core.platform.db.migrations import run_migrations
from ses_enrollment.tables import metadata

run_migrations([metadata, authority_metadata])
