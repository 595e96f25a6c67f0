"""``ses up`` on a data directory it cannot use: exit status 2 and one line, no traceback.

Issue 10: a read-only or full data directory ended ``ses up`` with a 137-line traceback.

Read-only: a ``chmod``-ed directory, except as root, who writes through any mode; root
gets a really read-only file system instead, a read-only bind mount in a private mount
namespace of the ``ses up`` process (``unshare``). Full: a tiny tmpfs filled to the last
byte, in the same kind of private namespace. Where the machine allows neither (no root,
no ``unshare``), those variants are skipped, saying why; the unit tests of
``ses_core.platform.runtime._data_dir`` still cover the mapping of both errors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from runtime_support import SesUp

pytestmark = [pytest.mark.integration]

AS_ROOT = os.geteuid() == 0


@pytest.fixture
def processes() -> Iterator[list[SesUp]]:
    started: list[SesUp] = []
    yield started
    for process in started:
        process.close()


def refusal(processes: list[SesUp], data_dir: Path, wrapper: Sequence[str] = ()) -> str:
    """Run ``ses up`` on ``data_dir``; it must exit 2 with one line on stderr: that line."""
    process = SesUp(data_dir, wrapper=wrapper)
    processes.append(process)
    assert process.finish() == 2, process.output
    assert len(process.errors) == 1, process.output
    assert "Traceback" not in process.output
    return process.errors[0].rstrip("\n")


PRIVATE_MOUNT_NAMESPACE = ["unshare", "--mount", "--propagation", "private"]


def in_private_mount(script: str) -> list[str]:
    """Run ``script`` (as root) in a mount namespace of its own, then exec ``ses up``:
    the mounts it makes vanish with the process, whatever happens to the test."""
    return [*PRIVATE_MOUNT_NAMESPACE, "sh", "-ec", script + '\nexec "$0" "$@"']


def private_mounts_work(tmp_path: Path) -> bool:
    if not AS_ROOT or shutil.which("unshare") is None:
        return False
    probe = tmp_path / "mount-probe"
    probe.mkdir()
    tmpfs = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)]
    return subprocess.run([*PRIVATE_MOUNT_NAMESPACE, *tmpfs], check=False).returncode == 0


def test_a_data_directory_under_a_file_is_refused_in_one_line(
    tmp_path: Path, processes: list[SesUp]
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    data_dir = tmp_path / "a-file" / "data"

    line = refusal(processes, data_dir)

    assert line == (
        f"ses: The data directory {data_dir} is not a directory (part of its path is a "
        "file); point SES_DATA_DIR at a writable directory."
    )


def test_a_read_only_data_directory_is_refused_in_one_line(
    tmp_path: Path, processes: list[SesUp]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if not AS_ROOT:
        data_dir.chmod(0o555)
        try:
            line = refusal(processes, data_dir)
        finally:
            data_dir.chmod(0o755)
        assert line == (
            f"ses: The data directory {data_dir} is not writable (permission denied); "
            "point SES_DATA_DIR at a writable directory."
        )
        return
    if not private_mounts_work(tmp_path):
        pytest.skip("running as root, where chmod does not stop writes, without unshare/mount")
    read_only = in_private_mount(
        f"mount --bind {data_dir} {data_dir}\nmount -o remount,bind,ro {data_dir}"
    )

    line = refusal(processes, data_dir, read_only)

    assert line == (
        f"ses: The data directory {data_dir} is on a read-only file system; "
        "point SES_DATA_DIR at a writable directory."
    )


def test_a_full_data_directory_is_refused_in_one_line(
    tmp_path: Path, processes: list[SesUp]
) -> None:
    if not private_mounts_work(tmp_path):
        pytest.skip("a full disk is simulated with a tiny tmpfs, which needs root and unshare")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    full = in_private_mount(
        f"mount -t tmpfs -o size=256k tmpfs {data_dir}\n"
        f"dd if=/dev/zero of={data_dir}/filler bs=4k 2>/dev/null || true"
    )

    line = refusal(processes, data_dir, full)

    assert line == (
        f"ses: The data directory {data_dir} is full (no space left on device); "
        "free some space there or point SES_DATA_DIR at another disk."
    )
