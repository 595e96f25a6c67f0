"""One function per command: load, authorize (``ses_core.permissions``), change, commit.

No gRPC or protobuf here; ``ses_enrollment.servicer`` translates.
"""
