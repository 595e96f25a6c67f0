"""``ses login``, ``ses logout``, ``ses whoami``.

``whoami`` shows the user as sign-in returned it (roles and permission as of ``ses login``:
sign in again after an administrator changes them), the organisation's name and the
company designations read now (``GetCompany``), and the access level from the server's
operating calendar (``NotifyService.GetOperatingStatus``): the calendar is the server's,
so the command line never carries a copy of it.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ses_cli._context import client, options
from ses_cli._output import as_json, console, facts, label, print_json, text
from ses_cli._problems import UsageProblem
from ses_cli._session import DEFAULT_ADDRESS, StoredSession, open_client, signed_in
from ses_cli.commands._common import JsonFlag
from ses_sdk import SesClient, SesError
from ses_sdk.enrollment import User
from ses_sdk.notify import GetOperatingStatusResponse


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("whoami")(whoami)


def login(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(prompt="E-mail", help="your sign-in e-mail")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, envvar="SES_PASSWORD", help="prompted without echo"
        ),
    ],
    totp_code: Annotated[
        str,
        typer.Option(
            prompt="TOTP code", hide_input=True, help="the six digits of your authenticator app"
        ),
    ],
) -> None:
    """Sign in (e-mail, password, TOTP code) and keep the session for later commands."""
    chosen = options(ctx)
    address = chosen.address or DEFAULT_ADDRESS
    with open_client(address, insecure=chosen.insecure) as fresh:
        session = fresh.sign_in(email=email, password=password, totp_code=totp_code)
        user = session.user or User(email=email)
        stored = StoredSession(address, chosen.insecure, session.tokens, user)
        stored.save()
    console().print(f"Signed in as {_name(user)} at {address}.")


def logout(ctx: typer.Context) -> None:
    """End the session on the server and forget it here."""
    try:
        stored = StoredSession.load()
    except UsageProblem:
        StoredSession.forget()
        console().print("Not signed in.")
        return
    try:
        with signed_in(stored) as ses:  # SignOut is a signed-in call
            ses.sign_out()
        remark = ""
    except SesError as error:
        remark = f" (the server did not confirm: {error.message})"
    StoredSession.forget()
    console().print(f"Signed out{remark}.")


def whoami(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Who is signed in: organisation, roles, designations, and the access level now."""
    ses = client(ctx)
    assert ses.session is not None
    user = ses.session.user or User()
    organisation, designations = _organisation(ses, user)
    status = ses.notify.get_operating_status()
    if json:
        print_json(
            {
                "user": as_json(user),
                "organisation": organisation,
                "designations": designations,
                "operating_status": as_json(status),
            }
        )
        return
    rows: list[tuple[str, object]] = [
        ("user", f"{_name(user)} <{user.email}>"),
        ("organisation", organisation),
        ("roles", ", ".join(_roles(user)) or "-"),
        ("designations", ", ".join(designations) or "-"),
        ("access", access_line(status)),
    ]
    console().print(facts(None, rows))


def _name(user: User) -> str:
    return f"{user.given_name} {user.family_name}".strip() or user.email


def _roles(user: User) -> list[str]:
    roles = [label(role) for role in user.agency_roles]
    if user.company_id:
        roles.append(f"{label(user.complaints_permission)} complaints")
        if user.account_administrator:
            roles.append("account administrator")
    return roles


def _organisation(ses: SesClient, user: User) -> tuple[str, list[str]]:
    if not user.company_id:
        return f"agency {user.agency_id}", []
    company = ses.enrollment.get_company(company_id=user.company_id).company
    if company is None:
        return f"company {user.company_id}", []
    mine = [
        label(contact.contact_type)
        for contact in company.contacts
        if contact.user is not None and contact.user.user_id == user.user_id
    ]
    return f"{company.legal_name} ({company.company_id})", mine


def access_line(status: GetOperatingStatusResponse) -> str:
    line = f"{label(status.access_level)} access now; next change {text(status.next_change_at)}"
    window: Any = status.active_maintenance
    if window is not None:
        line += f"; maintenance until {text(window.ends_at)} (changes are refused until then)"
    return line
