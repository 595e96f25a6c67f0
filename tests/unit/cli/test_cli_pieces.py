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
from ses_cli._batches import AttachBars, journal_for
from ses_cli._dates import eastern_today
from ses_cli._limits import RESPONSE_TEXT_LIMIT, response_text_length
from ses_cli._problems import UsageProblem
from ses_cli._session import is_loopback
from ses_cli.app import app, one_line
from ses_cli.commands.respond import expand_files
from ses_sdk import (
    AttachProgress,
    ErrorDetails,
    FieldViolation,
    InvalidArgument,
    NotFound,
    UploadedFile,
    UploadProgress,
)


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


def test_the_upload_journal_lives_in_the_cache_and_belongs_to_one_draft_and_file_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cache" / "ses" / "uploads").mkdir(mode=0o755, parents=True)
    files = [Path(f"{n}.txt") for n in range(3)]
    journal = journal_for("c1", "ir1", files)
    assert journal.parent == tmp_path / "cache" / "ses" / "uploads"
    assert journal.parent.stat().st_mode & 0o777 == 0o700  # it holds attach grants
    # The same files named from elsewhere are the same journal ...
    assert journal_for("c1", "ir1", [tmp_path / f.name for f in files]) == journal
    # ... another file list or another IR is another.
    assert journal_for("c1", "ir1", files[:2]) != journal
    assert journal_for("c1", "ir2", files) != journal


def _uploaded(name: str, size: int) -> UploadedFile:
    return UploadedFile(Path(name), f"id-{name}", name, size, "0" * 64, "grant")


def test_bars_count_the_batches_an_earlier_run_attached_and_finish_silent_files() -> None:
    chunk = UploadProgress("b.txt", "id-b.txt", 10, 10, 10, 10)
    bars = AttachBars(quiet=True)
    # Resumed: 25 files on the draft before this run's first chunk, in batch 2 of 2.
    bars.update(AttachProgress(chunk, 60, 70, 25, 30, 2, 2))
    saved = (_uploaded("b.txt", 10), _uploaded("empty.txt", 0))
    bars.update(AttachProgress(None, 70, 70, 30, 30, 2, 2, saved=saved))
    assert (bars.resumed_batches, bars.batches) == (1, 2)
    tasks = {task.description: task for task in bars._progress.tasks}
    assert tasks["all files (30/30)"].completed == 70
    assert tasks["b.txt"].finished
    assert tasks["empty.txt"].finished  # no chunk, yet its bar is there, finished

    fresh = AttachBars(quiet=True)
    fresh.update(AttachProgress(None, 0, 0, 1, 1, 1, 1, saved=(_uploaded("empty.txt", 0),)))
    assert fresh.resumed_batches == 0


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
