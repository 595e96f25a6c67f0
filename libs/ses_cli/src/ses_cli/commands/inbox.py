"""``ses inbox`` (your notifications) and ``ses inbox read`` (mark them read)."""

from __future__ import annotations

from typing import Annotated

import typer

from ses_cli._context import client
from ses_cli._output import as_json, console, label, print_json, table
from ses_cli._problems import UsageProblem
from ses_cli.commands._common import JsonFlag

app = typer.Typer(help="notifications; `ses inbox read` marks them read")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="inbox")


@app.callback(invoke_without_command=True)
def inbox(
    ctx: typer.Context,
    unread: Annotated[bool, typer.Option(help="only unread notifications")] = False,
    json: JsonFlag = False,
) -> None:
    """Your notifications, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    ses = client(ctx)
    notifications = list(ses.notify.iter_notifications(unread_only=unread))
    if json:
        print_json({"notifications": [as_json(n) for n in notifications]})
        return
    if not notifications:
        console().print("No notifications." if not unread else "No unread notifications.")
        return
    rows = [
        (n.created_at, label(n.topic), n.title, "" if n.read_at else "unread", n.notification_id)
        for n in notifications
    ]
    console().print(table("Inbox", ("when", "topic", "title", "", "id"), rows))


@app.command()
def read(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Argument(help="notification ids")] = None,
    all_: Annotated[bool, typer.Option("--all", help="mark every notification read")] = False,
) -> None:
    """Mark notifications read."""
    if not ids and not all_:
        raise UsageProblem("Name the notifications to mark read, or give --all.")
    client(ctx).notify.mark_read(notification_ids=ids or (), all=all_)
    console().print("Marked read.")
