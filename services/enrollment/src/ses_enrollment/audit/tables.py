"""The audit log's tables (migration ``0003_audit_log``).

* ``audit_entries``: one row per entry, the chain's fields as columns (the hash covers
  them all, ``ses_core.audit``); ``id`` is the order entries were appended in across
  chains, ``(chain, sequence)`` an entry's place in its chain; ``event_id`` is unique,
  so an event is on file once even after the consumer forgot it processed it.
* ``audit_chain_heads``: each chain's last sequence number and hash. Appending locks the
  chain's row, so one chain has one writer at a time whatever the number of replicas;
  verification compares the chain with it (a cut tail shows), without trusting it.
* ``audit_checkpoints``: signed chain heads (a JWS, ``signature``, by key ``key_id``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, UniqueConstraint

from ses_core.platform.db import UtcDateTime
from ses_enrollment.tables import metadata

CHAIN = 100
HASH = 64
ID = 200
TEXT = 300

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chain", String(CHAIN), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("event_id", String(ID), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("source", String(TEXT), nullable=False),
    Column("action", String(TEXT), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(TEXT), nullable=False),
    Column("user_id", String(TEXT), nullable=False),
    Column("side", String(16), nullable=False),
    Column("organization_id", String(ID), nullable=False),
    Column("roles", String(TEXT), nullable=False),
    Column("resource_kind", String(ID), nullable=False),
    Column("resource_id", String(TEXT), nullable=False),
    Column("complaint_id", String(ID), nullable=False),
    Column("request_id", String(ID), nullable=False),
    Column("client_address", String(TEXT), nullable=False),
    Column("forwarded_for", Text, nullable=False),
    Column("previous_hash", String(HASH), nullable=False),
    Column("hash", String(HASH), nullable=False),
    UniqueConstraint("chain", "sequence"),
    UniqueConstraint("event_id"),
    Index(None, "organization_id", "id"),  # a company's part, in append order
    Index(None, "chain", "id"),  # an agency's chain, in append order
)

audit_chain_heads = Table(
    "audit_chain_heads",
    metadata,
    Column("chain", String(CHAIN), primary_key=True),
    Column("sequence", BigInteger, nullable=False),
    Column("hash", String(HASH), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chain", String(CHAIN), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("head_hash", String(HASH), nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
    Column("key_id", String(ID), nullable=False),
    Column("signature", Text, nullable=False),
    UniqueConstraint("chain", "sequence"),
)
