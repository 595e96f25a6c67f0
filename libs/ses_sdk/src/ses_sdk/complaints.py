"""The ``ses.complaints.v1`` context: its service clients (ComplaintsServiceClient and their
``Async`` twins) and every enum and message of the package, as Python enums and frozen
dataclasses. Generated from the protos by ``scripts/gen_sdk.py``; re-exported here.
"""

from ses_sdk._generated.complaints import *  # noqa: F403
from ses_sdk._generated.complaints_client import *  # noqa: F403
