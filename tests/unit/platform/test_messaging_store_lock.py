"""The NATS store lock: one holder per store, and a refusal that names who to stop."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ses_core.platform.messaging import StoreInUse
from ses_core.platform.messaging._store_lock import LOCK_FILE_NAME, StoreHolder, StoreLock


def a_pid_that_is_gone() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_the_lock_file_says_who_holds_the_store(tmp_path: Path) -> None:
    lock = StoreLock.acquire(tmp_path)
    try:
        lock.record(server_pid=4242)
        assert StoreHolder.parse((tmp_path / LOCK_FILE_NAME).read_text()) == StoreHolder(
            owner_pid=os.getpid(), server_pid=4242
        )
    finally:
        lock.close()


def test_a_held_store_is_refused_and_free_again_once_closed(tmp_path: Path) -> None:
    first = StoreLock.acquire(tmp_path)
    with pytest.raises(StoreInUse) as refused:
        StoreLock.acquire(tmp_path, grace=0.1)
    assert refused.value.details == {"owner_pid": os.getpid(), "server_pid": None}
    first.close()

    StoreLock.acquire(tmp_path, grace=0.1).close()


def test_a_live_owner_is_named_with_its_server() -> None:
    me = os.getpid()
    holder = StoreHolder(owner_pid=me, server_pid=4242)
    assert holder.describe() == f"process {me} and its nats-server (pid 4242); stop it first"


def test_an_orphaned_server_is_named_with_the_command_that_stops_it() -> None:
    gone = a_pid_that_is_gone()
    holder = StoreHolder(owner_pid=gone, server_pid=os.getpid())
    assert holder.describe() == (
        f"nats-server pid {os.getpid()}, left behind by process {gone} that is gone; "
        f"stop it (kill {os.getpid()}) and start again"
    )


def test_an_unreadable_lock_file_still_gives_a_way_forward() -> None:
    assert StoreHolder.parse("garbage") == StoreHolder(owner_pid=None, server_pid=None)
    assert "fuser" in StoreHolder.parse("").describe()
