"""``ses ir add | send | extend | remind | send-back | complete`` (agency side).

Every command names the complaint (reference number or id); those acting on one IR take
``--ir`` (its number on the complaint or its id), by default the complaint's latest IR.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from ses_cli import _refs
from ses_cli._context import client
from ses_cli._output import as_json, console, label, print_json, text
from ses_cli.commands._common import JsonFlag
from ses_sdk.complaints import Complaint

app = typer.Typer(help="information requests", no_args_is_help=True)

Ref = Annotated[str, typer.Argument(help="complaint reference number or id")]
IrOption = Annotated[
    str | None, typer.Option("--ir", help="IR number on the complaint or id (default: latest)")
]
DueDate = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="due date YYYY-MM-DD")]


@app.command()
def add(
    ctx: typer.Context,
    ref: Ref,
    request_text: Annotated[str, typer.Option("--text", help="what the company must answer")],
    due: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="due date (default: the agency's default)"),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Add a draft IR to a complaint (send it with `ses ir send`)."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    added = ses.complaints.add_information_request(
        complaint_id=found.complaint_id,
        request_text=request_text,
        due_date=due.date() if due else None,
    ).information_request
    assert added is not None
    if json:
        print_json(as_json(added))
        return
    when = f"due {text(added.due_date)}" if added.due_date else "due date set when sent"
    console().print(
        f"Added IR {added.number} to {found.reference_number} ({when}); send it with `ses ir send`."
    )


@app.command()
def send(
    ctx: typer.Context,
    ref: Ref,
    ir: Annotated[
        list[str] | None, typer.Option("--ir", help="only these IRs (default: every draft)")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Send draft IRs to the company."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    chosen = [_refs.information_request(found, one).information_request_id for one in ir or ()]
    sent = ses.complaints.send_information_requests(
        complaint_id=found.complaint_id, information_request_ids=chosen
    ).complaint
    assert sent is not None
    _report(sent, "IRs sent", json)


@app.command()
def extend(
    ctx: typer.Context,
    ref: Ref,
    due: DueDate,
    reason: Annotated[str, typer.Option(help="why")] = "",
    ir: IrOption = None,
    json: JsonFlag = False,
) -> None:
    """Extend an IR's due date (the original is kept)."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    chosen = _refs.information_request(found, ir)
    ses.complaints.extend_due_date(
        complaint_id=found.complaint_id,
        information_request_id=chosen.information_request_id,
        new_due_date=due.date(),
        reason=reason,
    )
    _report(
        _refs.complaint(ses, found.complaint_id), f"IR {chosen.number} now due {due.date()}", json
    )


@app.command()
def remind(
    ctx: typer.Context,
    ref: Ref,
    message: Annotated[str, typer.Option(help="a line for the company")] = "",
    ir: IrOption = None,
    json: JsonFlag = False,
) -> None:
    """Send the company a reminder of an IR."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    chosen = _refs.information_request(found, ir)
    ses.complaints.send_reminder(
        complaint_id=found.complaint_id,
        information_request_id=chosen.information_request_id,
        message=message,
    )
    _report(_refs.complaint(ses, found.complaint_id), f"reminder sent for IR {chosen.number}", json)


@app.command("send-back")
def send_back(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option(help="what the company must change (required)")],
    due: DueDate,
    ir: IrOption = None,
    json: JsonFlag = False,
) -> None:
    """Send the company's response back for updates, with a new due date."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    chosen = _refs.information_request(found, ir)
    ses.complaints.send_back_response(
        complaint_id=found.complaint_id,
        information_request_id=chosen.information_request_id,
        reason=reason,
        new_due_date=due.date(),
    )
    _report(_refs.complaint(ses, found.complaint_id), f"IR {chosen.number} sent back", json)


@app.command()
def complete(ctx: typer.Context, ref: Ref, ir: IrOption = None, json: JsonFlag = False) -> None:
    """Accept the company's response: the IR is completed."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    chosen = _refs.information_request(found, ir)
    ses.complaints.complete_information_request(
        complaint_id=found.complaint_id, information_request_id=chosen.information_request_id
    )
    _report(_refs.complaint(ses, found.complaint_id), f"IR {chosen.number} completed", json)


def _report(found: Complaint, what: str, json: bool) -> None:
    if json:
        print_json(as_json(found))
        return
    states = ", ".join(
        f"IR {ir.number} {label(ir.status)}"
        for ir in sorted(found.information_requests, key=lambda r: r.number)
    )
    console().print(f"{found.reference_number}: {what}. {states}")
