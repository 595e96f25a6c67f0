"""What ``ses respond`` adds to the SDK's ``client.complaints.attach_files_to_draft`` (which
does the job aid's "upload 25, save the draft, repeat" and resumes from a journal): where
that journal lives, and rich progress bars drawn from its ``AttachProgress``.

The journal is ``_places.cache_dir() / "uploads" / <key>.json``, the key derived from the
complaint, the IR and the (resolved) file paths, so running the same command again finds
it. Sizes and modification times are not in the key: the SDK's journal records them and
starts afresh when a file changed, overwriting the same file instead of leaving a stale one.
The SDK removes its journals when every batch is on the draft.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn

from ses_cli._output import console
from ses_cli._places import cache_dir
from ses_sdk import AttachProgress


def journal_for(complaint_id: str, information_request_id: str, paths: Sequence[Path]) -> Path:
    """The journal of attaching ``paths`` to this IR's draft (its folder made, 0700: the
    journal holds the files' attach grants)."""
    identity = [complaint_id, information_request_id, *(str(path.resolve()) for path in paths)]
    key = hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]
    folder = cache_dir() / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # an earlier version of ses made it with the default mode
    return folder / f"{key}.json"


class AttachBars:
    """One bar per file (added as its first chunk goes, finished when a save attaches it)
    and one for all the files, fed by ``update`` as ``attach_files_to_draft``'s progress.

    ``resumed_batches`` is how many batches an earlier run had attached already (known from
    the first report: the files on the draft before this run's first save).
    """

    def __init__(self, *, quiet: bool = False) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=console(),
            disable=quiet,
            transient=False,
        )
        self._overall: TaskID | None = None
        self._files: dict[str, TaskID] = {}  # by file id: two files may share a name
        self.resumed_batches = 0
        self.batches = 0

    def __enter__(self) -> AttachBars:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, progress: AttachProgress) -> None:
        if self._overall is None:
            self._overall = self._progress.add_task("", total=progress.total_bytes)
            if progress.files_attached > len(progress.saved):
                self.resumed_batches = progress.batch - 1
        self.batches = progress.batches
        chunk = progress.file
        if chunk is not None:
            self._progress.update(
                self._file_bar(chunk.file_id, chunk.file_name, chunk.file_size),
                completed=chunk.file_bytes_sent,
            )
        for file in progress.saved:
            bar = self._file_bar(file.file_id, file.name, file.size_bytes)
            self._progress.update(bar, completed=file.size_bytes)
        self._progress.update(
            self._overall,
            completed=progress.bytes_sent,
            description=f"all files ({progress.files_attached}/{progress.files_total})",
        )

    def _file_bar(self, file_id: str, name: str, size: int) -> TaskID:
        if file_id not in self._files:
            self._files[file_id] = self._progress.add_task(name, total=size)
        return self._files[file_id]
