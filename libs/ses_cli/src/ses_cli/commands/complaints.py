"""``ses complaints create | list | show | close | cancel``.

``create`` takes flags, a YAML or JSON file (``--from-file``; keys as the flags, with
underscores: ``company_id``, ``given_name`` ...), or both, the flags winning. The received
date defaults to today in US Eastern time, the platform's time zone (DESIGN §3).
``list`` shows one page (``--page-size``, default 20) and, on a terminal, asks before
fetching the next; ``--all`` fetches every page; otherwise the next page's token is
printed for ``--page-token``.
"""

from __future__ import annotations

import json as jsonlib
import sys
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from ses_cli import _refs
from ses_cli._context import client
from ses_cli._dates import eastern_today
from ses_cli._output import as_json, console, facts, label, person, print_json, table, text
from ses_cli._problems import UsageProblem
from ses_cli.commands._common import JsonFlag
from ses_sdk import Money
from ses_sdk.complaints import (
    CloseReason,
    Complainant,
    Complaint,
    ComplaintDetails,
    ComplaintStatus,
    MonetaryRelief,
)

app = typer.Typer(help="create, list, show, close and cancel complaints", no_args_is_help=True)

STATUS_NAMES = [s.name.lower() for s in ComplaintStatus if s.value]
REASON_NAMES = [r.name.lower() for r in CloseReason if r.value]


def _statuses(values: list[str] | None) -> list[str] | None:
    for value in values or ():
        _choice(value, STATUS_NAMES)
    return values


def _reason(value: str) -> str:
    return _choice(value, REASON_NAMES)


def _choice(value: str, allowed: list[str]) -> str:
    if value.lower() not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
    return value.lower()


@app.command()
def create(
    ctx: typer.Context,
    from_file: Annotated[
        Path | None, typer.Option(help="YAML or JSON with the complaint's fields")
    ] = None,
    company: Annotated[str | None, typer.Option(help="SES Company ID")] = None,
    given_name: Annotated[str | None, typer.Option(help="complainant's first name")] = None,
    family_name: Annotated[str | None, typer.Option(help="complainant's last name")] = None,
    email: Annotated[str | None, typer.Option(help="complainant's e-mail")] = None,
    phone: Annotated[str | None, typer.Option(help="complainant's phone")] = None,
    received: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="date received (default: today, US Eastern)"),
    ] = None,
    product: Annotated[list[str] | None, typer.Option(help="product (repeatable)")] = None,
    category: Annotated[list[str] | None, typer.Option(help="category (repeatable)")] = None,
    description: Annotated[str | None, typer.Option(help="what happened")] = None,
    desired_outcome: Annotated[str | None, typer.Option(help="what the complainant wants")] = None,
    preliminary_review: Annotated[
        bool, typer.Option(help="start in preliminary review instead of open")
    ] = False,
    json: JsonFlag = False,
) -> None:
    """Record a complaint against a company."""
    fields = _read_fields(from_file) if from_file else {}
    given = {
        "company_id": company,
        "given_name": given_name,
        "family_name": family_name,
        "email": email,
        "phone": phone,
        "received_date": received.date() if received else None,
        "products": product or None,
        "categories": category or None,
        "description": description,
        "desired_outcome": desired_outcome,
        "preliminary_review": preliminary_review or None,
    }
    fields.update({key: value for key, value in given.items() if value is not None})
    company_id = fields.get("company_id")
    if not company_id:
        raise UsageProblem(
            "Name the company: --company <SES Company ID> (or company_id: in the file)."
        )
    details = ComplaintDetails(
        complainant=Complainant(
            given_name=str(fields.get("given_name", "")),
            family_name=str(fields.get("family_name", "")),
            email=str(fields.get("email", "")),
            phone=str(fields.get("phone", "")),
        ),
        received_date=_date(fields.get("received_date")) or eastern_today(),
        products=tuple(str(p) for p in fields.get("products", ())),
        categories=tuple(str(c) for c in fields.get("categories", ())),
        description=str(fields.get("description", "")),
        desired_outcome=str(fields.get("desired_outcome", "")),
        cfpb_complaint_id=str(fields.get("cfpb_complaint_id", "")),
    )
    created = client(ctx).complaints.create_complaint(
        company_id=str(company_id),
        details=details,
        preliminary_review=bool(fields.get("preliminary_review", False)),
    )
    assert created.complaint is not None
    if json:
        print_json(as_json(created.complaint))
        return
    found = created.complaint
    console().print(
        f"Created {found.reference_number} ({label(found.status)}) against "
        f"{found.company_legal_name}; id {found.complaint_id}"
    )


