"""Start times of the ``ses`` command (issue 13).

    .venv/bin/python -m bench startup                 # = make bench BENCH=startup
    .venv/bin/python -m bench startup --repeat 5 --workers 1,2

Measures, as a person would see them, from launching the process:

* ``ses --help`` until it exits;
* ``ses up --workers N`` on a fresh data directory (first start: migrations, keys, demo
  data) and then again on the same directory (second start), until the gRPC health of
  the whole server answers SERVING, polled every 10 ms from this process (gRPC's
  reconnect backoff held at 10 ms, so a refused poll does not delay the next); then it is
  stopped with SIGINT (the stop is timed too).

Each measurement is repeated ``--repeat`` times, rounds interleaved, and the median and
the worst are printed with the load average. ``--server-src LABEL=DIR`` (repeatable) also
measures another source tree (``git archive`` of a commit, bytecode compiled: ``python -m
compileall``), interleaved with this one, as ``bench api`` does. Not a test: nothing here
asserts.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.api_bench import Variant
from ses_core.testing import free_port

SES = Path(sys.executable).parent / "ses"
_CACHE_ROOT = Path(tempfile.mkdtemp(prefix="ses-startup-bench-cache-"))


def _environment(variant: Variant) -> dict[str, str]:
    # Each tree keeps its own command index (``ses --help``): shared, the trees would
    # invalidate each other's at every run and every help would discover the plugins.
    cache = _CACHE_ROOT / (variant.label or "this-tree")
    return {**os.environ, **variant.environment(), "XDG_CACHE_HOME": str(cache)}


def time_help(variant: Variant) -> float:
    started = time.perf_counter()
    environment = _environment(variant)
    subprocess.run([str(SES), "--help"], check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - started


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def time_up(variant: Variant, data_dir: Path, workers: int) -> tuple[float, float, float]:
    """(seconds to SERVING, seconds to stop after SIGINT, CPU seconds of the whole run).

    The CPU is every process's of the tree (supervisor, workers, nats-server), start and
    stop: steadier than the wall clock on a shared machine."""
    cpu_before = _children_cpu()
    port = free_port()
    environment = {
        **_environment(variant),
        "SES_DATA_DIR": str(data_dir),
        "SES_GRPC__PORT": str(port),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(SES), "--log-level", "WARNING", "up", "--workers", str(workers)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        serving = _wait_serving(f"127.0.0.1:{port}", process) - started
        stopping = time.perf_counter()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
        return serving, time.perf_counter() - stopping, _children_cpu() - cpu_before
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# gRPC's reconnect backoff (1 s, then longer) would otherwise stand between a refused
# first poll and the next real attempt: the first pass timed up to 3 s of the backoff.
_POLL_OPTIONS = [
    ("grpc.initial_reconnect_backoff_ms", 10),
    ("grpc.min_reconnect_backoff_ms", 10),
    ("grpc.max_reconnect_backoff_ms", 10),
]


def _wait_serving(address: str, process: subprocess.Popen[bytes]) -> float:
    with grpc.insecure_channel(address, options=_POLL_OPTIONS) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"ses up exited with status {process.returncode}")
            try:
                answer = stub.Check(health_pb2.HealthCheckRequest(), timeout=0.5)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return time.perf_counter()
            except grpc.RpcError:
                pass
            time.sleep(0.01)
    raise TimeoutError(f"{address} was not SERVING within 120 s")


def _line(name: str, samples: Sequence[float]) -> str:
    return (
        f"{name:<44} n={len(samples):<3} median {statistics.median(samples):6.2f} s   "
        f"worst {max(samples):6.2f} s"
    )


def _measure_round(
    variant: Variant, workers: Sequence[int], scratch: Path, results: dict[str, list[float]]
) -> None:
    name = f"{variant.label}: " if variant.label else ""
    results.setdefault(f"{name}ses --help", []).append(time_help(variant))
    for count in workers:
        data_dir = scratch / f"workers-{count}"
        first, _, first_cpu = time_up(variant, data_dir, count)
        second, second_stop, second_cpu = time_up(variant, data_dir, count)
        up = f"{name}ses up --workers {count}"
        results.setdefault(f"{up}: first", []).append(first)
        results.setdefault(f"{up}: second", []).append(second)
        results.setdefault(f"{up}: stop", []).append(second_stop)
        results.setdefault(f"{up}: first, CPU s", []).append(first_cpu)
        results.setdefault(f"{up}: second, CPU s", []).append(second_cpu)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    parser.add_argument("--server-src", action="append", default=[], metavar="LABEL=DIR")
    options = parser.parse_args(argv)
    workers = [int(value) for value in options.workers.split(",")]
    variants = [Variant("", None)]
    for spec in options.server_src:
        label, _, directory = spec.partition("=")
        variants.append(Variant(label, Path(directory).resolve()))
    results: dict[str, list[float]] = {}
    for variant in variants:
        time_help(variant)  # warms the command index and the page cache, as a run would
    with tempfile.TemporaryDirectory(prefix="ses-startup-bench-") as scratch:
        for round_ in range(options.repeat):
            for variant in variants:
                where = Path(scratch) / f"round-{round_}-{variant.label or 'this-tree'}"
                _measure_round(variant, workers, where, results)
    shutil.rmtree(_CACHE_ROOT, ignore_errors=True)
    print(f"nproc {os.cpu_count()}, load {os.getloadavg()[0]:.1f} (1 min)")
    for name, samples in results.items():
        print(_line(name, samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
