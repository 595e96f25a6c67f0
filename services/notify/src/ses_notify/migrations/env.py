from ses_core.platform.db import run_migrations
from ses_notify.tables import metadata

run_migrations(metadata)
