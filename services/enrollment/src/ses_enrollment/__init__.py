"""SES enrollment service: agencies, the company directory, users, company enrollment, sign-in.

Hosts ``ses.enrollment.v1.EnrollmentService`` and the embedded identity provider
``ses.enrollment.v1.AuthService`` (``protos/ses/enrollment/v1/enrollment.proto``), and
publishes the events of ``protos/ses/enrollment/v1/events.proto``. The notify service
e-mails activation links from ``UserCreated`` and ``ActivationLinkIssued``.

Where to read on:

- composition: ``bootstrap`` (``plugin``), ``composition``, settings in ``settings``;
- scoping of rows and events: ``scopes``, ``unit_of_work``;
- commands: ``handlers`` (one module per feature), transport in ``servicer``,
  ``auth_servicer`` and ``mappers``;
- identity: ``handlers.activation`` (two-step activation), ``handlers.auth`` (sign-in,
  lockout, refresh rotation), ``passwords`` (policy), ``totp``, ``credentials``, ``links``;
- administration: ``cli`` (``ses tenants create``, ``ses operators create``,
  ``ses signin``) and ``demo`` (what ``ses up`` seeds).
"""
