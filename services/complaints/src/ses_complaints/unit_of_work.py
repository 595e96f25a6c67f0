"""The complaints unit of work: the complaint repository, committed with its index rows."""

from __future__ import annotations

from ses_complaints.repositories import ComplaintRepository
from ses_core.platform.db import SqlUnitOfWork


class ComplaintsUnitOfWork(SqlUnitOfWork):
    """One command's transaction for one tenant (the agency that owns the complaint).

    The directory and file projections are not tenant-scoped (companies and their
    users are shared by every agency); handlers read them through ``self.session``.
    """

    complaints: ComplaintRepository

    def _open_repositories(self) -> None:
        self.complaints = self.repository(ComplaintRepository)

    def commit(self) -> None:
        self.complaints.prepare_commit()
        super().commit()
