#!/usr/bin/env python3
"""Cold-start benchmark: bare python3 vs `bexy exec --profile strict` vs bubblewrap.

Every measured run starts a fresh process (and, for bexy and bwrap, a fresh sandbox), runs a tiny
Python job with /usr/bin/python3 and waits for it to exit. The systems are measured INTERLEAVED:
each iteration runs every system once, in turn, so slow drift on the machine (other builds, thermal
throttling, page cache) hits all of them equally instead of whichever happened to run last.

This is a benchmark, not a test: it prints numbers and exits 0 (it aborts only when a system cannot
run the job at all). Run it as root, e.g. `make bench`, or:

    python3 Benchmarks/cold_start.py --bexy .build/release/bexy [--runs 200] [--job hello|heavy|both]
                                     [--parallel 2] [--all] [--json]

Standard library only. See Benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

PYTHON = "/usr/bin/python3"  # the interpreter every job runs with, whatever runs this script

JOBS = {
    "hello": "print(1)\n",
    "heavy": "import json, re, collections; print(sum(range(10**6)))\n",
}

WARMUP_RUNS = 3
PARALLEL_ROUND = 10  # jobs per worker per round in the throughput mode

BWRAP_NOTE = ("bwrap: namespaces (--unshare-all), read-only /usr, tmpfs /tmp and /sandbox, all capabilities "
              "dropped; NO seccomp filter and NO cgroup limits (memory, pids, CPU), unlike bexy strict.")
RSS_NOTE = ("peak RSS: max over runs of ru_maxrss from os.wait4 on the launched process: the max (not the sum) "
            "over it and the descendants it reaped (for bexy: bexy, the sandbox init and the job's python3). "
            "It never reads below this harness's own RSS (exec records the forked copy's high-water mark), so "
            "values at or under that floor show as <=floor: python3's real figure is smaller.")


# --------------------------------------------------------------------------------------------------
# Systems under test
# --------------------------------------------------------------------------------------------------

@dataclass
class System:
    """One way of running a job file: a name and a function building its argv."""
    name: str
    argv: Callable[[str], list[str]]
    note: str = ""


def bare_system() -> System:
    return System("python3", lambda job: [PYTHON, job])


def bexy_system(bexy: str) -> System:
    return System("bexy strict", lambda job: [bexy, "exec", "--profile", "strict", job])


def usr_merge_args() -> list[str]:
    """Recreate the host's /bin, /lib, /lib64, /sbin inside bwrap: a symlink where the host has one
    (merged /usr, as on Debian 12), a read-only bind where it has a real directory, nothing if absent."""
    args: list[str] = []
    for name in ("bin", "lib", "lib64", "sbin"):
        path = "/" + name
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def bwrap_system(bwrap: str) -> System:
    """bubblewrap with isolation comparable to bexy strict (but without seccomp or cgroups)."""
    links = usr_merge_args()

    def argv(job: str) -> list[str]:
        return [
            bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", *links,
            "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/sandbox",
            "--ro-bind", job, "/sandbox/main.py", "--chdir", "/sandbox",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/sandbox",
            "--cap-drop", "ALL", PYTHON, "main.py",
        ]
    return System("bwrap", argv, note=BWRAP_NOTE)


# --------------------------------------------------------------------------------------------------
# Running and timing one process
# --------------------------------------------------------------------------------------------------

@dataclass
class Run:
    """One finished process: wall time, exit code and ru_maxrss (KiB on Linux)."""
    ns: int
    exit_code: int
    maxrss_kib: int


def launch(argv: list[str], env: dict[str, str], stderr=subprocess.DEVNULL) -> Run:
    """Start argv with stdout/stderr discarded, reap it with os.wait4 (for its own rusage) and time the
    whole thing with perf_counter_ns. Popen + wait4 is used for every system so the harness overhead is
    identical across them."""
    start = time.perf_counter_ns()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                            env=env, close_fds=True)
    _, status, rusage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter_ns() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it has been reaped
    return Run(elapsed, proc.returncode, rusage.ru_maxrss)


def first_run_error(system: System, job: str, env: dict[str, str]) -> str | None:
    """Run the job once, keeping stderr; return a description of the failure, or None if it exited 0."""
    with tempfile.TemporaryFile() as err:
        run = launch(system.argv(job), env, stderr=err)
        if run.exit_code == 0:
            return None
        err.seek(0)
        text = err.read().decode(errors="replace").strip()
    return f"{system.name} exited {run.exit_code} on the first run:\n  {' '.join(system.argv(job))}\n  {text}"


# --------------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------------

def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (p99 of 60 runs is the maximum)."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def median(sorted_values: list[float]) -> float:
    n = len(sorted_values)
    mid = n // 2
    return sorted_values[mid] if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2


@dataclass
class Summary:
    system: str
    runs: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    min_ms: float
    max_ms: float
    peak_rss_mib: float
    failures: int
    ratio_to_bare: float = 1.0
    peak_rss_at_floor: bool = False  # ru_maxrss did not rise above the harness's own RSS


def summarize(name: str, runs: list[Run]) -> Summary:
    ms = sorted(r.ns / 1e6 for r in runs)
    return Summary(
        system=name, runs=len(ms), median_ms=median(ms), p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99), min_ms=ms[0], max_ms=ms[-1],
        peak_rss_mib=max(r.maxrss_kib for r in runs) / 1024,
        failures=sum(1 for r in runs if r.exit_code != 0))


# --------------------------------------------------------------------------------------------------
# The two modes
# --------------------------------------------------------------------------------------------------

def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_latency(systems: list[System], job: str, runs: int, env: dict[str, str]) -> list[Summary]:
    """Sequential cold starts, round-robin over the systems each iteration, after a few warm-ups."""
    for _ in range(WARMUP_RUNS):
        for system in systems:
            launch(system.argv(job), env)
    results: dict[str, list[Run]] = {s.name: [] for s in systems}
    step = max(1, runs // 4)
    for i in range(runs):
        for system in systems:
            results[system.name].append(launch(system.argv(job), env))
        if (i + 1) % step == 0 and i + 1 < runs:
            progress(f"  {i + 1}/{runs}")
    summaries = [summarize(s.name, results[s.name]) for s in systems]
    bare = summaries[0].median_ms
    floor = harness_rss_mib()
    for summary in summaries:
        summary.ratio_to_bare = summary.median_ms / bare
        summary.peak_rss_at_floor = summary.peak_rss_mib <= floor
    return summaries


def harness_rss_mib() -> float:
    """This process's own peak RSS: the lowest ru_maxrss any process it forks can report."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Throughput:
    system: str
    concurrency: int
    jobs: int
    seconds: float
    jobs_per_s: float
    failures: int
    ratio_to_bare: float = 1.0


