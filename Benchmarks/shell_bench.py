#!/usr/bin/env python3
"""SheLLama's shell against what it wraps, interleaved in one run: `sh -c 'echo hi'` bare, `bexy exec` of the
same output (a Python print: bexy runs Python), and `POST /shell {command: "echo hi"}` on SheLLama, which runs
the command in a BEXY workspace sandbox (cold: workspace jobs never go warm) through bexy-server.

Usage: python3 Benchmarks/shell_bench.py [--bin .build/release] [--runs 100]. Needs root (sandboxes)."""
import argparse
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import REPO, format_table, free_port, machine_info, machine_line, median, percentile, progress, \
    wait_healthy


class Stack:
    """bexy-server and shellama serve in a throwaway directory, sharing one workspace root."""

    def __init__(self, bin_dir: str):
        self.dir = tempfile.mkdtemp(prefix="pylama-shell-bench-")
        self.token = "int_" + secrets.token_urlsafe(32)
        self.bexy_port, self.shellama_port = free_port(), free_port()
        central = os.path.join(self.dir, "central.env")
        with open(central, "w") as f:
            f.write(f"PYLAMA_INTERNAL_TOKEN={self.token}\nBEXY_PORT={self.bexy_port}\n"
                    f"SHELLAMA_PORT={self.shellama_port}\nSHELLAMA_ROOT={self.dir}/workspaces\n")
        self.env = {"HOME": self.dir, "PYLAMA_ENV": central, "BEXY_STATE_DIR": self.dir,
                    "BEXY_PROFILES_DIR": os.path.join(REPO, "profiles"), "PATH": "/usr/local/bin:/usr/bin:/bin"}
        self.log_path = os.path.join(self.dir, "services.log")
        self.log = open(self.log_path, "w")
        self.processes = []
        for argv, port in ([os.path.join(bin_dir, "bexy-server"), "--port", str(self.bexy_port), "--no-forward"],
                           self.bexy_port), ([os.path.join(bin_dir, "shellama"), "serve"], self.shellama_port):
            process = subprocess.Popen(argv, env=self.env, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=self.log,
                                       stderr=self.log)
            self.processes.append(process)
            wait_healthy(port, "/health", process, self.log_path)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.shellama_port, timeout=60)

    def shell(self) -> str | None:
        self.connection.request("POST", "/shell", body=json.dumps({"command": "echo hi"}),
                                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        response = self.connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        if response.status != 200 or answer.get("output") != "hi\n":
            return f"HTTP {response.status}: {str(answer)[:200]}"
        return None

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(timeout=40)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    bin_dir = os.path.abspath(args.bin)
    stack = Stack(bin_dir)

    def process(argv):
        def run() -> str | None:
            done = subprocess.run(argv, env=stack.env, stdin=subprocess.DEVNULL, capture_output=True)
            return None if done.returncode == 0 and done.stdout == b"hi\n" else f"exit {done.returncode}"
        return run

    systems = {"sh -c 'echo hi' (bare)": process(["/bin/sh", "-c", "echo hi"]),
               "bexy exec -c \"print('hi')\"": process([os.path.join(bin_dir, "bexy"), "exec", "--profile", "strict",
                                                        "-c", "print('hi')"]),
               "POST /shell echo hi (SheLLama -> BEXY)": stack.shell}
    latencies = {name: [] for name in systems}
    failures = {name: 0 for name in systems}
    try:
        for name, run in systems.items():  # warm-up
            for _ in range(5):
                run()
        for index in range(args.runs):  # interleaved, one job of each per round
            if index % 20 == 0:
                progress(f"shell_bench: round {index + 1}/{args.runs}")
            for name, run in systems.items():
                start = time.perf_counter()
                failed = run()
                elapsed = (time.perf_counter() - start) * 1000
                if failed:
                    failures[name] += 1
                else:
                    latencies[name].append(elapsed)
    finally:
        stack.stop()
    bare = median(latencies["sh -c 'echo hi' (bare)"])
    rows = [[name, str(len(values)), str(failures[name]), f"{median(values):.2f}", f"{percentile(values, 90):.2f}",
             f"{median(values) / bare:.1f}x"] for name, values in latencies.items() if values]
    print(machine_line(machine_info()))
    print(f"binaries: {bin_dir}; {args.runs} jobs per row, interleaved")
    print(format_table(["path", "ok", "failed", "p50 ms", "p90 ms", "p50 / bare sh"], rows))
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
