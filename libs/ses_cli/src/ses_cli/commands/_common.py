"""Options and helpers the command modules share."""

from __future__ import annotations

from typing import Annotated

import typer

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
