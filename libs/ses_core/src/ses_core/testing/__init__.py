"""Helpers for testing against real servers, shipped so every suite (and integrators) can use them.

* :func:`free_port`; :class:`NatsServerProcess` (a real ``nats-server -js`` with a temp store)
* :class:`NatsCluster` (three clustered ``nats-server -js`` nodes; kill and restart one)
* :class:`PostgresCluster` (a real PostgreSQL from ``initdb``/``pg_ctl``; ``restart()``),
  :class:`PostgresUnavailable`, :func:`find_postgres_bindir`
* :func:`wait_until` / :func:`eventually`: wait for a condition, never sleep-and-hope
* :func:`running`: a background task (relay, consumer) for the length of a block
* :func:`publish_events`: publish domain events as another service's relay would
* :func:`error_details` / :func:`error_reason`: a failed call's standard error details
* :mod:`ses_core.testing.smtp`: :class:`~ses_core.testing.smtp.SmtpSink`, a real SMTP server
  (imported from there: it needs the ``aiosmtpd`` test dependency)
* :mod:`ses_core.testing.services`: :class:`~ses_core.testing.services.ServeProcess`, one
  ``ses serve <service>`` child process (start, SERVING, SIGKILL, restart on its port)
"""

from ses_core.platform.messaging.natsserver import NatsServerProcess, free_port
from ses_core.testing.errors import error_details, error_reason
from ses_core.testing.events import publish_events
from ses_core.testing.natscluster import NatsCluster
from ses_core.testing.postgres import PostgresCluster, PostgresUnavailable, find_postgres_bindir
from ses_core.testing.tasks import running
from ses_core.testing.waiting import eventually, wait_until

__all__ = [
    "NatsCluster",
    "NatsServerProcess",
    "PostgresCluster",
    "PostgresUnavailable",
    "error_details",
    "error_reason",
    "eventually",
    "find_postgres_bindir",
    "free_port",
    "publish_events",
    "running",
    "wait_until",
]
