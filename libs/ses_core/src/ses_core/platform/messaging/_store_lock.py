"""One nats-server per JetStream store: an exclusive ``flock`` on a file inside the store.

Two servers on one store would each believe they own its files and corrupt them, so the
process that starts a server first takes :data:`LOCK_FILE_NAME` in the store directory
and then hands the locked descriptor to the server (it is inherited), and the lock is
held for as long as either of them lives. A ``ses up`` that died on a platform without a
parent-death signal may leave its nats-server behind: that orphan still holds the lock,
so the next start is refused, and the refusal names the pid to stop. The file records
the owner's and the server's pid for that sentence (and for a person who opens it).

Choices:

* Refuse, never take over: the holder may be a healthy ``ses up`` in another terminal,
  and killing a process we did not start is not ours to do.
* Wait ``grace`` seconds before refusing: a ``ses up`` killed a moment ago releases its
  lock only once the kernel has also killed its child.
* Only ever ``close`` the descriptor, never ``LOCK_UN``: a flock belongs to the open file
  description the server shares, so unlocking would release the server's hold too.
* The file stays: removing a lock file races with the next process locking it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from ses_core.platform.messaging._broker_errors import StoreInUse

LOCK_FILE_NAME = "ses-store.lock"


@dataclass(frozen=True)
class StoreHolder:
    """Who holds a store, as its lock file says (``None`` where it does not say)."""

    owner_pid: int | None
    server_pid: int | None

    @classmethod
    def parse(cls, text: str) -> StoreHolder:
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

        def pid(name: str) -> int | None:
            value = fields.get(name, "").strip()
            return int(value) if value.isdigit() else None

        return cls(owner_pid=pid("owner"), server_pid=pid("nats-server"))

    def describe(self) -> str:
        owner, server = self.owner_pid, self.server_pid
        if owner is not None and _alive(owner):
            with_server = f" and its nats-server (pid {server})" if server else ""
            return f"process {owner}{with_server}; stop it first"
        if server is not None and _alive(server):
            return (
                f"nats-server pid {server}, left behind by process {owner or 'unknown'} that "
                f"is gone; stop it (kill {server}) and start again"
            )
        return "another process; find it with `fuser` on the lock file and stop it"


class StoreLock:
    """The exclusive lock of one store directory; :meth:`acquire` it, :meth:`close` it."""

    def __init__(self, store_dir: Path, descriptor: int) -> None:
        self.store_dir = store_dir
        self.path = store_dir / LOCK_FILE_NAME
        self.descriptor = descriptor

    @classmethod
    def acquire(cls, store_dir: Path, *, grace: float = 3.0) -> Self:
        """Lock ``store_dir`` for this process, or raise :class:`StoreInUse` naming the holder."""
        path = store_dir / LOCK_FILE_NAME
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + grace
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(descriptor)
                    holder = StoreHolder.parse(path.read_text(errors="replace"))
                    raise StoreInUse(
                        f"The NATS store {store_dir.resolve()} is already in use by "
                        f"{holder.describe()}, or give this process another store "
                        "(SES_DATA_DIR or SES_NATS__STORE_DIR).",
                        owner_pid=holder.owner_pid,
                        server_pid=holder.server_pid,
                    ) from None
                time.sleep(0.05)
            except BaseException:
                os.close(descriptor)
                raise
        lock = cls(store_dir, descriptor)
        lock.record(server_pid=None)
        return lock

    def record(self, *, server_pid: int | None) -> None:
        """Write who holds the store now (this process, and its server once started)."""
        text = f"owner={os.getpid()}\nnats-server={server_pid or ''}\n".encode()
        os.ftruncate(self.descriptor, 0)
        os.pwrite(self.descriptor, text, 0)

    def close(self) -> None:
        """Let go; the lock is free once the server holding the same descriptor exits too."""
        with contextlib.suppress(OSError):
            os.close(self.descriptor)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
