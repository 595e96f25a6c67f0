"""Build hook: generate the typed client (``ses_sdk/_generated``) into the wheel.

The generated client is never committed, so a wheel built from a clean clone (or from this
distribution's sdist) must generate it: this hook runs ``scripts/gen_sdk.py``'s ``build``
(the protos' descriptors compiled by the protoc the build requires) and adds every file it
returns to the wheel under ``ses_sdk/_generated/``. The generators and the protos are found
next to the project in the repository (``../../scripts``, ``../../protos``), or inside an
sdist, which carries them under ``contract-sources/``.

Editable installs (the workspace) generate nothing: ``make stubs`` writes into
``src/ses_sdk/_generated``.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = "contract-sources"
GENERATED = "ses_sdk/_generated"
SKIPPED = {".stubs-manifest"}


def contract_sources(root: Path) -> tuple[Path, Path]:
    """(scripts, protos) for a build in an sdist or in the repository."""
    for base in (root / SOURCES, root.parent.parent):
        if (base / "scripts" / "gen_sdk.py").is_file() and (base / "protos").is_dir():
            return base / "scripts", base / "protos"
    raise RuntimeError(
        f"Neither {root / SOURCES} nor the repository around {root} holds scripts/gen_sdk.py "
        "and protos/: build from a clone of the SES repository or from its sdist."
    )


def load_generator(scripts: Path) -> Any:
    sys.path.insert(0, str(scripts))
    try:
        return importlib.import_module("gen_sdk")
    finally:
        sys.path.remove(str(scripts))


class ClientBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        scripts, protos = contract_sources(Path(self.root))
        generated = load_generator(scripts).build(protos)
        self._out = Path(tempfile.mkdtemp(prefix="ses-sdk-build-"))
        for rel, data in sorted(generated.items()):
            if rel in SKIPPED:
                continue
            path = self._out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            build_data["force_include"][str(path)] = f"{GENERATED}/{rel}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
