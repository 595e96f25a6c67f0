"""``ses respond REF``: write the company's response to an information request.

Text from ``--text-file`` (``-`` for standard input), or from ``$EDITOR`` (``--edit``,
which starts from the current draft's text); without either the draft's text is left as
it is (standard input is read only when asked: a script's open stdin never hangs it);
checked against the 4,000-character limit before anything is sent. The text, the links
(``--link``, https:// file-sharing links) and ``--restricted`` / ``--unrestricted`` (who
sees the response) are saved first, in one save, so that a refusal of any of them comes
before any file is uploaded. ``--file`` (repeatable; quoted globs are expanded here) then
goes through the SDK's ``attach_files_to_draft``: batches of the server's limit (25 by
default), each saved onto the draft before the next, with one progress bar per file and
one overall, resumable after an interruption by running the same command again (journal
in the cache directory: ``ses_cli._batches``). ``--draft`` (the default) only saves;
``--submit`` then submits it (the POC only).
"""

from __future__ import annotations

import glob
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from ses_cli import _refs
from ses_cli._batches import AttachBars, journal_for
from ses_cli._context import client
from ses_cli._limits import RESPONSE_TEXT_LIMIT, response_text_length
from ses_cli._output import as_json, console, label, print_json
from ses_cli._problems import UsageProblem
from ses_cli.commands._common import JsonFlag


def register(app: typer.Typer) -> None:
    app.command("respond")(respond)


def respond(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="complaint reference number or id")],
    ir: Annotated[
        str | None, typer.Option("--ir", help="IR number or id (default: the latest)")
    ] = None,
    text_file: Annotated[
        str | None, typer.Option(help="response text from this file ('-': standard input)")
    ] = None,
    edit: Annotated[bool, typer.Option(help="write the text in $EDITOR")] = False,
    file: Annotated[
        list[str] | None, typer.Option(help="file or glob to attach (repeatable)")
    ] = None,
    link: Annotated[
        list[str] | None, typer.Option(help="https:// file-sharing link (repeatable)")
    ] = None,
    restricted: Annotated[
        bool | None,
        typer.Option(
            "--restricted/--unrestricted", help="only the POC and the agency see the response"
        ),
    ] = None,
    submit: Annotated[
        bool, typer.Option("--submit/--draft", help="submit after saving (POC only)")
    ] = False,
    json: JsonFlag = False,
) -> None:
    """Save (and with --submit, submit) a response: text, files, links."""
    paths = expand_files(file or ())
    ses = client(ctx)
    found = _refs.complaint(ses, ref)
    chosen = _refs.information_request(found, ir)
    current = chosen.draft.text if chosen.draft is not None else ""
    text = _response_text(text_file, edit, current)
    if text is not None and response_text_length(text) > RESPONSE_TEXT_LIMIT:
        raise UsageProblem(
            f"The response text has {response_text_length(text):,} characters; the limit is "
            f"{RESPONSE_TEXT_LIMIT:,}: shorten it, or attach the rest as a file."
        )
    cid, ir_id = found.complaint_id, chosen.information_request_id
    # Links already on the draft (an interrupted run added them) are not added twice.
    on_draft = set(chosen.draft.file_sharing_links) if chosen.draft is not None else set()
    links = [url for url in dict.fromkeys(link or ()) if url not in on_draft]
    if not (paths or links or text is not None or restricted is not None or submit):
        raise UsageProblem(
            "Nothing to do: give --text-file or --edit, --file, --link, --restricted or --submit."
        )
    if links or text is not None or restricted is not None:
        ses.complaints.save_response_draft(
            complaint_id=cid,
            information_request_id=ir_id,
            text=text,
            restricted=restricted,
            add_file_sharing_links=links,
        )
    if paths:
        paths = [path.resolve() for path in paths]  # the journal knows them wherever run
        with AttachBars(quiet=json) as bars:
            ses.complaints.attach_files_to_draft(
                complaint_id=cid,
                information_request_id=ir_id,
                paths=paths,
                progress=bars.update,
                journal=journal_for(cid, ir_id, paths),
            )
        if bars.resumed_batches and not json:
            console().print(
                f"Resumed: {bars.resumed_batches} of {bars.batches} batches were "
                "attached by an earlier run."
            )
    if submit:
        ses.complaints.submit_response(
            complaint_id=cid, information_request_id=ir_id, restricted=restricted
        )
    after = _refs.complaint(ses, found.complaint_id)
    final = _refs.information_request(after, chosen.information_request_id)
    if json:
        print_json(as_json(final))
        return
    what = "submitted" if submit else "saved as a draft"
    response = final.draft if final.draft is not None else (final.submitted_responses or [None])[-1]
    files_count = len(response.attachments) if response is not None else 0
    console().print(
        f"{after.reference_number} IR {final.number}: response {what} "
        f"({files_count} file(s)); IR {label(final.status)}."
    )


def expand_files(patterns: Sequence[str]) -> list[Path]:
    """Each pattern's files (a glob when it has wildcards), in order, each once."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(Path(m) for m in glob.glob(os.path.expanduser(pattern)))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                raise UsageProblem(f"No file matches {pattern}.")
        else:
            path = Path(pattern).expanduser()
            if not path.is_file():
                raise UsageProblem(f"{pattern} is not a file.")
            matches = [path]
        for match in matches:
            found.setdefault(match, None)
    return list(found)


def _response_text(text_file: str | None, edit: bool, current: str) -> str | None:
    if text_file is not None and edit:
        raise UsageProblem("Give the text one way: --text-file or --edit, not both.")
    if text_file == "-":
        return sys.stdin.read()
    if text_file is not None:
        try:
            return Path(text_file).read_text(encoding="utf-8")
        except OSError as error:
            raise UsageProblem(f"Cannot read {text_file}: {error.strerror}.") from None
    if edit:
        return _edited(current)
    return None


def _edited(current: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise UsageProblem("Set $EDITOR (or use --text-file) to write the response text.")
    with tempfile.NamedTemporaryFile("w+", suffix=".txt", delete=False, encoding="utf-8") as draft:
        draft.write(current)
    try:
        status = subprocess.call([*shlex.split(editor), draft.name])
        if status != 0:
            raise UsageProblem(f"The editor ended with status {status}; nothing was sent.")
        return Path(draft.name).read_text(encoding="utf-8")
    finally:
        os.unlink(draft.name)
