#!/usr/bin/env python3
"""Sandbox benchmark: what a Python job costs through every BEXY path, against bare python3, in one run.

Systems (each at concurrency 1 and 2 by default, for a hello-world job and a heavier one):

  python3             /usr/bin/python3 -c CODE, no sandbox: the baseline every ratio is taken against
  bwrap               bubblewrap: namespaces, read-only /usr, tmpfs /tmp and /sandbox, no capabilities
                      (no seccomp filter, no cgroup limits: less work than bexy strict)
  bexy exec strict    `bexy exec --profile strict job.py` with no service to hand it to: the cold CLI path
  bexy exec -> warm   the same command while the warm bexy-server runs: the CLI hands the job over its local socket
                      (BEXY_HANDOFF_SOCKET) and the server runs it in its warm pool
  /execute warm       POST /execute to a bexy-server in its default configuration (warm path, if it has one)
  apilama -> warm     POST /api/bexy/execute through the gateway to that same server
  /execute BEXY_WARM=0  POST /execute to a second bexy-server started with BEXY_WARM=0 (cold path in-server)

Systems are INTERLEAVED in rounds (every system runs a round of jobs in turn), so drift on the machine hits all of
them alike. Each HTTP worker keeps one keep-alive connection. Prints the machine, a table (p50, p99, jobs/s and
the ratios to bare python3 at the same job and concurrency), failed jobs, and the issue's targets with PASS/FAIL.
A benchmark, not a test: it exits 0 unless a system cannot run a job at all.

    python3 Benchmarks/sandbox_bench.py --bin .build/release [--runs 200 | --quick] [--json]

Standard library only; run as root (the sandbox needs it). See Benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts in the work tree
from benchlib import (PYTHON, REPO, format_table, free_port, machine_info, machine_line, median, percentile, run_threads,
                      progress, wait_healthy)

JOBS = {  # name: (code, the stdout a correct run prints)
    "hello": ("print(1)\n", "1\n"),
    "heavy": ("import json, re, collections; print(sum(range(10**6)))\n", "499999500000\n"),
}
BARE = "python3"
WARM = "/execute warm"
COLD_SERVER = "/execute BEXY_WARM=0"
GATEWAY = "apilama -> warm"
BEXY_EXEC = "bexy exec strict"
HANDOFF = "bexy exec -> warm"
BWRAP = "bwrap"

BWRAP_NOTE = ("bwrap: --unshare-all, read-only /usr, tmpfs /tmp and /sandbox, all capabilities dropped; NO seccomp "
              "filter and NO cgroup limits, unlike bexy strict: a 'namespaces only' reference point.")
ORDER_NOTE = ("order in every round: python3, bwrap, bexy exec -> warm, bexy exec, /execute warm, apilama -> warm, "
              "/execute BEXY_WARM=0: the warm server refills its pool after its rounds, on the same cores, while the "
              "next cold round (bexy exec, then the cold server) runs; that cost lands on a cold path of ours, never "
              "on the baseline or another warm row.")


# --------------------------------------------------------------------------------------------------
# Systems: each runs one job and returns None, or why the job failed
# --------------------------------------------------------------------------------------------------

class ProcessSystem:
    """Start a process that runs the job; a job fails if it exits non-zero or prints the wrong thing."""

    def __init__(self, name: str, argv, env: dict[str, str]):
        self.name, self.argv, self.env = name, argv, env

    def run(self, job: str, worker: int = 0) -> str | None:
        done = subprocess.run(self.argv(job), env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        if done.returncode != 0 or done.stdout.decode(errors="replace") != JOBS[job][1]:
            return f"exit {done.returncode}, stdout {done.stdout[:80]!r}, stderr {done.stderr[-300:]!r}"
        return None


class HTTPSystem:
    """POST the job over one keep-alive connection per worker (kept across rounds); fails unless 200, success and
    the right stdout. A broken connection fails that job and is reopened for the next."""

    def __init__(self, name: str, port: int, path: str, token: str):
        self.name, self.port, self.path, self.token = name, port, path, token
        self.bodies = {job: json.dumps({"code": code, "profile": "strict"}).encode() for job, (code, _) in JOBS.items()}
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def run(self, job: str, worker: int = 0) -> str | None:
        for attempt in (1, 2):
            conn = self.connections.get(worker)
            reused = conn is not None
            if conn is None:
                conn = self.connections[worker] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                conn.request("POST", self.path, body=self.bodies[job],
                             headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                del self.connections[worker]
                # A kept-alive connection the server closed while idle: retry once on a fresh one (the time of
                # both attempts counts), as HTTP clients do. Anything else is a failed job.
                stale = isinstance(e, (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError))
                if not (reused and stale and attempt == 1):
                    return f"connection: {e!r}"
        try:
            answer = json.loads(data)
        except ValueError:
            answer = {}
        if response.status != 200 or not answer.get("success") or answer.get("stdout") != JOBS[job][1]:
            return f"HTTP {response.status}: {data[:300]!r}"
        return None


def usr_merge_args() -> list[str]:
    """Recreate the host's /bin, /lib, /lib64, /sbin inside bwrap: a symlink where the host has one (merged /usr,
    as on Debian 12), a read-only bind where it has a real directory, nothing if absent."""
    args: list[str] = []
    for name in ("bin", "lib", "lib64", "sbin"):
        path = "/" + name
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def bwrap_argv(bwrap: str, job_file: str) -> list[str]:
    return [
        bwrap, "--unshare-all", "--die-with-parent", "--new-session",
        "--ro-bind", "/usr", "/usr", *usr_merge_args(),
        "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/sandbox",
        "--ro-bind", job_file, "/sandbox/main.py", "--chdir", "/sandbox",
        "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/sandbox",
        "--cap-drop", "ALL", PYTHON, "main.py",
    ]


# --------------------------------------------------------------------------------------------------
# The services: two bexy-servers (warm default, BEXY_WARM=0) and apilama in front of the warm one
# --------------------------------------------------------------------------------------------------

class Services:
    def __init__(self, bin_dir: str, gateway: bool):
        self.dir = tempfile.mkdtemp(prefix="pylama-bench-")
        self.internal = "int_" + secrets.token_urlsafe(32)
        self.api = "plm_" + secrets.token_urlsafe(32)
        self.warm_port, self.cold_port, self.gateway_port = free_port(), free_port(), free_port()
        self.processes: list[subprocess.Popen] = []
        self.log_path = os.path.join(self.dir, "services.log")
        self.log = open(self.log_path, "w")
        base = (f"PYLAMA_INTERNAL_TOKEN={self.internal}\nPYLAMA_API_TOKEN={self.api}\n"
                f"BEXY_PORT={self.warm_port}\nAPILAMA_PORT={self.gateway_port}\nAPILAMA_DB={self.dir}/apilama.db\n"
                "APILAMA_RATE_PER_SECOND=1000000\nAPILAMA_RATE_BURST=1000000\n")
        # `bexy exec` cold: no service to hand its jobs to.
        self.env = self.environment("cli", base, BEXY_HANDOFF_SOCKET="off")
        # The warm server takes hand-offs on its own socket; `bexy exec -> warm` runs with its environment (the same
        # settings, so the server takes the jobs).
        warm_env = self.warm_env = self.environment("warm", base,
                                                    BEXY_HANDOFF_SOCKET=os.path.join(self.dir, "handoff.sock"))
        cold_env = self.environment("cold", base + "BEXY_WARM=0\n", BEXY_WARM="0", BEXY_HANDOFF_SOCKET="off")
        server = os.path.join(bin_dir, "bexy-server")
        self.start([server, "--port", str(self.warm_port), "--no-forward"], warm_env, self.warm_port, "/health")
        self.start([server, "--port", str(self.cold_port), "--no-forward"], cold_env, self.cold_port, "/health")
        if gateway:
            self.start([os.path.join(bin_dir, "apilama"), "serve", "--port", str(self.gateway_port)], warm_env,
                       self.gateway_port, "/api/health")

    def environment(self, name: str, central: str, **extra: str) -> dict[str, str]:
        """A clean environment (nothing inherited, so no stray BEXY_WARM) with its own state directory (audit
        spool) and central .env."""
        state = os.path.join(self.dir, name)
        os.mkdir(state)
        with open(os.path.join(state, "central.env"), "w") as f:
            f.write(central)
        return {"HOME": state, "PYLAMA_ENV": os.path.join(state, "central.env"), "BEXY_STATE_DIR": state,
                "BEXY_PROFILES_DIR": os.path.join(REPO, "profiles"), "PATH": "/usr/local/bin:/usr/bin:/bin", **extra}

    def start(self, argv: list[str], env: dict[str, str], port: int, health: str) -> None:
        process = subprocess.Popen(argv, env=env, cwd=env["HOME"], stdin=subprocess.DEVNULL, stdout=self.log,
                                   stderr=self.log)
        self.processes.append(process)
        wait_healthy(port, health, process, self.log_path)

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------

@dataclass
class Cell:
    """One system, job and concurrency: latencies of the jobs that succeeded, failures, time spent in rounds."""
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_round(system, job: str, workers: int, per_worker: int, cell: Cell | None) -> None:
    """`workers` threads each run `per_worker` jobs back to back; the round's wall time goes to cell.seconds."""
    lock = threading.Lock()
    local = Cell()

    def worker(index: int) -> None:
        for _ in range(per_worker):
            start = time.perf_counter()
            error = system.run(job, index)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if error is None:
                    local.latencies.append(elapsed)
                else:
                    local.failures += 1
                    if len(local.errors) < 3:
                        local.errors.append(error)

    seconds = run_threads(worker, workers)
    if cell is not None:
        cell.latencies += local.latencies
        cell.failures += local.failures
        cell.errors += local.errors[:max(0, 3 - len(cell.errors))]
        cell.seconds += seconds
    elif not local.latencies:
        sys.exit(f"sandbox_bench: {system.name} cannot run job {job}: {local.errors[0]}")


