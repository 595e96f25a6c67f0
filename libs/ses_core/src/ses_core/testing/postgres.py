"""A throwaway PostgreSQL cluster for tests: ``initdb`` + ``pg_ctl`` into a temporary directory.

The cluster listens on 127.0.0.1 and a free port with its socket in its own directory and
``trust`` authentication (nothing but the local tests can reach it); durability is off
(``fsync``, ``synchronous_commit``, ``full_page_writes``) because the data dies with the
test run. PostgreSQL refuses to run as root, so when the tests run as root every server
command runs as the ``postgres`` user (``runuser -u postgres --``) on a directory that
user owns; the directory is made with ``mkdtemp`` under the system temp dir, because
pytest's own temporary directories are private to root.

Server binaries are looked up with ``pg_config --bindir``, then in
``/usr/lib/postgresql/<version>/bin``, then on ``PATH``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg
from psycopg import sql

from ses_core.platform.messaging.natsserver import free_port

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found; run `make system-deps` to "
    "install them, or set SES_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL suites."
)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here (binaries or the postgres user are missing)."""


def find_postgres_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None when not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            output = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout
            candidates.append(Path(output.strip()))
        except (OSError, subprocess.CalledProcessError):
            pass
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


class PostgresCluster:
    """``start()``, ``create_database(name)``, ``url(name)``, ``restart()``, ``stop()``
    (removes everything)."""

    def __init__(self, *, port: int | None = None, bindir: Path | None = None) -> None:
        found = bindir or find_postgres_bindir()
        if found is None:
            raise PostgresUnavailable(INSTALL_HINT)
        self.bindir = found
        self.host = "127.0.0.1"
        self.port = port or free_port(self.host)
        self.user = "postgres"
        self._base: Path | None = None
        self._as_postgres: list[str] = []

    @property
    def data_dir(self) -> Path:
        return self._require_base() / "data"

    @property
    def log_path(self) -> Path:
        return self._require_base() / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def start(self) -> Self:
        if self._base is not None:
            return self
        self._as_postgres = _run_as_postgres_prefix()
        self._base = Path(tempfile.mkdtemp(prefix="ses-postgres-"))
        socket_dir = self._base / "socket"
        socket_dir.mkdir()
        if self._as_postgres:
            account = pwd.getpwnam("postgres")
            for path in (self._base, socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        try:
            self._server(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def restart(self, *, mode: str = "fast") -> None:
        """Stop the server (``fast``: connections are cut, as an operator's restart does;
        ``immediate``: as a crash) and start it again on the same port and data."""
        self._server("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")
        self._start_server()

    def _start_server(self) -> None:
        base = self._require_base()
        options = (
            f"-c listen_addresses={self.host} -p {self.port} -k {base / 'socket'} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        self._server(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        base = self._base
        if base is None:
            return
        if (base / "data" / "postmaster.pid").exists():
            with contextlib.suppress(PostgresUnavailable):  # already gone: remove files anyway
                self._server("pg_ctl", "-D", str(base / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)
        self._base = None

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` and return its URL."""
        with self._admin_connection() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin_connection() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _admin_connection(self) -> psycopg.Connection[tuple[object, ...]]:
        self._require_base()
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        )

    def _server(self, program: str, *args: str) -> None:
        command = [*self._as_postgres, str(self.bindir / program), *args]
        # Run from the cluster's own directory: the postgres user may not be allowed into the
        # caller's working directory (a checkout under /root), and initdb/pg_ctl need one.
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=self._base
        )
        if result.returncode != 0:
            log = ""
            if self._base is not None and self.log_path.exists():
                log = self.log_path.read_text(errors="replace")[-2000:]
            raise PostgresUnavailable(
                f"`{program}` failed (exit {result.returncode}):\n{result.stdout}"
                f"{result.stderr}{log}"
            )

    def _require_base(self) -> Path:
        if self._base is None:
            raise RuntimeError("The PostgreSQL cluster is not started; call start() first.")
        return self._base


def _run_as_postgres_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as error:
        raise PostgresUnavailable(
            "Running as root, PostgreSQL must run as the 'postgres' user, which does not "
            "exist; run `make system-deps` (it installs the server and creates the user)."
        ) from error
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable(
            "Running as root, PostgreSQL must run as the 'postgres' user but `runuser` is "
            "missing; run the tests as an unprivileged user or install util-linux."
        )
    return [runuser, "-u", "postgres", "--"]


def _version_key(path: Path) -> tuple[int, ...]:
    digits = path.parent.name.split(".")
    return tuple(int(part) for part in digits if part.isdigit())
