"""The SES SDK for third-party integrators (sync and asyncio clients).

Empty so far: its first piece, the resumable upload helper, arrives with the files
service (issue 7). It exists now so the layering contract can already forbid the
domain from importing it.
"""
