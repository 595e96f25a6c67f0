"""What every people command shares: the global options and the signed-in client."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from ses_cli._session import StoredSession, signed_in
from ses_sdk import SesClient


@dataclass
class Options:
    """The options given before the command word (``ses --debug complaints list``)."""

    address: str | None = None
    insecure: bool = False
    debug: bool = False
    _client: SesClient | None = field(default=None, repr=False)


def options(ctx: typer.Context) -> Options:
    found = ctx.find_root().obj
    if not isinstance(found, Options):
        found = Options()
        ctx.find_root().obj = found
    return found


def client(ctx: typer.Context) -> SesClient:
    """The signed-in client of the stored session (``--address`` overrides its address);
    closed when the command ends."""
    chosen = options(ctx)
    if chosen._client is None:
        stored = StoredSession.load()
        if chosen.address:
            stored.address = chosen.address
        chosen._client = signed_in(stored)
        ctx.find_root().call_on_close(chosen._client.close)
    return chosen._client
