"""Alembic environment of the complaints service: its tables plus the platform's."""

from ses_complaints.tables import metadata
from ses_core.platform.authority import authority_metadata
from ses_core.platform.db import run_migrations

run_migrations([metadata, authority_metadata])
