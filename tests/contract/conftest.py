"""Fixtures of the contract suite.

``node_tools`` installs the npm tools of ``scripts/node-tools`` (protoc-gen-es and its
runtime, tsc, the AsyncAPI parser) into ``.tools/node`` once, through the same script as
``make contract-codegen``, and returns their ``node_modules``. Without ``node`` or ``npm``
on the machine the tests that use it are skipped, saying so; any other failure (a node older
than 20, no registry) fails them, since CI must run them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from contract_support import NODE_TOOLS, SCRIPTS, run


@pytest.fixture(scope="session")
def node_tools() -> Path:
    missing = [program for program in ("node", "npm") if shutil.which(program) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed: Node.js 20+ with npm is needed to install "
            "the contract's npm tools (scripts/ensure-system-deps.sh installs it as root)."
        )
    installed = run("bash", SCRIPTS / "ensure-node-tools.sh", timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return NODE_TOOLS
