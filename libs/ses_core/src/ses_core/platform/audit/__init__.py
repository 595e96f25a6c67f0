"""The platform side of the audit trail (the rules are ``ses_core.audit``).

From here: the call context every service fills while serving a call (``_call``: who is
calling, from where, which agency's data they were let into, which restricted content
they are about to read), which the gRPC kit's access-audit step (``CallInterceptor``) opens and the
unit of work reads (``current_origin_headers``).

Submodules, imported by path because they need the database layer:

* ``ses_core.platform.audit.recorder``: :class:`AccessRecorder` writes a service's
  ``AccessRecorded`` events through its outbox; :class:`AccessLogRouter` picks the
  recorder of the service that owns a method (one host may run several services);
* ``ses_core.platform.audit.payloads``: any event off ``SES_EVENTS`` as its proto3 JSON
  form, for the consumer that keeps the log (the enrollment service).
"""

from ses_core.platform.audit._call import (
    AuditedCall,
    RestrictedRead,
    admit_tenant,
    begin_call,
    current_call,
    current_origin_headers,
    note_actor,
    note_identity,
    note_restricted_read,
)

__all__ = [
    "AuditedCall",
    "RestrictedRead",
    "admit_tenant",
    "begin_call",
    "current_call",
    "current_origin_headers",
    "note_actor",
    "note_identity",
    "note_restricted_read",
]
