"""The job aid's "upload 25, save the draft, repeat", done by the SDK, and the ``testing``
fixture that runs the system and signs in a client per role (``ses_sdk.testing.plugin``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sdk_flow import ir_awaiting_the_poc, numbered_files

from ses_sdk import AttachProgress
from ses_sdk.common import AgencyRole, CompanyComplaintsPermission, FileGrantAction
from ses_sdk.testing import JobAidClients

pytestmark = pytest.mark.integration

LINK = "https://share.demo-mortgage.example/history.zip"


class Interrupted(Exception):
    """Raised from the progress callback: the process 'dies' after the first save."""


def test_the_fixture_signs_in_a_client_for_every_role_of_the_job_aid(
    ses_clients: JobAidClients,
) -> None:
    def user(role: str):  # type: ignore[no-untyped-def]
        client = getattr(ses_clients, role)
        assert client.session is not None
        assert client.session.user is not None
        return client.session.user

    assert user("agency_manager").agency_roles == (AgencyRole.COMPLAINT_MANAGER,)
    assert user("agency_supervisor").agency_roles == (AgencyRole.COMPLAINT_SUPERVISOR,)
    assert user("agency_viewer").agency_roles == (AgencyRole.COMPLAINT_VIEWER,)
    assert user("agency_admin").agency_roles == (AgencyRole.ACCOUNT_ADMINISTRATOR,)
    assert user("company_admin").account_administrator
    manage, view = CompanyComplaintsPermission.MANAGE, CompanyComplaintsPermission.VIEW
    assert user("company_poc").complaints_permission == manage
    assert user("company_contributor").complaints_permission == manage
    assert user("company_viewer").complaints_permission == view
    for role in ("company_contact", "company_admin", "company_poc", "company_viewer"):
        assert user(role).company_id == ses_clients.company_id
    # Every client really works: the viewer reads the agency's (empty or not) complaints.
    list(ses_clients.agency_viewer.complaints.iter_complaints(page_size=5))


def test_thirty_files_reach_the_draft_in_two_batches_resuming_after_a_crash(
    ses_clients: JobAidClients,
    tmp_path: Path,
) -> None:
    poc = ses_clients.company_poc.complaints
    complaint_id, ir_id = ir_awaiting_the_poc(ses_clients)
    poc.save_response_draft(
        complaint_id=complaint_id,
        information_request_id=ir_id,
        text="The fee was reversed; see the payment history.",
        add_file_sharing_links=[LINK],
    )
    paths = numbered_files(tmp_path / "scans", 30)
    names = [f"Payment history {index + 1}.pdf" for index in range(30)]
    journal = tmp_path / "attach.journal"
    seen: list[AttachProgress] = []

    def crash_after_first_save(progress: AttachProgress) -> None:
        seen.append(progress)
        if progress.file is None and progress.files_attached == 25:
            raise Interrupted

    with pytest.raises(Interrupted):
        poc.attach_files_to_draft(
            complaint_id=complaint_id,
            information_request_id=ir_id,
            paths=paths,
            names=names,
            restricted=True,
            progress=crash_after_first_save,
            journal=journal,
        )
    assert journal.exists()
    first_run = list(seen)
    seen.clear()
    attached = poc.attach_files_to_draft(
        complaint_id=complaint_id,
        information_request_id=ir_id,
        paths=paths,
        names=names,
        restricted=True,
        progress=seen.append,
        journal=journal,
    )

    assert not journal.exists()
    assert [file.name for file in attached.files] == names
    draft = attached.draft
    assert draft is not None
    assert [a.file_id for a in draft.attachments] == [f.file_id for f in attached.files]
    assert [a.file_name for a in draft.attachments] == names
    assert draft.restricted
    assert draft.text == "The fee was reversed; see the payment history."  # kept
    assert draft.file_sharing_links == (LINK,)  # kept
    # Two batches: 25, then (after the restart) only the remaining 5 were uploaded.
    saves = [p for p in first_run + seen if p.file is None]
    assert [(p.batch, p.batches, p.files_attached) for p in saves] == [(1, 2, 25), (2, 2, 30)]
    resumed_files = {p.file.file_name for p in seen if p.file is not None}
    assert resumed_files == set(names[25:])
    assert seen[-1].fraction == 1.0
    assert all(p.total_bytes == sum(path.stat().st_size for path in paths) for p in seen)

    # Verified download of an attached file, with a grant the complaints service issues.
    chosen = attached.files[7]
    grant = ses_clients.company_poc.complaints.issue_file_grant(
        complaint_id=complaint_id, file_id=chosen.file_id, action=FileGrantAction.DOWNLOAD
    )
    copy = ses_clients.company_poc.files.download_to(
        chosen.file_id, grant.grant_token, tmp_path / "copy.pdf"
    )
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == chosen.sha256_hex
    assert copy.read_bytes() == paths[7].read_bytes()


async def test_the_async_client_learns_the_batch_limit_from_the_server(
    ses_clients: JobAidClients,
    ses_system,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    complaint_id, ir_id = ir_awaiting_the_poc(ses_clients)
    person = ses_clients.people["company_poc"]
    session = ses_clients.company_poc.session
    assert session is not None
    paths = numbered_files(tmp_path / "scans", 27, size=500)
    seen: list[AttachProgress] = []
    async with ses_system.async_client(token=session.access_token) as client:
        attached = await client.complaints.attach_files_to_draft(
            complaint_id=complaint_id,
            information_request_id=ir_id,
            paths=paths,
            batch_size=40,  # more than the server takes: its refusal states its limit
            progress=seen.append,
        )
    assert person.email
    assert attached.draft is not None
    assert len(attached.draft.attachments) == 27
    saves = [(p.batch, p.batches, p.files_attached) for p in seen if p.file is None]
    assert saves == [(1, 2, 25), (2, 2, 27)]
