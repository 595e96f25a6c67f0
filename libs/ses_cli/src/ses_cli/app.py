"""The people commands' typer application and how its outcomes become exit statuses.

``run(argv)`` is what ``ses`` hands a people command line to. Exit statuses (also in
``ses --help``'s epilog and the README): 0 done; 1 the server refused (an SDK
:class:`~ses_sdk.SesError`: its sentence, reason and request id on one line) or could not
be reached; 2 usage or settings (click's usage errors, :class:`UsageProblem`). Tracebacks
only with ``--debug``. Ctrl-C ends with 130, as shells expect.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from typing import Annotated

import typer

from ses_cli import entry
from ses_cli._context import Options
from ses_cli._output import error_console
from ses_cli._problems import UsageProblem
from ses_cli.commands import (
    account,
    complaints,
    demo,
    files,
    hours,
    inbox,
    information_requests,
    respond,
    team,
)
from ses_sdk import SesError

app = typer.Typer(
    name="ses",
    help="SES for people: sign in, work complaints and respond from the terminal.",
    epilog=entry.EXIT_STATUS,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    address: Annotated[
        str | None,
        typer.Option(
            envvar="SES_ADDRESS",
            help="host:port of SES (default: the session's; `ses login` 127.0.0.1:50051)",
        ),
    ] = None,
    insecure: Annotated[
        bool, typer.Option(help="plaintext even for a non-loopback address (a TLS mesh)")
    ] = False,
    debug: Annotated[bool, typer.Option(help="print tracebacks of failures")] = False,
) -> None:
    ctx.obj = Options(address=address, insecure=insecure, debug=debug)


account.register(app)
app.add_typer(complaints.app, name="complaints")
app.add_typer(information_requests.app, name="ir")
team.register(app)
respond.register(app)
app.add_typer(files.app, name="files")
inbox.register(app)
hours.register(app)
demo.register(app)


def run(argv: Sequence[str]) -> int:
    """Run one people command line; the exit status."""
    debug = "--debug" in argv
    try:
        outcome = app(args=list(argv), prog_name="ses", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        error_console().print("ses: interrupted.")
        return 130
    except typer.TyperException as problem:
        # Typer's usage errors (a wrong option, a missing argument): they print themselves.
        show = getattr(problem, "show", None)
        if show is not None:
            show()
        else:
            error_console().print(f"ses: {problem.message}", markup=False)
        return 2
    except UsageProblem as problem:
        _fail(f"ses: {problem.message}", debug)
        return 2
    except SesError as error:
        _fail(f"ses: {one_line(error)}", debug)
        return 1
    except KeyboardInterrupt:
        error_console().print("ses: interrupted.")
        return 130
    return outcome if isinstance(outcome, int) else 0


def one_line(error: SesError) -> str:
    """The server's sentence, then its reason and request id: what support asks for."""
    facts = [f"reason {error.reason}" if error.reason else error.code.name]
    facts += [f"{v.field}: {v.description}" for v in error.field_violations]
    if error.request_id:
        facts.append(f"request {error.request_id}")
    return f"{error.message} ({'; '.join(facts)})"


def _fail(line: str, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    error_console().print(line, markup=False, soft_wrap=True)
