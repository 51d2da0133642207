#!/usr/bin/env python3
"""PyLLM and PyLama with a real small model (SmolLM2-135M behind the Ollama stand-in), end to end through APILama
with BEXY: the latency PyLLM (and the gateway) add over a direct Ollama call (p50, interleaved), how often
fix-and-run fixes a NameError in 20 tries, and the markdown workflow on a document with three python blocks (one
broken) and a mermaid block.

Usage: python3 Benchmarks/llm_bench.py [--bin .build/release] [--python .build/ollama-venv/bin/python] [--runs 30]
Needs root (BEXY's sandboxes) and the stand-in's venv (scripts/ollama-standin-venv.sh)."""
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

BROKEN = "total = 1 + 2\nprint(totl)\n"
DOCUMENT = """# Three blocks
```python
print(sum(range(10)))
```
```mermaid
graph TD; A-->B
```
```python
import math
print(math.sqrt(16))
```
```python
total = 1 + 2
print(totl)
```
"""


def post(port: int, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request("POST", path, body=json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, {"raw": data[:200].decode(errors="replace")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--python", default=os.path.join(REPO, ".build/ollama-venv/bin/python"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    bin_dir = os.path.abspath(args.bin)
    work = tempfile.mkdtemp(prefix="pylama-llm-bench-")
    token = "int_" + secrets.token_urlsafe(32)
    api = "plm_" + secrets.token_urlsafe(32)
    ports = {name: free_port() for name in ("ollama", "bexy", "pyllm", "pylama", "apilama")}
    central = os.path.join(work, "central.env")
    with open(central, "w") as f:
        f.write(f"PYLAMA_INTERNAL_TOKEN={token}\nBEXY_PORT={ports['bexy']}\nPYLLM_PORT={ports['pyllm']}\n"
                f"PYLAMA_PORT={ports['pylama']}\nOLLAMA_HOST=http://127.0.0.1:{ports['ollama']}\n"
                f"APILAMA_PORT={ports['apilama']}\nAPILAMA_DB={work}/apilama.db\nPYLAMA_API_TOKEN={api}\n"
                "APILAMA_RATE_PER_SECOND=100000\nAPILAMA_RATE_BURST=100000\nOLLAMA_MODEL=smollm2:135m\n")
    env = {"HOME": work, "PYLAMA_ENV": central, "BEXY_STATE_DIR": work, "PATH": "/usr/local/bin:/usr/bin:/bin",
           "BEXY_PROFILES_DIR": os.path.join(REPO, "profiles")}
    log_path = os.path.join(work, "services.log")
    log = open(log_path, "w")
    processes = []
    try:
        for argv, port, health in (
                ([args.python, os.path.join(REPO, "Tests/Fixtures/ollama-standin/ollama_standin.py"),
                  "--port", str(ports["ollama"])], ports["ollama"], "/api/version"),
                ([os.path.join(bin_dir, "bexy-server"), "--no-forward"], ports["bexy"], "/health"),
                ([os.path.join(bin_dir, "pyllm"), "serve"], ports["pyllm"], "/health"),
                ([os.path.join(bin_dir, "pylama"), "serve"], ports["pylama"], "/health"),
                ([os.path.join(bin_dir, "apilama"), "serve"], ports["apilama"], "/api/health")):
            processes.append(subprocess.Popen(argv, env=env, cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=log))
            wait_healthy(port, health, processes[-1], log_path, deadline=120)

        # 1. Latency PyLLM adds: the same deterministic generation, direct and through PyLLM, interleaved.
        prompt = {"prompt": "Say hello.", "temperature": 0, "max_tokens": 8}
        direct_body = {"model": "smollm2:135m", "prompt": "Say hello.", "stream": False,
                       "options": {"temperature": 0, "num_predict": 8}}
        calls = {"Ollama stand-in direct": lambda: post(ports["ollama"], "/api/generate", direct_body),
                 "PyLLM direct": lambda: post(ports["pyllm"], "/generate", prompt, token),
                 "APILama -> PyLLM": lambda: post(ports["apilama"], "/api/getllm/generate", prompt, api)}
        latencies = {name: [] for name in calls}
        for index in range(args.runs + 3):
            for name, call in calls.items():
                start = time.perf_counter()
                status, _ = call()
                if index >= 3 and status == 200:  # the first three rounds warm up
                    latencies[name].append((time.perf_counter() - start) * 1000)
        progress("llm_bench: latency done")

        # 2. fix-and-run of a NameError, 20 times.
        fixed, attempts, seconds = 0, [], []
        for _ in range(20):
            start = time.perf_counter()
            status, outcome = post(ports["apilama"], "/api/getllm/fix-and-run", {"code": BROKEN, "max_attempts": 3},
                                   api)
            seconds.append(time.perf_counter() - start)
            if status == 200:
                fixed += outcome.get("status") == "success"
                attempts.append(len(outcome.get("attempts", [])))
        progress("llm_bench: fix-and-run done")

        # 3. The markdown workflow.
        status, workflow = post(ports["apilama"], "/api/pylama/execute", {"markdown": DOCUMENT}, api)
        blocks = [(r["block_id"], "ok" if r["success"] and not r.get("fixed_code") else
                   "fixed" if r["success"] else "failed", len(r["attempts"])) for r in workflow.get("results", [])]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=40)
        log.close()
        shutil.rmtree(work, ignore_errors=True)

    print(machine_line(machine_info()))
    print(f"binaries: {bin_dir}; model SmolLM2-135M-Instruct Q4_1, one thread, temperature 0")
    direct = median(latencies["Ollama stand-in direct"])
    print(format_table(["generate (8 tokens), interleaved", "runs", "p50 ms", "p90 ms", "p50 - direct"],
                       [[name, str(len(values)), f"{median(values):.1f}", f"{percentile(values, 90):.1f}",
                         f"{median(values) - direct:+.1f} ms"] for name, values in latencies.items() if values]))
    print(f"fix-and-run of a NameError: fixed in {fixed}/20 tries; attempts per try {sorted(set(attempts))}; "
          f"p50 {median(seconds):.1f} s per try")
    print(f"markdown workflow (HTTP {status}): blocks (id, state, runs) {blocks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
