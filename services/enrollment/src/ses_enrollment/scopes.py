"""Scopes: what the ``tenant_id`` column and the unit of work's tenant mean here.

Most services have one tenant per row, the agency. The enrollment service also keeps
data that no agency owns: the company directory is shared by every agency, and a
company's account and enrollment belong to the company (an enrollment one agency
started is finished for all of them). So every aggregate kind has its own scope:

=================================  ===========================  ==========================
rows                               scope (``tenant_id`` column)  example
=================================  ===========================  ==========================
an agency and its users            ``agency:<agency id>``       ``agency:6f1c…``
the company directory              ``directory``                ``directory``
a company's account, enrollment    ``company:<SES Company ID>``  ``company:SES-000042``
=================================  ===========================  ==========================

Repositories filter every query by their scope, so a handler working for one company
cannot read or change another company's account by mistake.

Events are a different matter: their ``tenant_id`` is the agency that acted or whose
data changed (the agency that initiated an enrollment, for enrollment events), and empty
for facts about the directory or a company account that no agency caused, as
``protos/ses/enrollment/v1/events.proto`` says. Their ``ses-tenant`` header (which event
consumers open their unit of work with, and which must not be empty) is that agency id;
for an event without one, the scope of the company it names (``company:<id>``), else the
scope of the command (``directory``, ``users``, ``identity``).
"""

from __future__ import annotations

DIRECTORY = "directory"
# Commands that start from a user id or a credential, before the organisation is known.
USERS = "users"
IDENTITY = "identity"


def agency_scope(agency_id: str) -> str:
    return f"agency:{agency_id}"


def company_scope(company_id: str) -> str:
    return f"company:{company_id}"
