"""What ``ses`` needs of the people commands before running one: their names, their help
lines and a ``main`` to hand the command line to.

Imported by ``ses --help`` (through the ``ses.people_commands`` entry point), so it imports
nothing heavy: typer, rich and gRPC load in :func:`main`, when a people command runs.
"""

from __future__ import annotations

from collections.abc import Sequence

COMMANDS: tuple[tuple[str, str], ...] = (
    ("login", "sign in (e-mail, password, TOTP code) and keep the session"),
    ("logout", "end the session and forget it"),
    ("whoami", "who is signed in, their organisation and roles, and the access level now"),
    ("complaints", "create, list, show, close and cancel complaints"),
    ("ir", "information requests: add, send, extend, remind, send back, complete"),
    ("poc", "assign a complaint's Company POC"),
    ("contributors", "add contributors to a complaint"),
    ("respond", "write a response to an information request, with files and links"),
    ("files", "download a complaint's files"),
    ("inbox", "notifications; mark them read"),
    ("hours", "full or limited access now, the next change, upcoming maintenance"),
    ("demo", "play the job aid against a running `ses up` (or start one)"),
)

# The global options that take a value (``ses --address HOST:PORT complaints list``): `ses`
# skips them when it looks for the command word.
OPTIONS_WITH_VALUES = ("--address",)

EXIT_STATUS = (
    "exit status: 0 done; 1 refused by the server (or the server could not be reached); "
    "2 usage or settings (a wrong option, no session: run `ses login`)"
)


def main(argv: Sequence[str]) -> int:
    """Run the people command line ``argv`` (global options, the command word, the rest)."""
    from ses_cli.app import run

    return run(argv)