def _read_fields(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageProblem(f"Cannot read {path}: {error.strerror}.") from None
    try:
        loaded = jsonlib.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError) as error:
        raise UsageProblem(f"{path} is not valid YAML or JSON: {error}".splitlines()[0]) from None
    if not isinstance(loaded, dict):
        raise UsageProblem(f"{path} must hold a mapping of fields (company_id: ..., ...).")
    complainant = loaded.pop("complainant", None)
    if isinstance(complainant, dict):
        loaded = {**complainant, **loaded}
    return {str(key): value for key, value in loaded.items()}


def _date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UsageProblem(f"{value} is not a date; write it as YYYY-MM-DD.") from None


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option(
            callback=_statuses, help=f"only these statuses (repeatable): {', '.join(STATUS_NAMES)}"
        ),
    ] = None,
    company: Annotated[str | None, typer.Option(help="only this SES Company ID")] = None,
    agency_poc: Annotated[str | None, typer.Option(help="only this Agency POC (user id)")] = None,
    company_poc: Annotated[str | None, typer.Option(help="only this Company POC (user id)")] = None,
    overdue: Annotated[bool, typer.Option(help="only complaints with an overdue IR")] = False,
    due_within: Annotated[int, typer.Option(help="only IRs due within N business days", min=0)] = 0,
    referred_to_me: Annotated[bool, typer.Option(help="referrals waiting for my agency")] = False,
    page_size: Annotated[int, typer.Option(min=1, max=100)] = 20,
    page_token: Annotated[str, typer.Option(help="continue from a previous page")] = "",
    all_pages: Annotated[bool, typer.Option("--all", help="fetch every page")] = False,
    json: JsonFlag = False,
) -> None:
    """List complaints, page by page (or --all)."""
    ses = client(ctx)
    filters: dict[str, Any] = {
        "statuses": [ComplaintStatus[s.upper()] for s in status or ()],
        "company_id": company or "",
        "agency_poc_user_id": agency_poc or "",
        "company_poc_user_id": company_poc or "",
        "overdue_only": overdue,
        "due_within_business_days": due_within,
        "referred_to_my_agency": referred_to_me,
        "page_size": page_size,
    }
    if all_pages:
        everything = list(ses.complaints.iter_complaints(**filters))
        if json:
            print_json({"complaints": [as_json(c) for c in everything]})
        else:
            console().print(_summaries(everything))
        return
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not json
    token = page_token
    while True:
        page = ses.complaints.list_complaints(page_token=token, **filters)
        if json:
            print_json(
                {
                    "complaints": [as_json(c) for c in page.complaints],
                    "next_page_token": page.next_page_token,
                }
            )
            return
        console().print(_summaries(page.complaints))
        token = page.next_page_token
        if not token:
            return
        if not interactive:
            console().print(f"More: --page-token {token}  (or --all)")
            return
        if not typer.confirm("Next page?", default=True):
            return


