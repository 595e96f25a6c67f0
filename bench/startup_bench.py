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
the worst are printed with the load average. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import resource
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

from ses_core.testing import free_port

SES = Path(sys.executable).parent / "ses"


def time_help() -> float:
    started = time.perf_counter()
    subprocess.run([str(SES), "--help"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def time_up(data_dir: Path, workers: int) -> tuple[float, float, float]:
    """(seconds to SERVING, seconds to stop after SIGINT, CPU seconds of the whole run).

    The CPU is every process's of the tree (supervisor, workers, nats-server), start and
    stop: steadier than the wall clock on a shared machine."""
    cpu_before = _children_cpu()
    port = free_port()
    environment = {**os.environ, "SES_DATA_DIR": str(data_dir), "SES_GRPC__PORT": str(port)}
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
        f"{name:<34} n={len(samples):<3} median {statistics.median(samples):6.2f} s   "
        f"worst {max(samples):6.2f} s"
    )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    options = parser.parse_args(argv)
    workers = [int(value) for value in options.workers.split(",")]
    results: dict[str, list[float]] = {}
    time_help()  # warms the command index and the page cache, as any earlier run would
    with tempfile.TemporaryDirectory(prefix="ses-startup-bench-") as scratch:
        for round_ in range(options.repeat):
            results.setdefault("ses --help", []).append(time_help())
            for count in workers:
                data_dir = Path(scratch) / f"round-{round_}-workers-{count}"
                first, _, first_cpu = time_up(data_dir, count)
                second, second_stop, second_cpu = time_up(data_dir, count)
                results.setdefault(f"ses up --workers {count}: first", []).append(first)
                results.setdefault(f"ses up --workers {count}: second", []).append(second)
                results.setdefault(f"ses up --workers {count}: stop", []).append(second_stop)
                label = f"ses up --workers {count}"
                results.setdefault(f"{label}: first, CPU s", []).append(first_cpu)
                results.setdefault(f"{label}: second, CPU s", []).append(second_cpu)
    print(f"nproc {os.cpu_count()}, load {os.getloadavg()[0]:.1f} (1 min)")
    for name, samples in results.items():
        print(_line(name, samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