def measure(systems: list, job: str, workers: int, runs: int, round_size: int, warmup: int) -> dict[str, Cell]:
    for system in systems:  # warm-up, not counted; aborts if a system cannot run the job at all
        run_round(system, job, workers, max(1, warmup // workers), None)
    cells = {s.name: Cell() for s in systems}
    done = 0
    while done < runs:
        per_worker = min(round_size, -(-(runs - done) // workers))
        for system in systems:
            run_round(system, job, workers, per_worker, cells[system.name])
        done += per_worker * workers
    return cells


def summarise(cells: dict[str, dict[str, dict[int, Cell]]], levels: list[int]) -> list[dict]:
    rows = []
    for job, by_system in cells.items():
        for workers in levels:
            bare = by_system[BARE][workers]
            bare_p50, bare_rate = median(bare.latencies), len(bare.latencies) / bare.seconds
            # bubblewrap beside every row, when it ran
            bwrap = by_system.get(BWRAP, {}).get(workers)
            bwrap_p50 = median(bwrap.latencies) if bwrap and bwrap.latencies else float("nan")
            for name, by_conc in by_system.items():
                c = by_conc[workers]
                ok = len(c.latencies)
                p50 = median(c.latencies) if ok else float("nan")
                rate = ok / c.seconds if c.seconds else 0.0
                rows.append({"system": name, "job": job, "concurrency": workers, "runs": ok + c.failures,
                             "failures": c.failures, "p50_ms": p50,
                             "p99_ms": percentile(c.latencies, 99) if ok else float("nan"),
                             "jobs_per_s": rate, "p50_ratio": p50 / bare_p50, "rate_ratio": rate / bare_rate,
                             "p50_bwrap_ratio": p50 / bwrap_p50, "errors": c.errors})
    return rows


def find(rows: list[dict], system: str, job: str, workers: int) -> dict | None:
    return next((r for r in rows if (r["system"], r["job"], r["concurrency"]) == (system, job, workers)), None)


def targets(rows: list[dict]) -> list[dict]:
    """The issue's targets, each with the measured ratio, the threshold and PASS/FAIL (FAIL too if any job of either
    system failed; n/a if a system was skipped)."""
    checks = {"<=": lambda v, t: v <= t, "<": lambda v, t: v < t, ">=": lambda v, t: v >= t}
    out = []

    def target(what: str, row: dict | None, base: dict | None, metric: str, base_metric: str, op: str,
               threshold: float) -> None:
        if row is None or base is None:
            out.append({"target": what, "measured": None, "comparison": op, "threshold": threshold,
                        "result": "n/a (not measured)"})
            return
        value = row[metric] / base[base_metric]
        failed = row["failures"] + base["failures"]
        result = "PASS" if checks[op](value, threshold) and not failed else "FAIL"
        out.append({"target": what, "measured": value, "comparison": op, "threshold": threshold,
                    "result": result + (f" ({failed} failed jobs)" if failed else "")})

    bare1, bare2 = find(rows, BARE, "hello", 1), find(rows, BARE, "hello", 2)
    warm1, warm2 = find(rows, WARM, "hello", 1), find(rows, WARM, "hello", 2)
    gate1, gate2 = find(rows, GATEWAY, "hello", 1), find(rows, GATEWAY, "hello", 2)
    exec1, bwrap1 = find(rows, BEXY_EXEC, "hello", 1), find(rows, BWRAP, "hello", 1)
    target("hello bexy exec strict (cold), conc 1: p50 / bare", exec1, bare1, "p50_ms", "p50_ms", "<=", 1.2)
    target("hello bexy exec strict (cold), conc 1: p50 / bwrap", exec1, bwrap1, "p50_ms", "p50_ms", "<", 1.0)
    target("hello bexy exec -> warm, conc 1: p50 / bare", find(rows, HANDOFF, "hello", 1), bare1, "p50_ms", "p50_ms",
           "<=", 0.5)
    target("hello /execute warm, conc 1: p50 / bare", warm1, bare1, "p50_ms", "p50_ms", "<=", 0.35)
    target("hello apilama -> warm, conc 1: p50 / bare", gate1, bare1, "p50_ms", "p50_ms", "<=", 0.45)
    if gate1 and warm1:  # what the gateway adds, in milliseconds: a difference, not a ratio
        added = gate1["p50_ms"] - warm1["p50_ms"]
        failed = gate1["failures"] + warm1["failures"]
        out.append({"target": "hello apilama -> warm - /execute warm, conc 1: p50 ms", "measured": added,
                    "comparison": "<=", "threshold": 0.5, "unit": "ms",
                    "result": ("PASS" if added <= 0.5 and not failed else "FAIL")})
    target("hello /execute warm, conc 2: jobs/s / bare", warm2, bare2, "jobs_per_s", "jobs_per_s", ">=", 2.0)
    target("hello apilama -> warm, conc 2: jobs/s / bare", gate2, bare2, "jobs_per_s", "jobs_per_s", ">=", 1.8)
    target("heavy /execute warm, conc 1: p50 / bare", find(rows, WARM, "heavy", 1), find(rows, BARE, "heavy", 1),
           "p50_ms", "p50_ms", "<=", 0.7)
    return out


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------

def report(info: dict, runs: int, levels: list[int], rows: list[dict], goals: list[dict], notes: list[str], out) -> None:
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"BEXY sandbox benchmark: {runs} measured jobs per row, interleaved rounds")
    p(machine_line(info))
    p("binaries: " + ", ".join(f"{b['path']} ({b['modified']})" for b in info["binaries"]))
    for job, (code, _) in JOBS.items():
        p(f"job {job}: {code.strip()!r}")
    table = []
    for r in rows:
        table.append([r["system"], r["job"], str(r["concurrency"]), str(r["runs"]), str(r["failures"]),
                      f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", f"{r['jobs_per_s']:.1f}",
                      f"{r['p50_ratio']:.2f}x", f"{r['rate_ratio']:.2f}x", f"{r['p50_bwrap_ratio']:.2f}x"])
    p()
    p(format_table(["system", "job", "conc", "runs", "failed", "p50 ms", "p99 ms", "jobs/s", "p50/bare",
                    "jobs/s / bare", "p50/bwrap"], table))
    for r in rows:
        for error in r["errors"]:
            p(f"  failed: {r['system']} {r['job']} conc {r['concurrency']}: {error}")
    p()
    p("targets ('bare' = python3 running the same job at the same concurrency in this run):")
    for g in goals:
        unit = g.get("unit", "x")
        measured = "-" if g["measured"] is None else f"{g['measured']:.2f}{unit}"
        p(f"  {g['target']:<58} {measured:>8}  {g['comparison']:>2} {g['threshold']:.2f}{unit}  {g['result']}")
    p("heavy job (where the gain holds):")
    for workers in levels:
        for name in (WARM, HANDOFF, BEXY_EXEC):
            r = find(rows, name, "heavy", workers)
            if r:
                p(f"  {name}, conc {workers}: p50 {r['p50_ratio']:.2f}x bare, jobs/s {r['rate_ratio']:.2f}x bare")
    p()
    for note in notes:
        p(f"note: {note}")


def binary(path: str) -> dict[str, str]:
    """Where a binary really is and when it was built: the lead may rebuild them between runs."""
    real = os.path.realpath(path)
    return {"path": real, "modified": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(os.stat(real).st_mtime))}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=".build/release", help="directory with bexy, bexy-server and apilama")
    parser.add_argument("--runs", type=int, default=200, help="measured jobs per system, job and concurrency")
    parser.add_argument("--quick", action="store_true", help="30 runs and 5 warm-up jobs: a smoke test")
    parser.add_argument("--round", type=int, default=20, dest="round_size",
                        help="jobs per worker per round (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up jobs per system before each block")
    parser.add_argument("--concurrency", default="1,2",
                        help="comma-separated worker counts (default %(default)s; the targets need 1 and 2)")
    parser.add_argument("--no-gateway", action="store_true", help="leave out apilama -> warm")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout, the tables on stderr")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.warmup = 30, 5
    if args.runs < 1 or args.round_size < 1 or args.warmup < 0:
        parser.error("--runs and --round must be at least 1, --warmup at least 0")
    try:
        args.concurrency = sorted({int(c) for c in args.concurrency.split(",")})
    except ValueError:
        parser.error("--concurrency takes comma-separated integers, e.g. 1,2,8")
    if args.concurrency[0] < 1:
        parser.error("--concurrency levels must be at least 1")
    args.bin = os.path.abspath(args.bin)
    return args


def main() -> int:
    args = parse_args()
    if os.geteuid() != 0:
        progress("sandbox_bench: warning: not root; bexy and bwrap will probably fail to set up their sandboxes")
    for tool in ["bexy", "bexy-server"] + ([] if args.no_gateway else ["apilama"]):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            sys.exit(f"sandbox_bench: no {tool} in {args.bin} (make bench builds them)")
    notes = [ORDER_NOTE]
    info = machine_info()
    info["binaries"] = [binary(os.path.join(args.bin, tool)) for tool in ("bexy", "bexy-server", "apilama")
                        if os.path.exists(os.path.join(args.bin, tool))]
    services = Services(args.bin, gateway=not args.no_gateway)
    try:
        files = {}
        for job, (code, _) in JOBS.items():
            files[job] = os.path.join(services.dir, f"{job}.py")
            with open(files[job], "w") as f:
                f.write(code)
        bexy = os.path.join(args.bin, "bexy")
        systems = [ProcessSystem(BARE, lambda job: [PYTHON, "-c", JOBS[job][0]], services.env)]
        bwrap = shutil.which("bwrap")
        if bwrap:
            systems.append(ProcessSystem(BWRAP, lambda job: bwrap_argv(bwrap, files[job]), services.env))
            notes.append(BWRAP_NOTE)
        else:
            notes.append("bwrap: not installed, skipped (make bench-deps)")
        systems.append(ProcessSystem(HANDOFF, lambda job: [bexy, "exec", "--profile", "strict", files[job]],
                                     services.warm_env))
        systems.append(ProcessSystem(BEXY_EXEC, lambda job: [bexy, "exec", "--profile", "strict", files[job]],
                                     services.env))
        systems.append(HTTPSystem(WARM, services.warm_port, "/execute", services.internal))
        if not args.no_gateway:
            systems.append(HTTPSystem(GATEWAY, services.gateway_port, "/api/bexy/execute", services.api))
        systems.append(HTTPSystem(COLD_SERVER, services.cold_port, "/execute", services.internal))
        if bwrap and (error := systems[1].run("hello")):
            systems.pop(1)
            notes.append(f"bwrap: skipped, it cannot run here: {error}")

        cells: dict[str, dict[str, dict[int, Cell]]] = {job: {s.name: {} for s in systems} for job in JOBS}
        for job in JOBS:
            for workers in args.concurrency:
                progress(f"job {job}, concurrency {workers}: {args.runs} jobs x {len(systems)} systems")
                for name, cell in measure(systems, job, workers, args.runs, args.round_size, args.warmup).items():
                    cells[job][name][workers] = cell
    finally:
        services.stop()

    rows = summarise(cells, args.concurrency)
    goals = targets(rows)
    for job in JOBS:
        for workers in args.concurrency:
            warm, cold = find(rows, WARM, job, workers), find(rows, COLD_SERVER, job, workers)
            if warm["p50_ms"] > 0.9 * cold["p50_ms"]:
                notes.append(f"{job} conc {workers}: /execute warm p50 is not 10% below BEXY_WARM=0's "
                             f"({warm['p50_ms']:.2f} vs {cold['p50_ms']:.2f} ms): is the warm path active?")
    report(info, args.runs, args.concurrency, rows, goals, notes, sys.stderr if args.json else sys.stdout)
    if args.json:
        json.dump({"machine": info, "bin": args.bin, "runs": args.runs, "concurrency": args.concurrency, "round": args.round_size,
                   "warmup": args.warmup, "jobs": {j: c.strip() for j, (c, _) in JOBS.items()},
                   "results": rows, "targets": goals, "notes": notes}, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
