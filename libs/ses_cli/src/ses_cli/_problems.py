"""The CLI's own refusals: usage and settings problems, exit status 2."""

from __future__ import annotations


class UsageProblem(Exception):
    """Something the person must change in the command line or their settings (not a
    refusal by the server): printed as one line, exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
