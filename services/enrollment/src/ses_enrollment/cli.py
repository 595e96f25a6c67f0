"""Administrative commands the enrollment service adds to ``ses``.

    ses tenants create --code NY-DFS --name "NY Department of Financial Services" \\
        --state NY --admin-email admin@dfs.ny.gov [--admin-given-name Ada --admin-family-name Lee]
    ses operators create --email ops@example.gov --given-name Ola --family-name Ops
    ses signin --email manager@demo-agency.example --password ... --totp 123456
        (or --totp-secret BASE32 to compute the code; prints an access token)
    ses authority restate [--all]

``tenants create`` and ``operators create`` write to the enrollment database directly
(run them where ``SES_DATABASE__ENROLLMENT`` points, after ``ses migrate``) and print the
new administrator's activation link; the running service publishes the events.
``authority restate`` states again the authority of every user (``--all``) or of those
the enrollment database has none for, so that a service database started empty after the
stream forgot the original statements (30 days) learns of every user; the running
service publishes the statements. ``signin``
talks to a running server over gRPC (``--address``, default from ``SES_GRPC__*``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

import grpc
from sqlalchemy.engine import Engine

from ses.enrollment.v1 import enrollment_pb2 as pb
from ses.enrollment.v1 import enrollment_pb2_grpc as pb_grpc
from ses_core.errors import SesError
from ses_core.platform.db import SchemaNotAtHead, create_database_engine, ensure_at_head
from ses_core.platform.settings import Settings, SettingsError
from ses_enrollment import totp
from ses_enrollment.authority import restate
from ses_enrollment.composition import MIGRATIONS, offline_deps
from ses_enrollment.handlers.agencies import CreateAgency, NewUser, create_agency
from ses_enrollment.handlers.common import CLI_OPERATOR, Deps
from ses_enrollment.handlers.operators import create_operator


class TenantsCommand:
    name = "tenants"
    help = "manage agencies (tenants): `ses tenants create ...`"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="tenants_action", required=True)
        create = actions.add_parser(
            "create", help="create an agency and its first Agency Account Administrator"
        )
        create.add_argument("--code", required=True, help="agency code, e.g. NY-DFS")
        create.add_argument("--name", required=True, help="the agency's name")
        create.add_argument("--state", required=True, help="two-letter USPS state code, e.g. NY")
        create.add_argument("--admin-email", required=True, help="the first administrator's e-mail")
        create.add_argument("--admin-given-name", default="Agency", help="default: Agency")
        create.add_argument(
            "--admin-family-name", default="Administrator", help="default: Administrator"
        )

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        command = CreateAgency(
            code=args.code,
            name=args.name,
            state_code=args.state,
            first_administrator=NewUser(
                email=args.admin_email,
                given_name=args.admin_given_name,
                family_name=args.admin_family_name,
            ),
        )
        try:
            deps, engine = _open(settings)
        except CannotStart as problem:
            return _fail(str(problem))
        try:
            created = create_agency(deps, CLI_OPERATOR, command)
        except SesError as error:
            return _fail(error.message)
        finally:
            engine.dispose()
        agency, admin = created.agency, created.administrator.user
        print(f"Created agency {agency.code} ({agency.name}, {agency.state_code}), id {agency.id}.")
        print(f"First Agency Account Administrator: {admin.email} (user id {admin.id}).")
        print(f"Activation link (single use, until {created.link.expires_at:%Y-%m-%d %H:%M} UTC):")
        print(f"  {created.link.url}")
        print("Send it to the administrator; it is also e-mailed by the notify service.")
        return 0


class OperatorsCommand:
    name = "operators"
    help = "manage platform operators: `ses operators create ...`"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="operators_action", required=True)
        create = actions.add_parser("create", help="create a platform operator")
        create.add_argument("--email", required=True)
        create.add_argument("--given-name", required=True)
        create.add_argument("--family-name", required=True)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        try:
            deps, engine = _open(settings)
        except CannotStart as problem:
            return _fail(str(problem))
        try:
            created = create_operator(
                deps, CLI_OPERATOR, NewUser(args.email, args.given_name, args.family_name)
            )
        except SesError as error:
            return _fail(error.message)
        finally:
            engine.dispose()
        print(
            f"Created platform operator {created.operator.email} (user id {created.operator.id})."
        )
        print(f"Activation link (single use, until {created.link.expires_at:%Y-%m-%d %H:%M} UTC):")
        print(f"  {created.link.url}")
        return 0


class SigninCommand:
    name = "signin"
    help = "sign in to a running server and print an access token"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="prompted for when omitted")
        code = parser.add_mutually_exclusive_group(required=True)
        code.add_argument("--totp", help="the six-digit code your authenticator shows")
        code.add_argument("--totp-secret", help="the authenticator secret (computes the code)")
        parser.add_argument("--address", help="server address (default: SES_GRPC__HOST:PORT)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        password = args.password if args.password is not None else getpass.getpass("Password: ")
        code = args.totp or totp.code_at(args.totp_secret, datetime.now(UTC))
        address = args.address or settings.grpc.address
        request = pb.SignInRequest(email=args.email, password=password, totp_code=code)
        try:
            with grpc.insecure_channel(address) as channel:
                response = pb_grpc.AuthServiceStub(channel).SignIn(request, timeout=30)
        except grpc.RpcError as error:
            return _fail(f"{error.code().name}: {error.details()}")
        print(response.tokens.access_token)
        print(
            "Use it as gRPC metadata 'authorization: Bearer <token>'; it expires at "
            f"{response.tokens.access_token_expires_at.ToDatetime(UTC):%H:%M:%S} UTC.",
            file=sys.stderr,
        )
        return 0


class AuthorityCommand:
    name = "authority"
    help = "publish users' authority to every service again: `ses authority restate --all`"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="authority_action", required=True)
        restate_parser = actions.add_parser(
            "restate", help="state the authority of users again, for every service to project"
        )
        restate_parser.add_argument(
            "--all",
            action="store_true",
            help="every user (default: only users whose authority was never stated)",
        )

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        try:
            deps, engine = _open(settings)
        except CannotStart as problem:
            return _fail(str(problem))
        try:
            count = restate(deps, everyone=args.all)
        finally:
            engine.dispose()
        print(f"Stated the authority of {count} user(s); the enrollment service publishes it.")
        return 0


class CannotStart(Exception):
    """An administrative command cannot run (its message says why and what to do)."""


def open_enrollment_database(settings: Settings) -> Engine:
    """The enrollment database's engine, refused unless its schema is at head."""
    engine = create_database_engine(settings.database.url_for("enrollment"))
    try:
        ensure_at_head(engine, MIGRATIONS)
    except SchemaNotAtHead:
        engine.dispose()
        raise CannotStart(
            "The enrollment database is not set up (or is older than this release); run "
            "`ses migrate enrollment` (or start `ses up` once) first."
        ) from None
    return engine


def _open(settings: Settings) -> tuple[Deps, Engine]:
    engine = open_enrollment_database(settings)
    try:
        return offline_deps(settings, engine), engine
    except SettingsError as error:
        raise CannotStart(f"invalid settings: {error}") from None


def _fail(message: str) -> int:
    print(f"ses: {message}", file=sys.stderr)
    return 1
