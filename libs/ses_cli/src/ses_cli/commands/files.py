"""``ses files download REF``: a complaint's files, as the caller may see them.

Every file the complaint shows you (its documents, the IRs' attachments, the responses'
and the draft's, the closure's shared documents) unless ``--file`` names some (by id or
name); each is fetched with a download grant and verified by the SDK, written under
``--to`` (default: the current directory) by its SES name. A name already taken there is
never overwritten: the file is written as ``name (2).ext``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ses_cli import _refs
from ses_cli._context import client
from ses_cli._output import console, print_json, table
from ses_cli._problems import UsageProblem
from ses_cli.commands._common import JsonFlag
from ses_sdk.common import FileGrantAction
from ses_sdk.complaints import Attachment, Complaint

app = typer.Typer(help="a complaint's files", no_args_is_help=True)


@app.command()
def download(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="complaint reference number or id")],
    file: Annotated[list[str] | None, typer.Option(help="file id or name (repeatable)")] = None,
    to: Annotated[Path, typer.Option(help="directory to write into")] = Path("."),
    json: JsonFlag = False,
) -> None:
    """Download a complaint's files."""
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    visible = attachments_of(found)
    chosen = [a for a in visible if not file or a.file_id in file or a.file_name in file]
    if file and len(chosen) < len(set(file)):
        known = {a.file_id for a in chosen} | {a.file_name for a in chosen}
        missing = ", ".join(f for f in file if f not in known)
        raise UsageProblem(f"{found.reference_number} shows you no file {missing}.")
    to.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Attachment, Path]] = []
    for attachment in chosen:
        grant = ses.complaints.issue_file_grant(
            complaint_id=found.complaint_id,
            file_id=attachment.file_id,
            action=FileGrantAction.DOWNLOAD,
        )
        target = _free_name(to / Path(attachment.file_name).name)
        written.append(
            (attachment, ses.files.download_to(attachment.file_id, grant.grant_token, target))
        )
    if json:
        print_json(
            {
                "files": [
                    {"file_id": a.file_id, "name": a.file_name, "path": str(p)} for a, p in written
                ]
            }
        )
        return
    rows = [(a.file_name, a.size_bytes, str(p)) for a, p in written]
    console().print(
        table(f"{found.reference_number}: {len(rows)} file(s)", ("name", "bytes", "path"), rows)
    )


def attachments_of(found: Complaint) -> list[Attachment]:
    """Every file the complaint shows, once each, in the order it shows them."""
    groups: list[Any] = [found.documents]
    for ir in found.information_requests:
        groups.append(ir.attachments)
        for response in (*ir.submitted_responses, *([ir.draft] if ir.draft else [])):
            groups.append(response.attachments)
    if found.closure is not None:
        groups.append(found.closure.shared_documents)
    seen: dict[str, Attachment] = {}
    for group in groups:
        for attachment in group:
            seen.setdefault(attachment.file_id, attachment)
    return list(seen.values())


def _free_name(path: Path) -> Path:
    candidate, number = path, 2
    while candidate.exists() or candidate.with_name(candidate.name + ".part").exists():
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
        number += 1
    return candidate
