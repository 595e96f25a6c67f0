"""Database file locations; no SQLAlchemy here, so settings can fill them in cheaply."""

from __future__ import annotations

from pathlib import Path


def sqlite_url(data_dir: Path | str, service: str) -> str:
    """The URL of ``service``'s database file in ``data_dir`` (``<data_dir>/<service>.db``)."""
    if not service or "/" in service or service.startswith("."):
        raise ValueError(f"Service name {service!r} cannot name a database file; use e.g. 'files'.")
    return f"sqlite+pysqlite:///{Path(data_dir).resolve() / f'{service}.db'}"
