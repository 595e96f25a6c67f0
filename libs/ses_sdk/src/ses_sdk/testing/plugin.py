"""pytest fixtures: the real SES services in-process and a signed-in client per role.

Enable them in your root ``conftest.py`` with ``pytest_plugins = ["ses_sdk.testing.plugin"]``
(or ``pytest -p ses_sdk.testing.plugin``); they need ``pip install 'ses-sdk[testing]'``.

* ``ses_system`` (session): a :class:`~ses_sdk.testing.ThreadedHost` running every service
  on a free port of ``127.0.0.1`` (SQLite databases and e-mails as ``.eml`` files in a
  temporary directory, a ``nats-server`` of its own), seeded with the demo agency and
  companies; passwords are hashed cheaply (a test system, never one with real people).
  ``ses_system.address`` is what an ``SesClient(..., insecure=True)`` dials;
  ``ses_system.client()`` makes one.
* ``ses_clients`` (session): :class:`~ses_sdk.testing.JobAidClients`, one signed-in
  ``SesClient`` per role of the job aid (``agency_manager``, ``agency_supervisor``,
  ``agency_viewer``, ``agency_admin``, ``company_contact``, ``company_admin``,
  ``company_poc``, ``company_contributor``, ``company_viewer``), their ``agency_id`` and
  ``company_id``, and the credentials (``people``).

Session scope on purpose: starting the services and activating the people takes seconds,
so one system serves the whole run; tests keep apart by creating their own complaints. The
complaints service learns of the people from the enrollment service's events, so a call
naming one of them (AssignCompanyPoc, AddContributor) may answer NOT_FOUND for a moment
after start: retry it until it passes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ses_core.testing import NatsServerProcess
from ses_sdk.testing._host import ThreadedHost, fast_plugins
from ses_sdk.testing._people import JobAidClients, job_aid_clients


@pytest.fixture(scope="session")
def ses_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedHost]:
    base = tmp_path_factory.mktemp("ses-system")
    with NatsServerProcess(base / "nats-store") as broker:
        host = ThreadedHost(base / "data", broker.url, plugins=fast_plugins())
        try:
            host.start()
            yield host
        finally:
            host.close()


@pytest.fixture(scope="session")
def ses_clients(ses_system: ThreadedHost) -> Iterator[JobAidClients]:
    clients = job_aid_clients(ses_system)
    try:
        yield clients
    finally:
        clients.close()
