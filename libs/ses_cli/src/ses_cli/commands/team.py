"""``ses poc assign`` and ``ses contributors add`` (company side).

Users are named by e-mail (looked up among the company's users) or by user id.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ses_cli import _refs
from ses_cli._context import client
from ses_cli._output import as_json, console, person, print_json
from ses_cli.commands._common import JsonFlag

poc = typer.Typer(help="the complaint's Company POC", no_args_is_help=True)
contributors = typer.Typer(help="contributors who draft responses", no_args_is_help=True)

Ref = Annotated[str, typer.Argument(help="complaint reference number or id")]
Who = Annotated[str, typer.Argument(help="the user's e-mail or id")]


def register(app: typer.Typer) -> None:
    app.add_typer(poc, name="poc")
    app.add_typer(contributors, name="contributors")


@poc.command("assign")
def assign_poc(ctx: typer.Context, ref: Ref, who: Who, json: JsonFlag = False) -> None:
    """Assign (or reassign) the complaint's Company POC."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    user = _refs.user_id(ses, who, company_id=found.company_id)
    updated = ses.complaints.assign_company_poc(
        complaint_id=found.complaint_id, user_id=user
    ).complaint
    assert updated is not None
    if json:
        print_json(as_json(updated))
        return
    console().print(f"{updated.reference_number}: Company POC is {person(updated.company_poc)}.")


@contributors.command("add")
def add_contributor(ctx: typer.Context, ref: Ref, who: Who, json: JsonFlag = False) -> None:
    """Add a contributor to the complaint (they may draft the response)."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    user = _refs.user_id(ses, who, company_id=found.company_id)
    updated = ses.complaints.add_contributor(
        complaint_id=found.complaint_id, user_id=user
    ).complaint
    assert updated is not None
    if json:
        print_json(as_json(updated))
        return
    names = ", ".join(person(c) for c in updated.contributors)
    console().print(f"{updated.reference_number}: contributors {names}.")