def _summaries(summaries: Any) -> Any:
    if not summaries:
        return "No complaints."
    rows = [
        (
            s.reference_number,
            label(s.status),
            s.company_legal_name,
            s.complainant_name,
            s.received_date,
            s.next_due_date,
            "OVERDUE" if s.overdue else "",
            person(s.agency_poc),
            person(s.company_poc),
        )
        for s in summaries
    ]
    return table(
        None,
        (
            "reference",
            "status",
            "company",
            "complainant",
            "received",
            "due",
            "",
            "agency POC",
            "company POC",
        ),
        rows,
    )


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="reference number or complaint id")],
    json: JsonFlag = False,
) -> None:
    """The complaint as you may see it: details, IRs, responses, history, next actions."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    history = list(ses.complaints.iter_history(complaint_id=found.complaint_id))
    if json:
        print_json({"complaint": as_json(found), "history": [as_json(h) for h in history]})
        return
    render(found, history)


def render(found: Complaint, history: list[Any] | None = None) -> None:
    out = console()
    details = found.details
    complainant = details.complainant if details else None
    rows: list[tuple[str, object]] = [
        ("reference", found.reference_number),
        ("status", label(found.status)),
        ("view", label(found.view)),
        ("company", f"{found.company_legal_name} ({found.company_id})"),
        (
            "complainant",
            f"{complainant.given_name} {complainant.family_name}" if complainant else None,
        ),
        ("received", details.received_date if details else None),
        ("description", details.description if details else None),
        ("agency POC", person(found.agency_poc)),
        ("company POC", person(found.company_poc)),
        ("contributors", ", ".join(person(c) for c in found.contributors)),
        ("next actions", ", ".join(label(a) for a in found.available_actions)),
        ("id", found.complaint_id),
    ]
    if found.closure is not None:
        rows.append(("closed", f"{label(found.closure.reason)}: {found.closure.shared_comments}"))
    out.print(facts(found.reference_number, rows))
    for ir in sorted(found.information_requests, key=lambda r: r.number):
        ir_rows: list[tuple[str, object]] = [
            ("status", label(ir.status)),
            ("request", ir.request_text),
            ("due", f"{text(ir.due_date)}{'  OVERDUE' if ir.overdue else ''}"),
            ("next actions", ", ".join(label(a) for a in ir.available_actions)),
            ("id", ir.information_request_id),
        ]
        for number, response in enumerate(ir.submitted_responses, start=1):
            ir_rows.append((f"response {number}", _response_line(response)))
        if ir.draft is not None:
            ir_rows.append(("draft", _response_line(ir.draft)))
        for back in ir.send_backs:
            ir_rows.append(("sent back", f"{back.reason} (new due {text(back.new_due_date)})"))
        out.print(facts(f"IR {ir.number}", ir_rows))
    if history:
        entries = [(h.occurred_at, person(h.actor), h.action, h.summary) for h in history]
        out.print(table("History", ("when", "who", "action", "what"), entries))


def _response_line(response: Any) -> str:
    parts = [response.text or "(no text)"]
    if response.attachments:
        parts.append(f"{len(response.attachments)} file(s)")
    parts += list(response.file_sharing_links)
    if response.restricted:
        parts.append("RESTRICTED")
    return " | ".join(parts)


@app.command()
def close(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="reference number or complaint id")],
    reason: Annotated[
        str, typer.Option(callback=_reason, help=f"close reason: {', '.join(REASON_NAMES)}")
    ],
    comments: Annotated[str, typer.Option(help="shared with the company")] = "",
    notes: Annotated[str, typer.Option(help="agency-only close notes")] = "",
    amount: Annotated[
        str | None, typer.Option(help="monetary relief in USD (with closed_with_monetary_relief)")
    ] = None,
    relief_date: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="date of the monetary relief")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Close a complaint (final: never reopened)."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    relief = None
    if amount is not None:
        try:
            money = Money(amount=Decimal(amount))
        except InvalidOperation:
            raise UsageProblem(f"--amount {amount} is not an amount; write e.g. 125.50.") from None
        relief = MonetaryRelief(amount=money, date=relief_date.date() if relief_date else None)
    closed = ses.complaints.close_complaint(
        complaint_id=found.complaint_id,
        reason=CloseReason[reason.upper()],
        monetary_relief=relief,
        shared_comments=comments,
        notes=notes,
    ).complaint
    assert closed is not None
    _done(closed, "closed", json)


@app.command()
def cancel(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="reference number or complaint id")],
    reason: Annotated[str, typer.Option(help="why (required)")],
    json: JsonFlag = False,
) -> None:
    """Cancel a complaint (its open IRs are canceled too)."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    canceled = ses.complaints.cancel_complaint(
        complaint_id=found.complaint_id, reason=reason
    ).complaint
    assert canceled is not None
    _done(canceled, "canceled", json)


def _done(found: Complaint, what: str, json: bool) -> None:
    if json:
        print_json(as_json(found))
    else:
        console().print(f"{found.reference_number} {what} ({label(found.status)}).")
