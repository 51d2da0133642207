#!/usr/bin/env python3
"""LogLama ingest benchmark: sustained log records/s and audit records/s over real HTTP on loopback.

Starts `loglama serve` on a free port with a fresh SQLite file, then posts batches from N client threads
(keep-alive connections, Python standard library only) for a fixed number of batches, and prints the rate
and the p50/p99 latency of a batch request. A benchmark, not a test: it asserts nothing about speed.
"""
import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts in the work tree
from benchlib import free_port, machine_info, machine_line, median, percentile, run_threads, wait_healthy


def log_batch(size, worker, n):
    return {"logs": [{"level": "INFO", "message": f"worker {worker} batch {n} record {i} some text to index",
                      "logger_name": f"bench.{worker}", "context": {"i": i, "n": n}} for i in range(size)]}


def audit_batch(size):
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    limits = {"wall_time_ms": 10000, "cpu_time_ms": 5000, "memory_bytes": 134217728, "pids": 16, "cpus": 1.0,
              "open_files": 64, "file_size_bytes": 1048576, "stack_bytes": 8388608, "stdout_bytes": 1048576,
              "stderr_bytes": 1048576, "tmp_bytes": 16777216, "workdir_bytes": 16777216}
    return [{"id": str(uuid.uuid4()), "time": now, "requester": "bench", "front_door": "cli", "profile": "strict",
             "code_sha256": "0" * 64, "code_bytes": 8, "limits": limits, "status": "ok", "exit_code": 0,
             "signal": None, "blocked_syscall": None, "limit_hit": None, "wall_ms": 10, "cpu_ms": 9,
             "peak_memory_bytes": 3000000, "stdout_bytes": 2, "stderr_bytes": 0, "host_uid": 2000000001,
             "bexy_version": "0.1.0"} for _ in range(size)]


def run(port, path, make_body, workers, batches, per_batch):
    latencies = []
    lock = threading.Lock()
    errors = []

    def worker(w):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(batches):
            body = json.dumps(make_body(w, n)).encode()
            start = time.perf_counter()
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if response.status >= 300:
                errors.append(response.status)
            with lock:
                latencies.append(elapsed * 1000)

    seconds = run_threads(worker, workers)
    return {"records_per_s": workers * batches * per_batch / seconds, "seconds": seconds,
            "p50_ms": median(latencies), "p99_ms": percentile(latencies, 99),
            "errors": len(errors)}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loglama", default=".build/release/loglama")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batches", type=int, default=100, help="batches per worker")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="loglama-bench-")
    port = free_port()
    env = dict(os.environ, PYLAMA_ENV=os.path.join(work, ".env"))
    server = subprocess.Popen([args.loglama, "serve", "--port", str(port), "--db", os.path.join(work, "bench.db")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port, "/health", server)
        logs = run(port, "/api/logs", lambda w, n: log_batch(args.batch_size, w, n), args.workers, args.batches,
                   args.batch_size)
        audit = run(port, "/api/audit", lambda w, n: audit_batch(args.batch_size // 5), args.workers,
                    max(1, args.batches // 5), args.batch_size // 5)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"LogLama ingest: {args.workers} clients, keep-alive")
    print(machine_line(machine_info()))
    print(f"{'what':<8} {'batch':>6} {'records/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for name, size, r in (("logs", args.batch_size, logs), ("audit", args.batch_size // 5, audit)):
        print(f"{name:<8} {size:>6} {r['records_per_s']:>10.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['errors']:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
