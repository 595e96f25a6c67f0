"""``ses hours``: full or limited access now, the next change, upcoming maintenance.

Everything comes from the server (``GetOperatingStatus``, ``ListMaintenanceWindows``): the
operating calendar (US Eastern hours, the nine holidays) is the deployment's, never copied
into the command line.
"""

from __future__ import annotations

import typer

from ses_cli._context import client
from ses_cli._output import as_json, console, print_json, table
from ses_cli.commands._common import JsonFlag
from ses_cli.commands.account import access_line


def register(app: typer.Typer) -> None:
    app.command("hours")(hours)


def hours(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Full or limited access now, when that changes, and upcoming maintenance windows."""
    ses = client(ctx)
    status = ses.notify.get_operating_status()
    windows = list(ses.notify.iter_maintenance_windows())
    if json:
        print_json(
            {
                "operating_status": as_json(status),
                "maintenance_windows": [as_json(w) for w in windows],
            }
        )
        return
    out = console()
    out.print(access_line(status))
    if not windows:
        out.print("No maintenance scheduled.")
        return
    rows = [(w.starts_at, w.ends_at, w.description, w.emergency) for w in windows]
    out.print(table("Maintenance", ("starts", "ends", "what", "emergency"), rows))
