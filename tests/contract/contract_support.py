"""Paths and a program runner shared by the contract tests (see also ``conftest.py``)."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROTOS = REPO / "protos"
SCRIPTS = REPO / "scripts"
BUF = REPO / ".venv" / "bin" / "buf"
NODE_TOOLS = REPO / ".tools" / "node" / "node_modules"


def run(
    *args: str | Path,
    cwd: Path = REPO,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run a program (from the repository root by default) and keep its output to assert on."""
    return subprocess.run(
        [str(arg) for arg in args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=None if env is None else dict(env),
        timeout=timeout,
    )
