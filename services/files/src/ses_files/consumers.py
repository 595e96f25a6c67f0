"""The files service's event consumer: files that complaints keep.

The durable ``files-attachments`` consumes the complaints service's ``FilesAttached``
(``ses.complaints.v1.files_attached``). For each file it names, it records a
``FileAttachment`` (one per file and complaint, in the complaint's agency's scope) and
raises ``FileAttached`` through the outbox, in one transaction with the consumer's
``processed_events`` claim: a redelivered event has its effect once. A file the
complaint keeps already is left as it is, so a second ``FilesAttached`` naming it (the
file was dropped from a draft and attached again) changes nothing either.

A file that cannot be kept is skipped with a warning and the event acknowledged, since
retrying cannot help and a dead letter would only wait for an operator who can do no
better: an id this service does not know (mistyped, or of another deployment), a file
stored under neither the complaint's agency nor its company (another tenant's), one
that whoever attached it did not upload, and one that never became available. The
complaints service attaches only the caller's own completed uploads, so each of these
means a bug or a forged event, worth a log line, never a stalled consumer.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from ses_core.errors import PreconditionFailed
from ses_core.models.complaint_events import FilesAttached
from ses_core.platform.messaging import EventCodec, EventConsumer, InboundEvent
from ses_core.platform.runtime import ServiceContext
from ses_files.model import FileAttachment
from ses_files.repositories import FileAttachmentRepository, attachable_file, is_attached
from ses_files.unit_of_work import FilesUnitOfWork

_log = logging.getLogger(__name__)

ATTACHMENTS_CONSUMER = "files-attachments"


def keep_attached_files(inbound: InboundEvent, uow: FilesUnitOfWork) -> None:
    """``EventConsumer`` handler: record the attachments one ``FilesAttached`` names."""
    if inbound.subject != FilesAttached.subject():
        return  # not ours to apply; acknowledged
    event = inbound.decode(FilesAttached)
    attachments = uow.repository(FileAttachmentRepository)
    for file_id in dict.fromkeys(event.file_ids):
        problem = _keep(uow, attachments, event, file_id)
        if problem is not None:
            _log.warning(
                "Kept nothing for file %s of complaint %s (FilesAttached event %s): %s. "
                "Check the file id the complaint references.",
                file_id,
                event.complaint_id,
                event.event_id,
                problem.rstrip("."),
            )


def _keep(
    uow: FilesUnitOfWork,
    attachments: FileAttachmentRepository,
    event: FilesAttached,
    file_id: str,
) -> str | None:
    """Record that the complaint keeps ``file_id``; why not, if it cannot."""
    file = attachable_file(uow.session, file_id)
    if file is None:
        return f"the files service has no file {file_id} (a mistyped id, or another deployment's)"
    if file.tenant_id not in (event.tenant_id, event.company_id):
        return (
            f"it is stored under {file.tenant_id}, neither the complaint's agency "
            f"{event.tenant_id} nor its company {event.company_id}"
        )
    if file.uploaded_by != event.actor_id:
        return f"it was uploaded by {file.uploaded_by}, not by {event.actor_id or 'the system'}"
    if is_attached(uow.session, file_id, event.complaint_id):
        return None
    try:
        attachment = FileAttachment.attach(
            file,
            attachment_id=str(uuid.uuid4()),
            tenant_id=uow.tenant_id,
            complaint_id=event.complaint_id,
            attached_as=event.attached_as.value,
            by=event.actor_id,
            now=event.occurred_at,
        )
    except PreconditionFailed as refused:
        return refused.message
    attachments.add(attachment)
    return None


def build_consumer(
    context: ServiceContext,
    unit_of_work: Callable[[str], FilesUnitOfWork],
    codec: EventCodec,
) -> EventConsumer[FilesUnitOfWork]:
    return EventConsumer(
        context.js,
        durable_name=ATTACHMENTS_CONSUMER,
        filter_subjects=[FilesAttached.subject()],
        handler=keep_attached_files,
        unit_of_work=unit_of_work,
        codec=codec,
        backoff=(1.0, 5.0, 30.0, 120.0),
        fetch_timeout=1.0,
    )
