#!/usr/bin/env python3
"""HTTP benchmark: hello world through APILama -> BEXY, beside BEXY directly, `bexy exec` and bare python3.

Starts a real `bexy-server` and a real `apilama` on loopback ports with a private state directory and a
private central .env, then runs the same job (`print(1)`) with every system at each concurrency level
(default 1, 2 and 8). Systems are INTERLEAVED in rounds (every system runs a round of jobs in turn), so drift
on the machine hits all of them alike. Each worker keeps one HTTP/1.1 keep-alive connection.

Printed per system and concurrency: p50 and p99 latency of one job, jobs per second, and the ratios to bare
python3 measured in the same run. A benchmark, not a test: it asserts nothing about speed and exits 0 unless a
system cannot run the job at all.

    python3 Benchmarks/http_execute.py --bin .build/release [--runs 200] [--concurrency 1,2,8] [--json]

Standard library only; run as root (the sandbox needs it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PYTHON = "/usr/bin/python3"
CODE = "print(1)\n"
ROUND = 10  # jobs per worker per round


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, path: str, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"service on port {port} never answered {path}")


class Services:
    """bexy-server and apilama, started for the run and stopped at its end."""

    def __init__(self, bin_dir: str, repo: str):
        self.dir = tempfile.mkdtemp(prefix="pylama-bench-")
        self.internal = "int_" + secrets.token_urlsafe(32)
        self.api = "plm_" + secrets.token_urlsafe(32)
        self.bexy_port, self.gateway_port = free_port(), free_port()
        env_file = os.path.join(self.dir, "central.env")
        with open(env_file, "w") as f:
            f.write(f"PYLAMA_INTERNAL_TOKEN={self.internal}\nPYLAMA_API_TOKEN={self.api}\n"
                    f"BEXY_PORT={self.bexy_port}\nAPILAMA_PORT={self.gateway_port}\n"
                    f"APILAMA_DB={self.dir}/apilama.db\n"
                    "APILAMA_RATE_PER_SECOND=1000000\nAPILAMA_RATE_BURST=1000000\n")
        self.env = {"HOME": self.dir, "PYLAMA_ENV": env_file, "BEXY_STATE_DIR": self.dir,
                    "BEXY_PROFILES_DIR": os.path.join(repo, "profiles"), "PATH": "/usr/local/bin:/usr/bin:/bin"}
        self.log = open(os.path.join(self.dir, "services.log"), "w")
        self.processes = [
            subprocess.Popen([os.path.join(bin_dir, "bexy-server"), "--port", str(self.bexy_port)],
                             env=self.env, cwd=self.dir, stdout=self.log, stderr=self.log),
            subprocess.Popen([os.path.join(bin_dir, "apilama"), "serve", "--port", str(self.gateway_port)],
                             env=self.env, cwd=self.dir, stdout=self.log, stderr=self.log),
        ]
        wait_healthy(self.bexy_port, "/health")
        wait_healthy(self.gateway_port, "/api/health")

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class HTTPJob:
    """POST the job to an /execute endpoint over one keep-alive connection per worker."""

    def __init__(self, port: int, path: str, token: str):
        self.port, self.path, self.token = port, path, token
        self.body = json.dumps({"code": CODE}).encode()
        self.local = threading.local()

    def __call__(self) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("POST", self.path, body=self.body,
                     headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200 or not json.loads(data).get("success"):
            raise RuntimeError(f"{self.path}: HTTP {response.status}: {data[:300]!r}")


class ProcessJob:
    """Start a process that runs the job and wait for it."""

    def __init__(self, argv: list[str], env: dict | None = None):
        self.argv, self.env = argv, env

    def __call__(self) -> None:
        done = subprocess.run(self.argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if done.returncode != 0 or done.stdout != b"1\n":
            raise RuntimeError(f"{self.argv[0]}: exit {done.returncode}: {done.stderr[:300]!r}")


def run_round(job, workers: int, per_worker: int, latencies: list[float]) -> float:
    """`workers` threads each run `per_worker` jobs; returns the round's wall time."""
    errors: list[BaseException] = []

    def worker():
        for _ in range(per_worker):
            start = time.perf_counter()
            try:
                job()
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
                return
            latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit(f"a system could not run the job: {errors[0]}")
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release", help="directory holding bexy, bexy-server and apilama")
    parser.add_argument("--runs", type=int, default=200, help="jobs per system and concurrency level")
    parser.add_argument("--concurrency", default="1,2,8", help="comma-separated worker counts")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON on stdout")
    args = parser.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    levels = [int(c) for c in args.concurrency.split(",")]
    args.bin = os.path.abspath(args.bin)

    services = Services(args.bin, repo)
    try:
        job_file = os.path.join(services.dir, "job.py")
        with open(job_file, "w") as f:
            f.write(CODE)
        systems = {
            "python3 (bare)": ProcessJob([PYTHON, "-c", CODE]),
            "bexy exec strict": ProcessJob([os.path.join(args.bin, "bexy"), "exec", "--profile", "strict", job_file],
                                           env=services.env),
            "bexy /execute": HTTPJob(services.bexy_port, "/execute", services.internal),
            "apilama -> bexy": HTTPJob(services.gateway_port, "/api/bexy/execute", services.api),
        }
        for job in systems.values():  # warm-up, and a check that every system can run the job
            for _ in range(3):
                job()
        results = []
        for workers in levels:
            latencies = {name: [] for name in systems}
            elapsed = {name: 0.0 for name in systems}
            done = 0
            while done < args.runs:
                per_worker = max(1, min(ROUND, (args.runs - done) // workers or 1))
                for name, job in systems.items():
                    elapsed[name] += run_round(job, workers, per_worker, latencies[name])
                done += per_worker * workers
            bare = latencies["python3 (bare)"]
            bare_rate = len(bare) / elapsed["python3 (bare)"]
            for name in systems:
                values = latencies[name]
                rate = len(values) / elapsed[name]
                results.append({
                    "system": name, "concurrency": workers, "runs": len(values),
                    "p50_ms": statistics.median(values), "p99_ms": percentile(values, 0.99), "jobs_per_s": rate,
                    "p50_ratio": statistics.median(values) / statistics.median(bare),
                    "throughput_ratio": rate / bare_rate,
                })
    finally:
        services.stop()

    machine = (f"{platform.node()} {platform.machine()} nproc {os.cpu_count()} kernel {platform.release()} "
               f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')}")
    if args.json:
        print(json.dumps({"machine": machine, "results": results}, indent=2))
        return
    print(f"hello world over HTTP  {machine}")
    print(f"{'system':<18} {'conc':>4} {'p50 ms':>8} {'p99 ms':>8} {'jobs/s':>8} {'p50/bare':>9} {'rate/bare':>10}")
    for r in results:
        print(f"{r['system']:<18} {r['concurrency']:>4} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['jobs_per_s']:>8.1f} "
              f"{r['p50_ratio']:>8.2f}x {r['throughput_ratio']:>9.2f}x")


if __name__ == "__main__":
    main()
