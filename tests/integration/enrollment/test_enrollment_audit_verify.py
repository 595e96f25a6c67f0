"""``ses audit verify`` as a real process on a real database, after every kind of tampering.

One enrollment database per dialect (SQLite, PostgreSQL) holds an audit log written by
the log's own writer (``store.append``) and anchored by a signed checkpoint at entry 6 of
each chain, entries 7 and 8 coming after it. Then someone with write access to the
database tampers with it, one kind of tampering per chain, the way a careful forger
would (recomputing hashes where that helps them), and the command, run as ``ses audit
verify``, must name each chain and entry touched, with exit status 1; an untouched chain
reports nothing, and ``ses audit checkpoint`` signs none of the tampered chains' heads.
The checkpoints were signed with a key the ring has since rotated out: ``ses audit keys``
archived it, and ``--jwks`` brings it back.
``--tenant CODE`` narrows the check to one agency; an unknown one exits 2.
One test per dialect (each ``ses`` process costs a couple of seconds of CPU).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Engine, delete, insert, select, update

from ses_core.audit import AuditRecord, ChainHead, canonical_time, seal
from ses_core.platform.authority import authority_metadata
from ses_core.platform.db import (
    create_database_engine,
    platform_metadata,
    session_factory,
    upgrade_to_head,
)
from ses_core.platform.identity import KeyRing
from ses_core.platform.settings import Settings, load_settings
from ses_core.ports import FixedClock
from ses_enrollment.audit import store
from ses_enrollment.audit.checkpoints import sign_checkpoints
from ses_enrollment.audit.command import AuditCommand
from ses_enrollment.audit.signatures import CheckpointSigner, trusted_keys
from ses_enrollment.audit.tables import audit_chain_heads, audit_checkpoints, audit_entries
from ses_enrollment.composition import MIGRATIONS
from ses_enrollment.tables import agencies, metadata

pytestmark = [pytest.mark.integration]

REPO = Path(__file__).resolve().parents[3]
SES = Path(sys.executable).parent / "ses"
T0 = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
AGENCY_ID, AGENCY_CODE = "agency-ny-dfs", "NY-DFS"
CHECKPOINTED, LENGTH = 6, 8
TAMPERED_CHAINS = ("removed", "inserted", "swapped", "truncated", "forged-checkpoint")
UNTOUCHED = "untouched"


@dataclass
class AuditDatabase:
    engine: Engine
    env: dict[str, str]
    settings: Settings

    def command(self, action: str) -> tuple[int, str]:
        """``ses audit <action>``, in this process (it needs no process of its own)."""
        parser = argparse.ArgumentParser()
        command = AuditCommand()
        command.configure(parser)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = command.run(parser.parse_args([action]), self.settings)
        return status, out.getvalue()

    def rotate_keys_keeping_an_archive(self, archive: Path) -> None:
        """What an operator does: archive the public keys, then rotate twice (the ring
        then no longer holds the key the checkpoints were signed with)."""
        status, jwks = self.command("keys")
        assert status == 0
        archive.write_text(jwks)
        path = self.settings.identity.signing_key_path
        assert path is not None
        KeyRing.load(path).rotate().rotate().save(path)

    def verify(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SES), "audit", "verify", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def entry_hash(self, chain: str, sequence: int) -> str:
        statement = select(audit_entries.c.hash).where(
            audit_entries.c.chain == chain, audit_entries.c.sequence == sequence
        )
        with self.engine.connect() as connection:
            return str(connection.execute(statement).scalar_one())


def _record(chain: str, n: int) -> AuditRecord:
    return AuditRecord(
        event_id=f"{chain}-event-{n}",
        occurred_at=T0 + timedelta(minutes=n),
        source="ses.complaints.v1.response_submitted",
        action="response_submitted",
        user_id=f"user-{n % 3}",
        side="company",
        organization_id="SES-000042",
        roles=("complaints:manage",),
        resource_kind="information_request",
        resource_id=f"ir-{n}",
        complaint_id="complaint-1",
        request_id=f"request-{n}",
        client_address="10.0.0.7:5555",
    )


def _append(engine: Engine, chains: tuple[str, ...], numbers: range) -> None:
    with session_factory(engine).begin() as session:
        for chain in chains:
            for n in numbers:
                store.append(session, chain, _record(chain, n), T0 + timedelta(minutes=n))


@pytest.fixture
def log(database_url: str, tmp_path: Path) -> Iterator[AuditDatabase]:
    """The log, intact: every chain 8 entries long, checkpointed at entry 6."""
    data_dir = tmp_path / "data"
    settings = load_settings(data_dir=data_dir, database={"enrollment": database_url})
    engine = create_database_engine(database_url)
    upgrade_to_head(engine, MIGRATIONS)
    with engine.begin() as connection:
        connection.execute(
            insert(agencies).values(
                id=AGENCY_ID,
                tenant_id=AGENCY_ID,
                code=AGENCY_CODE,
                name="New York Department of Financial Services",
                state_code="NY",
                created_at=T0,
            )
        )
    chains = (AGENCY_ID, *TAMPERED_CHAINS, UNTOUCHED)
    _append(engine, chains, range(1, CHECKPOINTED + 1))
    assert settings.identity.signing_key_path is not None
    ring = KeyRing.load_or_create(settings.identity.signing_key_path)
    clock = FixedClock(T0 + timedelta(hours=1))
    signed = sign_checkpoints(
        session_factory(engine), CheckpointSigner(ring), clock, trusted_keys(ring.jwks())
    )
    assert len(signed) == len(chains)
    _append(engine, chains, range(CHECKPOINTED + 1, LENGTH + 1))
    env = {
        **os.environ,
        "SES_DATA_DIR": str(data_dir),
        "SES_DATABASE__ENROLLMENT": database_url,
    }
    yield AuditDatabase(engine, env, settings)
    engine.dispose()


def _tamper(log: AuditDatabase) -> None:
    """One kind of tampering per chain (see the test for what each must be reported as)."""
    e = audit_entries.c
    truncated_head = ChainHead("truncated", 4, log.entry_hash("truncated", 4))
    inserted_after = ChainHead("inserted", 4, log.entry_hash("inserted", 4))
    with log.engine.begin() as db:
        # modified: a refusal turned into a success, the stored hash left as it was
        db.execute(
            update(audit_entries)
            .where(e.chain == AGENCY_ID, e.sequence == 3)
            .values(outcome="refused", reason="not_company_poc")
        )
        # removed: an entry deleted
        db.execute(delete(audit_entries).where(e.chain == "removed", e.sequence == 4))
        # reordered: entries 3 and 4 exchange their places
        for old, new in ((3, -3), (4, 3), (-3, 4)):
            db.execute(
                update(audit_entries)
                .where(e.chain == "swapped", e.sequence == old)
                .values(sequence=new)
            )
        # truncated: the tail cut after entry 4, the head record rewritten to match
        db.execute(delete(audit_entries).where(e.chain == "truncated", e.sequence > 4))
        db.execute(
            update(audit_chain_heads)
            .where(audit_chain_heads.c.chain == "truncated")
            .values(sequence=truncated_head.sequence, hash=truncated_head.hash)
        )
        # forged checkpoint: the signed head replaced by one signed with another key
        forged = {"chain": "forged-checkpoint", "sequence": CHECKPOINTED, "head_hash": "f" * 64}
        kid = db.execute(
            select(audit_checkpoints.c.key_id).where(
                audit_checkpoints.c.chain == "forged-checkpoint"
            )
        ).scalar_one()
        signed_at = db.execute(
            select(audit_checkpoints.c.signed_at).where(
                audit_checkpoints.c.chain == "forged-checkpoint"
            )
        ).scalar_one()
        claims = {**forged, "signed_at": canonical_time(signed_at)}
        signature = jwt.encode(
            claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": kid}
        )
        db.execute(
            update(audit_checkpoints)
            .where(audit_checkpoints.c.chain == "forged-checkpoint")
            .values(head_hash="f" * 64, signature=signature)
        )
        # inserted: entries 5-8 moved up one, a forged entry 5 chained to entry 4 and hashed
        # correctly put in their place
        for offset in (1000, -999):
            db.execute(
                update(audit_entries)
                .where(e.chain == "inserted", e.sequence >= 5)
                .values(sequence=e.sequence + offset)
            )
        forged_entry = seal(inserted_after, _record("inserted", 99), T0 + timedelta(minutes=5))
        db.execute(insert(audit_entries).values(**store.entry_row(forged_entry)))


def _lines_of(chain_label: str, output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{chain_label}: ")]


def test_ses_audit_verify_names_each_tampering_by_chain_and_entry(
    log: AuditDatabase, tmp_path: Path
) -> None:
    archive = tmp_path / "checkpoint-keys.jwks"
    log.rotate_keys_keeping_an_archive(archive)
    intact = log.verify("--jwks", str(archive))
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "intact: 7 chain(s), 56 entries, 7 checkpoint(s)" in intact.stdout

    _tamper(log)
    result = log.verify("--jwks", str(archive))

    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    agency = f"{AGENCY_CODE} (agency {AGENCY_ID})"
    assert _lines_of(agency, out) == [
        f"{agency}: entry 3: modified: its content no longer matches its hash"
    ]
    assert _lines_of("removed", out) == ["removed: entry 4: entry 4 is missing (removed)"]
    assert _lines_of("swapped", out)[0].startswith(
        "swapped: entry 3: entries 3 and 4 were swapped (reordered)"
    )
    assert _lines_of("truncated", out) == [
        "truncated: entry 5: entries 5-6 and any after them are missing (truncated): the "
        "checkpoint signed at 2026-12-03T10:30:00.000000Z covers 6 entries"
    ]
    assert _lines_of("forged-checkpoint", out) == [
        "forged-checkpoint: entry 6: the checkpoint signed at 2026-12-03T10:30:00.000000Z "
        "does not verify: its signature does not verify (forged or altered)"
    ]
    assert _lines_of("inserted", out)[0] == (
        "inserted: entry 5: entry 5 was inserted: the entry after it is chained to entry 4"
    )
    assert _lines_of(UNTOUCHED, out) == []
    assert out.splitlines()[-1].startswith("ses audit verify: ")

    one_agency = log.verify("--tenant", AGENCY_CODE.lower(), "--jwks", str(archive))
    assert one_agency.returncode == 1
    assert one_agency.stdout.splitlines()[:-1] == _lines_of(agency, out)
    # Signing now would bless the tampering: only the untouched chain's new head is signed.
    # (The ring no longer holds the old checkpoints' key; they still count, as claims.)
    signed = log.command("checkpoint")
    assert signed == (0, "ses audit checkpoint: signed the head of 1 chain(s).\n")
    with log.engine.connect() as connection:
        newest = connection.execute(
            select(audit_checkpoints.c.chain).where(audit_checkpoints.c.sequence == LENGTH)
        )
        assert list(newest.scalars()) == [UNTOUCHED]
    unknown = log.verify("--tenant", "NO-SUCH")
    assert unknown.returncode == 2
    assert "no agency has the code 'NO-SUCH'" in unknown.stderr


def test_the_migrated_audit_tables_match_their_definitions(log: AuditDatabase) -> None:
    with log.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, [metadata, platform_metadata, authority_metadata])

    assert differences == []
