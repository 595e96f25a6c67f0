"""The files service's unit of work: uploads and files of one scope."""

from __future__ import annotations

from ses_core.platform.db import SqlUnitOfWork
from ses_files.repositories import FileRepository, UploadRepository


class FilesUnitOfWork(SqlUnitOfWork):
    uploads: UploadRepository
    files: FileRepository

    def _open_repositories(self) -> None:
        self.uploads = self.repository(UploadRepository)
        self.files = self.repository(FileRepository)
