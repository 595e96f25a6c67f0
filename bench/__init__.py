"""Benchmarks (not tests): ``python -m bench [name]``; see ``bench/RESULTS.md``."""
