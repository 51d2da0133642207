"""Helpers shared by the benchmark scripts (standard library only): free loopback ports, waiting for a service,
nearest-rank percentiles, aligned tables and the machine description printed above every result."""

from __future__ import annotations

import datetime
import http.client
import math
import os
import platform
import socket
import subprocess
import sys
import threading
import time

PYTHON = "/usr/bin/python3"  # the interpreter every job runs with, whatever runs the benchmark
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, path: str = "/health", process: subprocess.Popen | None = None,
                 log: str | None = None, deadline: float = 30.0) -> None:
    """Poll GET path on loopback until it answers 200; exit with the service's log tail if it dies or times out."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process is not None and process.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    tail = ""
    if log:
        try:
            with open(log, errors="replace") as f:
                tail = "".join(f.readlines()[-20:])
        except OSError:
            pass
    sys.exit(f"service on port {port} never answered {path}" + (f"; its log ends with:\n{tail}" if tail else ""))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); with fewer than 100 values, p99 is the maximum."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n, mid = len(ordered), len(ordered) // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Left-align the first column, right-align the rest."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def command_output(argv: list[str], cwd: str | None = None) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return (out.stdout or out.stderr).strip() if out.returncode == 0 else ""


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, object]:
    """Everything needed to put a result in context: CPU, cores, kernel, the job's Python, date, commit."""
    commit = command_output(["git", "rev-parse", "--short", "HEAD"], cwd=REPO)
    if commit and command_output(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO):
        commit += "-dirty"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": cpu_model(),
        "nproc": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "job_python": f"{PYTHON} {command_output([PYTHON, '--version']).removeprefix('Python ')}",
        "harness_python": platform.python_version(),
        "commit": commit or None,
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def machine_line(info: dict[str, object]) -> str:
    return (f"machine: {info['cpu']}, nproc {info['nproc']}, kernel {info['kernel']}, {info['job_python']}, "
            f"{info['date']}, load {info['loadavg']}, commit {info['commit'] or '?'}")


def run_threads(worker, count: int) -> float:
    """Run worker(0..count-1) on `count` threads at once; the wall-clock seconds until all are done."""
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start
