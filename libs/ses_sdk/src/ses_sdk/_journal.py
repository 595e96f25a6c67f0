"""The upload journal: what a restarted client needs to resume instead of starting over."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ses_sdk._generated.common import AttachmentKind
from ses_sdk._uploads import LocalFile, TrackedFile, UploadSession

_JOURNAL_VERSION = 2  # 2: the kind by proto number, declared names


class Journal:
    """A small JSON file naming an upload in progress, so a restarted client resumes it
    instead of starting again. Matched by the files' paths, sizes and modification times:
    a file that changed starts a new upload."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def load(self, files: Sequence[LocalFile], kind: AttachmentKind) -> dict[str, Any] | None:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        expected = [[str(f.path), f.size, f.mtime_ns, f.name] for f in files]
        recorded = [
            [f["path"], f["size"], f["mtime_ns"], f.get("name")] for f in document.get("files", [])
        ]
        if (
            document.get("version") != _JOURNAL_VERSION
            or document.get("kind") != kind.value
            or recorded != expected
        ):
            return None
        return dict(document)

    def session(
        self, document: dict[str, Any], files: Sequence[LocalFile], kind: AttachmentKind
    ) -> UploadSession:
        tracked = [
            TrackedFile(local, entry["file_id"])
            for local, entry in zip(files, document["files"], strict=True)
        ]
        return UploadSession(document["upload_id"], kind, tracked, int(document["chunk_size"]))

    def save(self, session: UploadSession) -> None:
        document = {
            "version": _JOURNAL_VERSION,
            "upload_id": session.upload_id,
            "kind": session.kind.value,
            "chunk_size": session.chunk_size,
            "files": [
                {
                    "path": str(t.local.path),
                    "size": t.local.size,
                    "mtime_ns": t.local.mtime_ns,
                    "name": t.local.name,
                    "file_id": t.file_id,
                }
                for t in session.files
            ],
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(document), encoding="utf-8")
        os.replace(temporary, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
