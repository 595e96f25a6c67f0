"""The names and help lines of the services' administrative commands, without importing them.

``ses --help`` lists every command, including those the installed services add
(``ses tenants``, ``ses signin`` ...). Knowing them means importing every service's
plugin, which imports the whole platform (seconds); the help screen should take a
fraction of one. So the first full discovery writes what it found to a small index
(JSON under ``$XDG_CACHE_HOME/ses`` or ``~/.cache/ses``), keyed by the installed
plugins and the modification times of their packages' files, and later help screens
read it. Any change to a plugin's package, an install or an uninstall changes the key,
and the next help screen discovers again. A cache that cannot be written (a read-only
home in a container) only costs the discovery. Running a command always loads the real
plugin; the index is only ever used to print help.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

from ses_core.platform.runtime._plugin import ENTRY_POINT_GROUP

CommandLine = tuple[str, str]  # (name, help)


def cached_commands() -> list[CommandLine] | None:
    """The commands as last discovered, if nothing installed has changed since."""
    path = _index_path()
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != _key():
        return None
    return [(str(name), str(help_)) for name, help_ in stored.get("commands", [])]


def remember_commands(commands: Iterable[CommandLine]) -> None:
    """Write the index (best effort: a read-only cache directory is not an error)."""
    path = _index_path()
    document = {"key": _key(), "commands": [list(command) for command in commands]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(document))
        temporary.replace(path)
    except OSError:
        return


def _index_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    environment = hashlib.sha256(sys.prefix.encode()).hexdigest()[:16]
    return Path(base) / "ses" / f"commands-{environment}.json"


def _key() -> str:
    """The installed plugins and the newest modification time in each one's package."""
    parts: list[str] = []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        parts.append(f"{entry.name}={entry.value}")
        package = entry.value.split(":", 1)[0].split(".", 1)[0]
        parts.append(str(_newest_change(package)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _newest_change(package: str) -> int:
    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        return -1
    if spec is None or not spec.submodule_search_locations:
        return -1
    newest = 0
    for location in spec.submodule_search_locations:
        for path in Path(location).rglob("*.py"):
            try:
                newest = max(newest, path.stat().st_mtime_ns)
            except OSError:
                continue
    return newest