def run_round(system: System, job: str, concurrency: int, per_worker: int,
              env: dict[str, str]) -> tuple[float, int]:
    """`concurrency` threads each launch `per_worker` processes back to back; return (seconds, failures)."""
    failures = [0] * concurrency

    def worker(index: int) -> None:
        for _ in range(per_worker):
            if launch(system.argv(job), env).exit_code != 0:
                failures[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    start = time.perf_counter_ns()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.perf_counter_ns() - start) / 1e9, sum(failures)


def measure_throughput(systems: list[System], job: str, runs: int, concurrency: int,
                       env: dict[str, str]) -> list[Throughput]:
    """Jobs/s at the given concurrency. About `runs` jobs per system, in rounds of PARALLEL_ROUND jobs per
    worker; the rounds are interleaved over the systems like the latency runs."""
    rounds = max(1, round(runs / (concurrency * PARALLEL_ROUND)))
    for system in systems:  # warm-up, not counted
        run_round(system, job, concurrency, 1, env)
    seconds = {s.name: 0.0 for s in systems}
    failures = {s.name: 0 for s in systems}
    for _ in range(rounds):
        for system in systems:
            elapsed, failed = run_round(system, job, concurrency, PARALLEL_ROUND, env)
            seconds[system.name] += elapsed
            failures[system.name] += failed
    jobs = rounds * concurrency * PARALLEL_ROUND
    results = [Throughput(s.name, concurrency, jobs, seconds[s.name], jobs / seconds[s.name],
                          failures[s.name]) for s in systems]
    for result in results:
        result.ratio_to_bare = result.jobs_per_s / results[0].jobs_per_s
    return results


# --------------------------------------------------------------------------------------------------
# Machine description and output
# --------------------------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def command_output(argv: list[str], cwd: str | None = None) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return (out.stdout or out.stderr).strip() if out.returncode == 0 else ""


def machine_info(bexy: str, bwrap: str | None) -> dict[str, object]:
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = command_output(["git", "rev-parse", "--short", "HEAD"], cwd=repo)
    if commit and command_output(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo):
        commit += "-dirty"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "kernel": platform.release(),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "job_python": command_output([PYTHON, "--version"]),
        "harness_python": platform.python_version(),
        "bexy": os.path.abspath(bexy),
        "bexy_commit": commit or None,
        "bwrap": command_output([bwrap, "--version"]) if bwrap else None,
    }


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Left-align the first column, right-align the rest."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def latency_table(summaries: list[Summary]) -> str:
    rows = [[s.system, f"{s.median_ms:.2f}", f"{s.p95_ms:.2f}", f"{s.p99_ms:.2f}", str(s.runs),
             f"{s.ratio_to_bare:.2f}x", ("<=" if s.peak_rss_at_floor else "") + f"{s.peak_rss_mib:.1f}"]
            for s in summaries]
    return format_table(["system", "median ms", "p95 ms", "p99 ms", "runs", "vs python3", "peak RSS MiB"], rows)


def throughput_table(results: list[Throughput]) -> str:
    rows = [[t.system, f"{t.jobs_per_s:.1f}", str(t.jobs), f"{t.seconds:.2f}", f"{t.ratio_to_bare:.2f}x"]
            for t in results]
    return format_table(["system", "jobs/s", "jobs", "seconds", "vs python3"], rows)


