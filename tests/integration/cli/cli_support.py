"""Running ``ses`` people commands in the test's process, as a given person."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sdk_support import ThreadedHost

from ses_cli._session import StoredSession
from ses_core.platform.runtime import cli


@dataclass(frozen=True)
class Outcome:
    status: int
    out: str
    err: str


class Terminal:
    """``ses ...`` as the person whose config and cache directories are current."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path
    ) -> None:
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        self.home = home

    def use(self, who: str) -> Path:
        """Make ``who``'s directories current; their config directory."""
        config = self.home / who / "config"
        self._monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
        self._monkeypatch.setenv("XDG_CACHE_HOME", str(self.home / who / "cache"))
        self._monkeypatch.setenv("NO_COLOR", "1")
        self._monkeypatch.setenv("COLUMNS", "200")
        return config

    def run(self, *argv: str) -> Outcome:
        self._capsys.readouterr()
        status = cli.main(list(argv))
        captured = self._capsys.readouterr()
        return Outcome(status, captured.out, captured.err)


def store_session(host: ThreadedHost, email: str) -> None:
    """Sign ``email`` in through the SDK and keep the session where ``ses`` looks."""
    client = host.signed_in(email)
    assert client.session is not None
    assert client.session.user is not None
    StoredSession(host.address, True, client.session.tokens, client.session.user).save()
    client.close()
