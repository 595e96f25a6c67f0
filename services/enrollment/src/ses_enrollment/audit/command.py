"""``ses audit``: check the audit log, or sign its chains' heads now.

    ses audit verify [--tenant CODE] [--jwks FILE ...]
    ses audit checkpoint
    ses audit keys

``verify`` recomputes every chain of the enrollment database (``SES_DATABASE__ENROLLMENT``,
or the data directory's) and checks every checkpoint's signature against the identity
key ring (``SES_IDENTITY__SIGNING_KEY_PATH``) and the JWKS files given with ``--jwks``
(archived public keys). ``--tenant`` narrows it to one agency (its code, e.g. NY-DFS), or
to one chain by name (an SES Company ID, ``platform``). It prints one line per problem,
naming the chain, the entry's sequence number and what is wrong, then a summary.

Exit status: 0 the log is intact; 1 a problem was found; 2 the command could not run
(bad arguments, an unknown tenant, a database not set up, unreadable keys).

``checkpoint`` signs the head of every chain that moved since its last checkpoint (the
running service does it every ``SES_ENROLLMENT__AUDIT_CHECKPOINT_INTERVAL``).

``keys`` prints the public JWKS of the ring checkpoints are signed with. The ring keeps
its current and one previous key only, and with an external OIDC issuer nothing else
publishes it (``AuthService.GetJwks`` is not served): keep this output after each
rotation, and give the archived files to ``verify --jwks`` and to export receivers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ses_core.platform.db import session_factory
from ses_core.platform.identity import KeyRing
from ses_core.platform.settings import Settings
from ses_core.ports import SystemClock
from ses_enrollment.audit.checkpoints import sign_checkpoints
from ses_enrollment.audit.signatures import CheckpointSigner, trusted_keys
from ses_enrollment.audit.store import chains
from ses_enrollment.audit.verification import verify_log
from ses_enrollment.cli import CannotStart, open_enrollment_database
from ses_enrollment.tables import agencies

TAMPERED, CANNOT_RUN = 1, 2


class AuditCommand:
    name = "audit"
    help = "check the audit log (`ses audit verify`) or sign its chain heads now"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="audit_action", required=True)
        verify = actions.add_parser(
            "verify", help="recompute every chain and check every checkpoint signature"
        )
        verify.add_argument(
            "--tenant",
            help="only this agency (its code, e.g. NY-DFS), or one chain by name "
            "(an SES Company ID, or 'platform')",
        )
        verify.add_argument(
            "--jwks",
            action="append",
            default=[],
            type=Path,
            help="a JWKS file of further trusted checkpoint keys (repeatable)",
        )
        actions.add_parser("checkpoint", help="sign the head of every chain that moved")
        actions.add_parser(
            "keys", help="print the public JWKS of the checkpoint signing keys, to archive"
        )

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        if args.audit_action == "keys":
            return _keys(settings)
        try:
            engine = open_enrollment_database(settings)
        except CannotStart as problem:
            return _cannot_run(str(problem))
        try:
            if args.audit_action == "checkpoint":
                return _checkpoint(engine, settings)
            return _verify(engine, settings, args.tenant, args.jwks)
        except CannotStart as problem:
            return _cannot_run(str(problem))
        finally:
            engine.dispose()


def _verify(engine: Any, settings: Settings, tenant: str | None, jwks: list[Path]) -> int:
    rings = _ring(settings, create=False)
    keys = trusted_keys(*(ring.jwks() for ring in rings), *(_jwks(path) for path in jwks))
    with session_factory(engine).begin() as session:
        names = _agency_codes(session)
        wanted = None if tenant is None else [_chain_named(session, tenant, names)]
        result = verify_log(session, keys, wanted)
    for finding in result.findings:
        where = f"entry {finding.sequence}" if finding.sequence is not None else "chain"
        print(f"{_label(finding.chain, names)}: {where}: {finding.problem}")
    summary = (
        f"{result.chains} chain(s), {result.entries} entries, {result.checkpoints} checkpoint(s)"
    )
    if result.findings:
        print(f"ses audit verify: {len(result.findings)} problem(s) in {summary}.")
        return TAMPERED
    print(f"ses audit verify: intact: {summary}.")
    return 0


def _checkpoint(engine: Any, settings: Settings) -> int:
    (ring,) = _ring(settings, create=True)
    signed = sign_checkpoints(
        session_factory(engine), CheckpointSigner(ring), SystemClock(), trusted_keys(ring.jwks())
    )
    print(f"ses audit checkpoint: signed the head of {len(signed)} chain(s).")
    return 0


def _keys(settings: Settings) -> int:
    try:
        rings = _ring(settings, create=False)
    except CannotStart as problem:
        return _cannot_run(str(problem))
    if not rings:
        return CANNOT_RUN
    print(json.dumps(rings[0].jwks(), indent=2))
    return 0


def _ring(settings: Settings, *, create: bool) -> tuple[KeyRing, ...]:
    path = settings.identity.signing_key_path
    assert path is not None  # filled in under the data directory by Settings
    if not create and not path.exists():
        print(f"ses audit: no key ring at {path}; only --jwks keys are trusted.", file=sys.stderr)
        return ()
    try:
        return (KeyRing.load_or_create(path) if create else KeyRing.load(path),)
    except ValueError as error:
        raise CannotStart(str(error)) from None


def _jwks(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CannotStart(f"cannot read the JWKS file {path}: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise CannotStart(f"{path} is not a JWKS document (an object with a 'keys' list)")
    return document


def _agency_codes(session: Session) -> dict[str, str]:
    rows = session.execute(select(agencies.c.id, agencies.c.code))
    return {str(agency_id): str(code) for agency_id, code in rows}


def _chain_named(session: Session, tenant: str, codes: dict[str, str]) -> str:
    by_code = {code.upper(): agency_id for agency_id, code in codes.items()}
    if tenant.strip().upper() in by_code:
        return by_code[tenant.strip().upper()]
    if tenant in chains(session):
        return tenant
    raise CannotStart(
        f"no agency has the code {tenant!r} and the audit log has no chain of that name"
    )


def _label(chain: str, codes: dict[str, str]) -> str:
    return f"{codes[chain]} (agency {chain})" if chain in codes else chain


def _cannot_run(message: str) -> int:
    print(f"ses: {message}", file=sys.stderr)
    return CANNOT_RUN