def print_report(info: dict[str, object], notes: list[str], latency: dict[str, list[Summary]],
                 throughput: dict[str, list[Throughput]], out) -> None:
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"BEXY cold-start benchmark  {info['date']}")
    p(f"machine: kernel {info['kernel']}, nproc {info['nproc']}, cpu {info['cpu']}")
    p(f"jobs run with {PYTHON} ({info['job_python']}); harness Python {info['harness_python']}")
    p(f"bexy: {info['bexy']}" + (f" (commit {info['bexy_commit']})" if info["bexy_commit"] else ""))
    if info["bwrap"]:
        p(f"bwrap: {info['bwrap']}")
    for job, summaries in latency.items():
        p()
        p(f"job {job}: {JOBS[job].strip()!r}  (sequential, interleaved, {WARMUP_RUNS} warm-ups per system)")
        p(latency_table(summaries))
        for s in summaries:
            if s.failures:
                p(f"  note: {s.system} exited non-zero in {s.failures} of {s.runs} runs")
    for job, results in throughput.items():
        p()
        p(f"throughput, job {job}, concurrency {results[0].concurrency} "
          f"(workers launching back to back, rounds interleaved)")
        p(throughput_table(results))
        for t in results:
            if t.failures:
                p(f"  note: {t.system} exited non-zero in {t.failures} of {t.jobs} jobs")
    p()
    for note in notes:
        p(f"note: {note}")
    p(f"note: harness RSS floor this run: {harness_rss_mib():.1f} MiB")


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bexy", default=".build/release/bexy", help="bexy binary (default %(default)s)")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per system and job (default %(default)s)")
    parser.add_argument("--job", choices=["hello", "heavy", "both"], default="both", help="job(s) to run")
    parser.add_argument("--parallel", type=int, default=0, metavar="N",
                        help="also measure throughput (jobs/s) at concurrency N (default off)")
    parser.add_argument("--all", action="store_true", help="both jobs, and throughput at concurrency 2 "
                                                          "unless --parallel says otherwise")
    parser.add_argument("--json", action="store_true",
                        help="print the results as one JSON object on stdout; the tables then go to stderr")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.parallel < 0:
        parser.error("--parallel must not be negative")
    if args.all:
        args.job = "both"
        args.parallel = args.parallel or 2
    return args


def main() -> int:
    args = parse_args()
    if not (os.path.isfile(args.bexy) and os.access(args.bexy, os.X_OK)):
        sys.exit(f"cold_start: no bexy binary at {args.bexy} (build it: swift build -c release --product bexy)")
    if os.geteuid() != 0:
        progress("cold_start: warning: not root; bexy and bwrap may fail to set up their sandboxes")

    notes = [RSS_NOTE]
    systems = [bare_system(), bexy_system(args.bexy)]
    bwrap = shutil.which("bwrap")
    if bwrap:
        systems.append(bwrap_system(bwrap))
    else:
        notes.append("bwrap: not installed, skipped (apt-get install bubblewrap, or `make bench-deps`).")
    job_names = ["hello", "heavy"] if args.job == "both" else [args.job]

    with tempfile.TemporaryDirectory(prefix="bexy-bench-") as tmp:
        env = dict(os.environ, BEXY_STATE_DIR=os.path.join(tmp, "state"))  # private audit spool
        os.mkdir(env["BEXY_STATE_DIR"])
        jobs: dict[str, str] = {}
        for name in job_names:
            jobs[name] = os.path.join(tmp, f"{name}.py")
            with open(jobs[name], "w") as f:
                f.write(JOBS[name])

        # Every system must run the first job cleanly before anything is timed.
        first = jobs[job_names[0]]
        for system in list(systems):
            error = first_run_error(system, first, env)
            if error is None:
                continue
            if system.name == "bwrap":
                systems.remove(system)
                notes.append(f"bwrap: skipped, it cannot run here: {error}")
            else:
                sys.exit(f"cold_start: aborting: {error}")
        for system in systems:
            if system.note:
                notes.append(system.note)

        latency: dict[str, list[Summary]] = {}
        throughput: dict[str, list[Throughput]] = {}
        for name in job_names:
            progress(f"job {name}: {args.runs} interleaved runs x {len(systems)} systems")
            latency[name] = measure_latency(systems, jobs[name], args.runs, env)
        if args.parallel:
            for name in job_names:
                progress(f"job {name}: throughput at concurrency {args.parallel}")
                throughput[name] = measure_throughput(systems, jobs[name], args.runs, args.parallel, env)

    info = machine_info(args.bexy, bwrap if any(s.name == "bwrap" for s in systems) else None)
    print_report(info, notes, latency, throughput, sys.stderr if args.json else sys.stdout)
    if args.json:
        report = {
            "machine": info,
            "warmup_runs": WARMUP_RUNS,
            "harness_rss_floor_mib": harness_rss_mib(),
            "jobs": {name: JOBS[name].strip() for name in job_names},
            "latency": {job: [vars(s) for s in summaries] for job, summaries in latency.items()},
            "throughput": {job: [vars(t) for t in results] for job, results in throughput.items()},
            "notes": notes,
        }
        json.dump(report, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
