"""``ses --help`` lists the services' commands without importing the services (or the
platform's heavy dependencies) once their index is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ses_core.platform.runtime import cli

HEAVY = ("sqlalchemy", "alembic", "grpc", "nats", "jinja2", "holidays")


def _help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_help_lists_service_commands_from_the_index_without_loading_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = _help(capsys)  # discovers the plugins and writes the index
    assert "tenants" in first
    assert "signin" in first

    def no_discovery() -> dict[str, object]:
        raise AssertionError("the help screen loaded the plugins")

    monkeypatch.setattr(cli, "discover_plugins", no_discovery)
    assert _help(capsys) == first


def test_a_changed_installation_discovers_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _help(capsys)
    discovered: list[bool] = []
    real = cli.discover_plugins

    def counting() -> dict[str, object]:
        discovered.append(True)
        return dict(real())

    monkeypatch.setattr(cli, "discover_plugins", counting)
    from ses_core.platform.runtime import _command_index

    monkeypatch.setattr(_command_index, "_key", lambda: "another installation")
    assert "tenants" in _help(capsys)
    assert discovered == [True]


def test_the_help_screen_imports_no_database_broker_or_template_library(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from ses_core.platform.runtime.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    environment = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the first run writes the index, the second reads it
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=environment
        )
        assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
