"""The people commands' pure pieces: limits, file lists, batches, addresses, error lines."""

from __future__ import annotations

import runpy
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from ses_cli import entry
from ses_cli._batches import BatchJournal, batches_of
from ses_cli._dates import eastern_today
from ses_cli._limits import RESPONSE_TEXT_LIMIT, response_text_length
from ses_cli._problems import UsageProblem
from ses_cli._session import is_loopback
from ses_cli.app import app, one_line
from ses_cli.commands.respond import expand_files
from ses_sdk import ErrorDetails, FieldViolation, InvalidArgument, NotFound


def test_response_text_counts_code_points_after_crlf_becomes_lf() -> None:
    assert response_text_length("é\r\n" * 2000) == RESPONSE_TEXT_LIMIT
    assert response_text_length("😀" * 4001) == RESPONSE_TEXT_LIMIT + 1


def test_files_and_globs_expand_in_order_each_file_once(tmp_path: Path) -> None:
    for name in ("b.pdf", "a.pdf", "c.csv"):
        (tmp_path / name).write_text(name)
    found = expand_files(
        [str(tmp_path / "c.csv"), str(tmp_path / "*.pdf"), str(tmp_path / "a.pdf")]
    )
    assert [p.name for p in found] == ["c.csv", "a.pdf", "b.pdf"]
    with pytest.raises(UsageProblem, match="No file matches"):
        expand_files([str(tmp_path / "*.docx")])
    with pytest.raises(UsageProblem, match="is not a file"):
        expand_files([str(tmp_path / "missing.pdf")])


def test_batches_hold_at_most_25_files() -> None:
    paths = [Path(f"f{n}") for n in range(51)]
    assert [len(batch) for batch in batches_of(paths)] == [25, 25, 1]


def test_a_batch_journal_belongs_to_one_file_list(tmp_path: Path) -> None:
    files = []
    for n in range(3):
        files.append(tmp_path / f"{n}.txt")
        files[-1].write_text(str(n))
    journal = BatchJournal(tmp_path / "j", "c1", "ir1", files)
    journal.record(1)
    assert BatchJournal(tmp_path / "j", "c1", "ir1", files).attached_batches() == 1
    assert BatchJournal(tmp_path / "j", "c1", "ir1", files[:2]).attached_batches() == 0
    files[0].write_text("changed, and longer")
    assert BatchJournal(tmp_path / "j", "c1", "ir1", files).attached_batches() == 0


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1:50051", True),
        ("localhost:50051", True),
        ("[::1]:50051", True),
        ("ses.example.gov:443", False),
        ("10.0.0.5:50051", False),
    ],
)
def test_plaintext_only_for_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_an_error_line_carries_sentence_reason_violations_and_request_id() -> None:
    refused = InvalidArgument(
        "The due date must be in the future.",
        reason="due_date_in_past",
        details=ErrorDetails(
            reason="due_date_in_past",
            request_id="req-1",
            field_violations=(FieldViolation("due_date", "2020-01-01 is past"),),
        ),
    )
    assert one_line(refused) == (
        "The due date must be in the future. "
        "(reason due_date_in_past; due_date: 2020-01-01 is past; request req-1)"
    )
    assert one_line(NotFound("Gone.")) == "Gone. (NOT_FOUND)"


def test_today_is_the_eastern_date_whatever_the_terminal_zone() -> None:
    late_evening_in_new_york = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    assert eastern_today(late_evening_in_new_york) == date(2026, 12, 3)


def test_python_m_ses_cli_runs_the_commands_without_the_ses_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["python -m ses_cli", "whoami"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("ses_cli", run_name="__main__")
    assert exited.value.code == 2
    assert capsys.readouterr().err.strip() == "ses: You are not signed in: run `ses login` first."


def test_the_help_index_names_exactly_the_commands_the_app_has() -> None:
    registered = typer.main.get_command(app)
    assert isinstance(registered, TyperGroup)
    assert sorted(name for name, _ in entry.COMMANDS) == sorted(registered.commands)
