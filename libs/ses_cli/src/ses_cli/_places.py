"""Where the CLI keeps what outlives one command, per the XDG base directories.

* the session: ``$XDG_CONFIG_HOME/ses/session.json`` (default ``~/.config/ses``), mode
  0600 in a 0700 directory: it holds a refresh token, a bearer credential;
* upload journals: ``$XDG_CACHE_HOME/ses/uploads/`` (default ``~/.cache/ses``): losing
  them only costs re-sending files.
"""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ses"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ses"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by its owner only (0600, directory 0700), atomically: the
    file never exists with wider permissions, not even for a moment."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)  # an existing temporary file kept its old mode
    os.replace(temporary, path)
