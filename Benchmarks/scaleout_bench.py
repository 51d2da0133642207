#!/usr/bin/env python3
"""Three BEXY instances behind one APILama (`BEXY_URL` lists them), on loopback: throughput with 1, 2 and 3
instances, then 1,000 jobs (each sleeping 0.3 s, so that some are in flight) at concurrency 8 while one instance
is killed with -9 and later restarted. Reports what the clients got (200 / 429 / 503 / other, with the error
codes), and compares the audit records that reached LogLama with the executions that may have run.

Usage: python3 Benchmarks/scaleout_bench.py [--bin .build/release] [--jobs 1000] [--concurrency 8]
Needs root (BEXY's sandboxes). Each instance has its own port, runtime directory (slots, job cgroups), audit spool
and job uid range, as separate machines would; they share this host's two cores, so more instances add
availability here, not throughput."""
import argparse
import collections
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from benchlib import REPO, format_table, free_port, machine_info, machine_line, median, progress, wait_healthy

JOB = {"code": "print(sum(range(1000)))"}
# The kill phase's job sleeps, so that the killed instance has jobs in flight when it dies.
SLOW_JOB = {"code": "import time\ntime.sleep(0.3)\nprint(sum(range(1000)))"}


class Stack:
    """LogLama, three bexy-server instances and the gateway in a throwaway directory."""

    def __init__(self, bin_dir: str, work: str):
        self.bin_dir, self.work = bin_dir, work
        self.api = "plm_" + secrets.token_urlsafe(32)
        self.token = "int_" + secrets.token_urlsafe(32)
        self.loglama_port = free_port()
        self.bexy_ports = [free_port() for _ in range(3)]
        self.central = os.path.join(work, "central.env")
        with open(self.central, "w") as f:
            f.write(f"PYLAMA_INTERNAL_TOKEN={self.token}\nPYLAMA_API_TOKEN={self.api}\n"
                    f"LOGLAMA_PORT={self.loglama_port}\nLOGLAMA_DB={work}/loglama.db\nAPILAMA_DB={work}/apilama.db\n"
                    "APILAMA_RATE_PER_SECOND=100000\nAPILAMA_RATE_BURST=100000\n")
        self.log_path = os.path.join(work, "services.log")
        self.log = open(self.log_path, "a")
        self.bexy: list[subprocess.Popen | None] = [None, None, None]
        self.others: list[subprocess.Popen] = []
        self.gateway: subprocess.Popen | None = None
        self.gateway_port = 0

    def env(self, **extra: str) -> dict[str, str]:
        env = {"HOME": self.work, "PYLAMA_ENV": self.central, "PATH": "/usr/local/bin:/usr/bin:/bin",
               "BEXY_PROFILES_DIR": os.path.join(REPO, "profiles")}
        env.update(extra)
        return env

    def start_loglama(self) -> None:
        process = subprocess.Popen([os.path.join(self.bin_dir, "loglama"), "serve"], env=self.env(), cwd=self.work,
                                   stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.others.append(process)
        wait_healthy(self.loglama_port, "/health", process, self.log_path)

    def start_bexy(self, index: int) -> None:
        """Instance `index`: its own port, runtime directory, spool and uid range; forwards its audit to LogLama."""
        directory = os.path.join(self.work, f"bexy{index}")
        os.makedirs(directory, exist_ok=True)
        env = self.env(BEXY_PORT=str(self.bexy_ports[index]), BEXY_RUNTIME_DIR=os.path.join(directory, "run"),
                       BEXY_STATE_DIR=directory, BEXY_UID_BASE=str(2_000_000_000 + 100_000 * (index + 1)),
                       BEXY_MAX_SLOTS="16")
        self.bexy[index] = subprocess.Popen([os.path.join(self.bin_dir, "bexy-server")], env=env, cwd=self.work,
                                            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                            start_new_session=True)
        wait_healthy(self.bexy_ports[index], "/health", self.bexy[index], self.log_path, deadline=60)

    def kill_bexy(self, index: int) -> None:
        """kill -9 of the instance and everything it started (its zygote and running jobs die with it)."""
        process = self.bexy[index]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.bexy[index] = None

    def start_gateway(self, instances: int) -> None:
        self.stop_gateway()
        self.gateway_port = free_port()
        urls = ",".join(f"http://127.0.0.1:{port}" for port in self.bexy_ports[:instances])
        env = self.env(APILAMA_PORT=str(self.gateway_port), BEXY_URL=urls)
        self.gateway = subprocess.Popen([os.path.join(self.bin_dir, "apilama"), "serve"], env=env, cwd=self.work,
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        wait_healthy(self.gateway_port, "/health", self.gateway, self.log_path)
        time.sleep(1.5)  # a probe round: every instance seen healthy

    def stop_gateway(self) -> None:
        if self.gateway:
            self.gateway.terminate()
            self.gateway.wait(timeout=30)
            self.gateway = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway_port, timeout=120)
        headers = {"Authorization": f"Bearer {self.api}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, {}

    def stop(self) -> None:
        self.stop_gateway()
        for index, process in enumerate(self.bexy):
            if process:
                process.terminate()
                process.wait(timeout=60)
        for process in self.others:
            process.terminate()
            process.wait(timeout=30)
        self.log.close()


def run_jobs(stack: Stack, count: int, concurrency: int, on_progress=None, job: dict = JOB) \
        -> tuple[float, list[tuple[int, str]]]:
    """`count` jobs from `concurrency` threads; the seconds taken and (status, error code) of each answer."""
    results: list[tuple[int, str]] = []
    lock = threading.Lock()
    next_job = iter(range(count))

    def worker(_: int) -> None:
        while True:
            with lock:
                index = next(next_job, None)
            if index is None:
                return
            if on_progress:
                on_progress(index)
            try:
                status, body = stack.request("POST", "/api/bexy/execute", job)
                code = (body.get("error") or {}).get("code", "") if isinstance(body.get("error"), dict) else ""
                if status == 200 and body.get("status") != "ok":
                    code = f"job {body.get('status')}: {str(body.get('error_message') or body.get('stderr'))[:80]}"
            except OSError as error:
                status, code = 0, type(error).__name__
            with lock:
                results.append((status, code))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, results


def audit_total(stack: Stack) -> int:
    status, page = stack.request("GET", "/api/loglama/api/audit?page_size=1")
    return int(page.get("total", -1)) if status == 200 else -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--throughput-jobs", type=int, default=300)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="pylama-scaleout-")
    os.chmod(work, 0o755)  # the runtime directories below it: a job's user namespace mounts there
    stack = Stack(os.path.abspath(args.bin), work)
    throughput: list[list[str]] = []
    try:
        stack.start_loglama()
        for index in range(3):
            stack.start_bexy(index)
        # 1. Throughput with 1, 2 and 3 instances (the same host: two cores shared by all).
        for instances in (1, 2, 3):
            stack.start_gateway(instances)
            run_jobs(stack, 20, args.concurrency)  # warm the instances' ready sandboxes
            seconds, results = run_jobs(stack, args.throughput_jobs, args.concurrency)
            ok = sum(1 for status, _ in results if status == 200)
            throughput.append([str(instances), str(len(results)), str(ok), f"{ok / seconds:.1f}"])
            progress(f"scaleout_bench: {instances} instance(s): {ok / seconds:.1f} jobs/s")
        # 2. 1,000 jobs; instance 2 killed with -9 at 30 % and restarted at 60 %.
        stack.start_gateway(3)
        audit_before = audit_total(stack)
        events = []

        def chaos(index: int) -> None:
            if index == int(args.jobs * 0.3):
                stack.kill_bexy(1)
                events.append(f"killed instance 2 (-9) at job {index}")
            elif index == int(args.jobs * 0.6):
                stack.start_bexy(1)
                events.append(f"restarted instance 2 at job {index}")

        seconds, results = run_jobs(stack, args.jobs, args.concurrency, chaos, SLOW_JOB)
        statuses = collections.Counter(status for status, _ in results)
        codes = collections.Counter(f"{status} {code}" for status, code in results if status != 200 or code)
        # A 502/504 is a job that may have run on the instance that died under it (the gateway never retries it).
        ran = statuses[200] + statuses[502] + statuses[504]
        audit_after = audit_before
        for _ in range(60):  # the forwarders send every second or so; the restarted one sends its spool too
            time.sleep(1)
            audit_after = audit_total(stack)
            if audit_after - audit_before >= ran:
                break
        status, health = stack.request("GET", "/api/health")
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(machine_line(machine_info()))
    print(f"binaries: {os.path.abspath(args.bin)}; job {json.dumps(JOB)}; concurrency {args.concurrency}")
    print(format_table(["BEXY instances", "jobs", "200", "jobs/s"], throughput))
    print(f"{args.jobs} jobs of {json.dumps(SLOW_JOB)} with 3 instances in {seconds:.1f} s: " + "; ".join(events))
    print(format_table(["answer", "jobs"], [[str(key), str(value)] for key, value in sorted(statuses.items())]))
    if codes:
        print(format_table(["not ok: status and code", "jobs"], [[k, str(v)] for k, v in sorted(codes.items())]))
    print(f"executions that may have run (200 + lost mid-run): {ran}; audit records that reached LogLama: "
          f"{audit_after - audit_before} (a job lost before its instance wrote the record never ran)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
