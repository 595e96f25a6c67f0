"""Child processes that die with their parent, started with no Python between fork and exec.

Every child the platform starts (the embedded ``nats-server``, the ``--workers``
processes) and every process the test helpers start comes through here, so that none
outlives a parent that was SIGKILLed, and so that the spawn itself is safe from a
process with running threads (gRPC's, for one).

Why not a ``preexec_fn``: it makes :mod:`subprocess` fork and run Python code in the
child before ``exec``; after a fork only the forking thread exists, and any lock another
thread held (gRPC's, the allocator's) stays held forever in the child, which once
segfaulted a child in a 300-flow topology run. Without one, :mod:`subprocess` uses
``vfork``/``posix_spawn`` and runs only C between fork and exec.

How, instead, the child learns to die with its parent (:func:`dying_with_parent` wraps
the command line):

* On Linux with util-linux ``setpriv`` (it is in every Debian/Ubuntu/Fedora image):
  ``setpriv --pdeathsig KILL`` asks the kernel to SIGKILL the process when its parent
  dies, then execs a POSIX ``sh`` that checks its ``$PPID`` is still the parent's pid
  and execs the command. The check closes the race "the parent died before setpriv
  asked": an orphan's ``$PPID`` is 1 or a subreaper, and it exits at once (status 125)
  instead of running forever. The death signal survives both execs, so the pid the
  parent holds is the command's own (signals reach it, its exit status is its own).
* On Linux without ``setpriv``: the same, done by a fresh ``python -I -S`` that calls
  ``prctl(PR_SET_PDEATHSIG)`` and execs the command (an exec'd interpreter has no other
  threads; it costs some 20 ms of start-up).
* Elsewhere (macOS, ...): the command unchanged; the kernel has no such signal. What
  guards the shared state there is documented where it lives (the broker's store lock).

The kernel sends the signal when the *thread* that forked exits, not the process: a
child must be spawned from a thread that lives as long as it does. :func:`spawn` does
that (a keeper thread per child, waiting for it); an asyncio spawner is fine from the
loop's thread when the loop outlives its children.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

__all__ = ["ORPHAN_EXIT_STATUS", "dying_with_parent", "spawn"]

ORPHAN_EXIT_STATUS = 125  # the wrapper found its parent gone before the command started

# $1 is the pid the parent expects to be the child's parent; the rest is the command.
_SH_GUARD = f'p=$1; shift; [ "$PPID" = "$p" ] || exit {ORPHAN_EXIT_STATUS}; exec "$@"'
_PY_GUARD = (
    "import ctypes, os, sys\n"
    "ctypes.CDLL(None).prctl(1, 9)\n"  # PR_SET_PDEATHSIG, SIGKILL
    f"os.getppid() == int(sys.argv[1]) or os._exit({ORPHAN_EXIT_STATUS})\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


@cache
def _setpriv() -> str | None:
    return shutil.which("setpriv")


def dying_with_parent(command: Sequence[str], *, parent: int | None = None) -> list[str]:
    """``command`` wrapped so that the process is SIGKILLed when this process dies.

    ``parent`` is the pid the wrapper expects as its parent (this process by default; a
    test passes another to see the wrapper refuse to start an orphan).
    """
    expected = str(os.getpid() if parent is None else parent)
    if not sys.platform.startswith("linux"):
        return list(command)
    setpriv = _setpriv()
    if setpriv is not None:
        sh = "/bin/sh"
        return [setpriv, "--pdeathsig", "KILL", "--", sh, "-c", _SH_GUARD, "sh", expected, *command]
    return [sys.executable, "-I", "-S", "-c", _PY_GUARD, expected, *command]


def spawn(
    command: Sequence[str], *, thread_name: str = "", **popen: Any
) -> subprocess.Popen[bytes]:
    """Start ``command`` dying with this process; return once it is started (or raise).

    ``popen`` goes to :class:`subprocess.Popen` (``env``, ``stdout``, ``pass_fds``,
    ``process_group`` ...); ``preexec_fn`` is refused, since avoiding it is the point.
    The Popen is made in a keeper thread that waits for the child, so the death signal
    follows this process and not the thread that called (see the module doc).
    """
    if "preexec_fn" in popen:
        raise TypeError("spawn() runs no Python between fork and exec: drop preexec_fn")
    started: list[subprocess.Popen[bytes] | BaseException] = []
    ready = threading.Event()

    def keep() -> None:
        try:
            process = subprocess.Popen(dying_with_parent(command), **popen)
        except BaseException as error:
            started.append(error)
            ready.set()
            return
        started.append(process)
        ready.set()
        process.wait()

    name = thread_name or f"keeper-{os.path.basename(command[0])}"
    threading.Thread(target=keep, name=name, daemon=True).start()
    ready.wait()
    outcome = started[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
