"""``ses`` for people: sign in, work complaints and respond from the terminal.

The runtime's ``ses`` command (``ses_core.platform.runtime.cli``) owns the entry point and
the operator commands; it hands the people commands to this package through the
``ses.people_commands`` entry point (:mod:`ses_cli.entry`), so ``ses --help`` lists both
and stays fast: typer, rich and gRPC are imported only when a people command runs.

Where only ``ses-cli`` and the SDK are installed (no server platform, so no ``ses``
script), ``python -m ses_cli ...`` runs the same commands.

Built on the SDK (``ses_sdk``) alone: an import-linter contract keeps the server platform,
the services and the domain library out.
"""
