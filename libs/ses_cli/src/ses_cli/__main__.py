"""``python -m ses_cli ...``: the people commands where ``ses`` itself is not installed.

The ``ses`` command comes with the server platform (``ses-core``), which hands the people
commands to this package; a person's machine with only ``ses-cli`` (and the SDK) runs
them as ``python -m ses_cli login``, ``python -m ses_cli complaints list`` ...
"""

from __future__ import annotations

import sys

from ses_cli.entry import main

raise SystemExit(main(sys.argv[1:]))
