"""The ``ses.files.v1`` context: its service clients (FilesServiceClient and their
``Async`` twins) and every enum and message of the package, as Python enums and frozen
dataclasses. Generated from the protos by ``scripts/gen_sdk.py``; re-exported here.
"""

from ses_sdk._generated.files import *  # noqa: F403
from ses_sdk._generated.files_client import *  # noqa: F403
