"""``python -m bench [name] [options]``: run one benchmark, or list them.

Every ``bench/<name>_bench.py`` module with a ``main(argv) -> int`` is a benchmark called
``<name>``; ``python -m bench <name> --help`` shows its options.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> dict[str, str]:
    return {path.stem.removesuffix("_bench"): path.stem for path in sorted(HERE.glob("*_bench.py"))}


def main(argv: Sequence[str]) -> int:
    known = benchmarks()
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m bench NAME [options]\nbenchmarks: " + ", ".join(known))
        return 0 if argv else 2
    name, rest = argv[0], list(argv[1:])
    if name not in known:
        print(f"No benchmark {name!r}; known: {', '.join(known)}.", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{known[name]}")
    run: Callable[[list[str]], int] = module.main
    return run(rest)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
