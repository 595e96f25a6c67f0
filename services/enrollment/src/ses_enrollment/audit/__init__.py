"""The audit log the enrollment service keeps for the whole platform (issue 15).

The rules (records, hash chain, verification) are ``ses_core.audit``; here is where they
meet the database and the wire:

* ``tables`` and ``store``: the entries, chain heads and checkpoints, and the one writer
  of entries (``store.append``);
* ``consumer``: every event on ``SES_EVENTS`` appended exactly once to its chain;
* ``signatures`` and ``checkpoints``: chain heads signed with the identity key ring, now
  and then and on demand;
* ``verification``: every chain recomputed and every checkpoint checked
  (``ses audit verify``);
* ``reading`` and ``servicer``: ``AuditService`` (``ListAuditEntries``,
  ``ExportAuditLog``) for Agency and company Account Administrators;
* ``command``: ``ses audit verify`` and ``ses audit checkpoint``.
"""
