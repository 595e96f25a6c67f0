"""``ses demo --start`` plays the whole job aid against a ``ses up`` it starts, as a
person runs it: the ``ses`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_demo_plays_the_job_aid_to_the_closure(tmp_path: Path) -> None:
    ses = Path(sys.executable).parent / "ses"
    environment = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TMPDIR": str(tmp_path),
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    played = subprocess.run(
        [str(ses), "demo", "--start", "--keep"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=240,
    )
    assert played.returncode == 0, played.stdout + played.stderr
    out = played.stdout
    for step in (
        "records a complaint against Unenrolled Lending Inc. (not enrolled)",
        "creates the company's first user and initiates enrollment",
        "Fay First (first company user) set a password and an authenticator",
        "sees the complaint (the IR sent before enrollment too) and assigns the POC",
        "agency sees: Company POC Paul Poc",
        "agency sees: no draft (drafts stay with the company)",
        "agency sees: IR response received, 2 files, restricted",
        "contributor sees: 0 submitted responses (restricted)",
        "POC sees: IR sent back",
        "agency sees: 2 responses, IR response received",
        "company sees: closed",
        "The job aid is done: DEMO-",
    ):
        assert step in out, f"{step!r} missing from:\n{out}"
    (data_dir,) = tmp_path.glob("ses-demo-data-*")
    mail = data_dir / "mail"
    activation = [line for line in out.splitlines() if "with the activation link:" in line]
    assert len(activation) == 3  # the first user, the POC, the contributor
    for line in activation:
        assert Path(line.rsplit(": ", 1)[1].strip()).parent == mail
    assert list(mail.glob("*.eml"))
    assert not [p for p in tmp_path.glob("ses-demo-*") if p != data_dir]  # scratch removed
