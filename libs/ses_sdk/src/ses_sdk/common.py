"""The ``ses.common.v1`` vocabulary the other contexts share (roles, attachment kinds, ...),
as Python enums and frozen dataclasses; its ``Money`` and ``Date`` are ``ses_sdk.Money`` and
``datetime.date``. Generated from the protos by ``scripts/gen_sdk.py``; re-exported here.
"""

from ses_sdk._generated.common import *  # noqa: F403
