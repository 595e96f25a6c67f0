"""Authority from the directory's current state, not from tokens (DESIGN §6).

A token proves who is calling (``ses_core.identity.Identity``); every service decides
what they may do from its own ``user_authority`` table:

* :data:`user_authority_table` (in :data:`authority_metadata`; services create it with
  :func:`create_authority_tables_v1` in a migration revision of their own);
* the enrollment service, the source, writes it in the transaction that changes a user
  (:func:`state_authority`) and publishes each statement (``UserAuthorityChanged``);
* every other service keeps it from those statements with :func:`authority_consumer`
  (durable ``<service>-authority``; :func:`record_authority` keeps the newest);
* :class:`SqlAuthorityDirectory` answers the authentication interceptor: identity in,
  current ``Actor`` out (or a refusal), cached for at most a second.
"""

from ses_core.platform.authority._directory import (
    DEFAULT_CACHE_SECONDS,
    DEFAULT_WAIT_SECONDS,
    SqlAuthorityDirectory,
    directory_from_settings,
)
from ses_core.platform.authority._projection import SUBJECT, apply_statement, authority_consumer
from ses_core.platform.authority._store import find_authority, record_authority, state_authority
from ses_core.platform.authority._tables import (
    authority_metadata,
    create_authority_tables_v1,
    drop_authority_tables_v1,
    user_authority_table,
)

__all__ = [
    "DEFAULT_CACHE_SECONDS",
    "DEFAULT_WAIT_SECONDS",
    "SUBJECT",
    "SqlAuthorityDirectory",
    "apply_statement",
    "authority_consumer",
    "authority_metadata",
    "create_authority_tables_v1",
    "directory_from_settings",
    "drop_authority_tables_v1",
    "find_authority",
    "record_authority",
    "state_authority",
    "user_authority_table",
]
