from ses_core.platform.authority import authority_metadata
from ses_core.platform.db import run_migrations
from ses_notify.tables import metadata

run_migrations([metadata, authority_metadata])
