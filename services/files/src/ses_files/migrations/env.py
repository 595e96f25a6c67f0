from ses_core.platform.authority import authority_metadata
from ses_core.platform.db.migrations import run_migrations
from ses_files.tables import metadata

run_migrations([metadata, authority_metadata])
