"""The image's build context leaves out local environments, tools, caches and data, and
nothing the Containerfile copies.

Docker reads ``.dockerignore``, Podman and Buildah ``.containerignore``: both must hold the
same patterns. Patterns are matched as the builders do for the cases used here: relative
to the context root, ``**/`` for any depth, ``*`` within one path element, and a pattern
that matches a directory excludes everything under it.
"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
from pathlib import PurePosixPath

import pytest
from deploy_support import REPO

IGNORE_FILES = (".containerignore", ".dockerignore")
MUST_STAY_OUT = [
    ".venv",
    ".tools",
    ".git",
    ".ses-data",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "libs/ses_core/src/ses_core/__pycache__",
    "services/files/.venv",
    "libs/ses_protos/src/ses",
    "libs/ses_sdk/src/ses_sdk/_generated",
]


def patterns(name: str) -> list[str]:
    path = REPO / name
    assert path.is_file(), f"{name} is missing: the whole working tree would be sent"
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def pattern_matches(pattern: str, path: str) -> bool:
    """Whether ``pattern`` excludes ``path`` (or a directory above it)."""
    assert not pattern.startswith("!"), "exceptions are not used here"
    parts = PurePosixPath(path).parts
    wanted = PurePosixPath(pattern.strip("/")).parts
    any_depth = wanted[0] == "**"
    if any_depth:
        wanted = wanted[1:]
    starts = range(len(parts)) if any_depth else range(1)
    for start in starts:
        window = parts[start : start + len(wanted)]
        if len(window) == len(wanted) and all(map(fnmatch.fnmatchcase, window, wanted)):
            return True
    return False


def excluded(path: str, rules: list[str]) -> bool:
    return any(pattern_matches(p, path) for p in rules)


def copied_sources() -> list[str]:
    """What the Containerfile COPYs from the build context (not from another stage)."""
    sources: list[str] = []
    for line in (REPO / "Containerfile").read_text().splitlines():
        words = line.split()
        if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words):
            continue
        arguments = [w for w in words[1:] if not w.startswith("--")]
        sources.extend(arguments[:-1])
    return sources


def test_podman_and_docker_get_the_same_patterns() -> None:
    containerignore, dockerignore = (patterns(name) for name in IGNORE_FILES)
    assert containerignore == dockerignore


@pytest.mark.parametrize("path", MUST_STAY_OUT)
def test_local_environments_tools_caches_and_data_stay_out(path: str) -> None:
    assert excluded(path, patterns(".containerignore")), f"{path} would be sent to the builder"


def test_nothing_the_containerfile_copies_is_excluded() -> None:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    sources = copied_sources()
    assert {"pyproject.toml", "uv.lock", "protos", "libs", "services"} <= set(sources)
    listed = subprocess.run(
        [git, "-C", str(REPO), "ls-files", "--", *sources],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert listed
    rules = patterns(".containerignore")
    dropped = [path for path in listed if excluded(path, rules)]
    assert not dropped, f"tracked files the build needs but never receives: {dropped}"


def test_the_matcher_reads_patterns_as_the_builders_do() -> None:
    assert pattern_matches(".venv", ".venv/bin/python")
    assert not pattern_matches(".venv", "services/files/.venv")
    assert pattern_matches("**/.venv", "services/files/.venv/lib")
    assert pattern_matches("**/*.pyc", "libs/a/b.pyc")
    assert pattern_matches(".coverage.*", ".coverage.host1")
    assert not pattern_matches("build", "libs/build.py")
