"""Test against the real SES services, in-process (the ``testing`` extra:
``pip install 'ses-sdk[testing]'``, which brings the server stack).

* :class:`ThreadedHost`: every service on a free port, as ``ses up`` runs them.
* :func:`job_aid_clients`: the people of the job aid created, activated from their welcome
  e-mails and signed in; :class:`JobAidClients` holds a client per role.
* ``ses_sdk.testing.plugin``: the pytest fixtures ``ses_system`` and ``ses_clients``.

Importing ``ses_sdk`` never imports this package.
"""

try:
    import ses_core  # noqa: F401 - only to say which extra brings the server stack
except ModuleNotFoundError as missing:
    raise ModuleNotFoundError(
        "ses_sdk.testing runs the SES services, which the plain SDK does not install: "
        "pip install 'ses-sdk[testing]'.",
        name=missing.name,
    ) from missing

from ses_sdk.testing._host import ThreadedHost, fast_plugins
from ses_sdk.testing._mail import activation_link, addressed_to, read_maildir, text_of
from ses_sdk.testing._people import (
    TESTING_PASSWORD,
    JobAidClients,
    Person,
    activate,
    activate_with_link,
    job_aid_clients,
    sign_in,
)

__all__ = [
    "TESTING_PASSWORD",
    "JobAidClients",
    "Person",
    "ThreadedHost",
    "activate",
    "activate_with_link",
    "activation_link",
    "addressed_to",
    "fast_plugins",
    "job_aid_clients",
    "read_maildir",
    "sign_in",
    "text_of",
]
